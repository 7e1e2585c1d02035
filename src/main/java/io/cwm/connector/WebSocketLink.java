package io.cwm.connector;

import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket stream (spec §3.2): text frames of JSON objects; {@code connected},
 * {@code webhook}, {@code heartbeat} from the receiver (in any order: a receiver may send a webhook
 * before connected); every heartbeat is echoed (a receiver may evict a silent client after 90 s);
 * acks and nacks are frames.
 */
final class WebSocketLink extends StreamLink {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketLink.class);

  private final WebSocketClient client;
  private final WebSocketConnectOptions options;
  private ClientWebSocket socket;

  WebSocketLink(WebSocketClient client, WebSocketConnectOptions options, Listener listener) {
    super(listener);
    this.client = client;
    this.options = options;
  }

  @Override
  Future<Void> open() {
    ClientWebSocket ws = client.webSocket();
    socket = ws;
    // handlers before connect: no early frame or close is missed
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(binary -> LOG.warn("binary frame from the receiver ignored ({} bytes)", binary.length()));
    ws.exceptionHandler(failure -> LOG.debug("websocket error: {}", failure.toString()));
    ws.closeHandler(closed -> {
      Short code = ws.closeStatusCode();
      String reason = ws.closeReason();
      if (code != null && (code == 4001 || code == 4002)) {
        ended.tryFail(new Refused(code, "closed " + code + (reason == null ? "" : " " + reason)));
      } else {
        ended.tryFail(new IllegalStateException("closed" + (code == null ? "" : " " + code)
            + (reason == null || reason.isEmpty() ? "" : " " + reason)));
      }
    });
    return ws.connect(options).<Void>mapEmpty().recover(failure -> {
      ended.tryFail(failure);
      if (failure instanceof UpgradeRejectedException rejected) {
        int status = rejected.getStatus();
        if (status == 401 || status == 403 || status == 404) {
          return Future.failedFuture(new Refused(status, "handshake refused with HTTP " + status));
        }
        return Future.failedFuture(new IllegalStateException("handshake answered HTTP " + status));
      }
      return Future.failedFuture(failure);
    });
  }

  private void onText(String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException malformed) {
      LOG.warn("malformed frame from the receiver ignored");
      return;
    }
    if (!(parsed instanceof JsonObject frame)) {
      LOG.warn("non-object frame from the receiver ignored");
      return;
    }
    listener.onAlive();
    String type = frame.getValue("type") instanceof String value ? value : "";
    switch (type) {
      case "webhook" -> {
        Delivery delivery = parseWebhook(frame);
        if (delivery == null) {
          LOG.warn("webhook frame without message_id dropped (nothing could ack it)");
        } else {
          listener.onMessage(delivery);
        }
      }
      case "heartbeat" -> send(new JsonObject().put("type", "heartbeat").put("timestamp", Instant.now().toString()));
      case "connected" -> {
        connectionId = frame.getString("connection_id");
        LOG.info("connected: connection_id {}", connectionId);
      }
      case "error" -> LOG.warn("receiver reported an error: {}", frame.getValue("error", frame.getValue("message")));
      default -> LOG.debug("frame type '{}' ignored", type);
    }
  }

  private void send(JsonObject frame) {
    ClientWebSocket ws = socket;
    if (ws != null && !ws.isClosed()) {
      ws.writeTextMessage(frame.encode());
    }
  }

  @Override
  void ack(String messageId) {
    send(new JsonObject().put("type", "ack").put("message_id", messageId));
  }

  @Override
  void nack(String messageId, boolean retry) {
    send(new JsonObject().put("type", "nack").put("message_id", messageId).put("retry", retry));
  }

  @Override
  void close(int code, String reason) {
    ClientWebSocket ws = socket;
    if (ws != null && !ws.isClosed()) {
      ws.close((short) code, reason);
    } else {
      ended.tryComplete();
    }
  }
}
