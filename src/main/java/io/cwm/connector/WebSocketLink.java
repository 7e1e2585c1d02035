package io.cwm.connector;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
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
 *
 * <p>A frame or a message longer than {@code max_message_bytes} (the client's limits) breaks the
 * link: Netty refuses a frame that is too long and drops the connection; a message of smaller
 * frames that adds up to too much is only reported by Vert.x (and its tail would arrive as a
 * message of its own), so the link closes the socket with 1009 Message Too Big itself.
 */
final class WebSocketLink extends StreamLink {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketLink.class);

  private final WebSocketClient client;
  private final WebSocketConnectOptions options;
  /** max_message_bytes, for the reason of a break. */
  private final int maxMessageBytes;
  private ClientWebSocket socket;
  /** Why the receiver's last frame or message was refused as too long, or null. */
  private volatile String tooLong;

  /** @param maxMessageBytes the limit the client was built with (max_message_bytes), for messages */
  WebSocketLink(WebSocketClient client, WebSocketConnectOptions options, int maxMessageBytes, Listener listener) {
    super(listener);
    this.client = client;
    this.options = options;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  Future<Void> open() {
    ClientWebSocket ws = client.webSocket();
    socket = ws;
    // handlers before connect: no early frame or close is missed
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(binary -> LOG.warn("binary frame from the receiver ignored ({} bytes)", binary.length()));
    ws.exceptionHandler(this::onFailure);
    ws.closeHandler(closed -> ended.tryFail(whyClosed(ws.closeStatusCode(), ws.closeReason())));
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

  /** Why the socket closed: a message over the limit, a refusal (4001/4002), or the close code and reason. */
  private RuntimeException whyClosed(Short code, String reason) {
    if (tooLong != null) {
      return new IllegalStateException("a message longer than max_message_bytes (" + maxMessageBytes + " bytes): "
          + tooLong + (code == null ? "" : "; closed " + code));
    }
    if (code != null && (code == 4001 || code == 4002)) {
      return new Refused(code, "closed " + code + (reason == null ? "" : " " + reason));
    }
    return new IllegalStateException("closed" + (code == null ? "" : " " + code)
        + (reason == null || reason.isEmpty() ? "" : " " + reason));
  }

  private void onFailure(Throwable failure) {
    if (!isTooLong(failure)) {
      LOG.debug("websocket error: {}", failure.toString());
      return;
    }
    if (tooLong == null) {
      tooLong = failure.getMessage().replaceFirst("\\.$", "");
    }
    close(1009, "Message Too Big");
  }

  /** Netty's refusal of a frame over the maximum frame size, or Vert.x's of a message over the maximum size. */
  private static boolean isTooLong(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupt) {
      return corrupt.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
    }
    return failure instanceof IllegalStateException && failure.getMessage() != null
        && failure.getMessage().contains("max message size");
  }

  private void onText(String text) {
    if (tooLong != null) {
      return; // the tail of the message that was too long: the socket is closing
    }
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
        features(frame.getValue("features"));
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
  void flow(Integer maxInFlight, io.vertx.core.json.JsonArray circuits) {
    send(new JsonObject().put("type", "flow").put("max_in_flight", maxInFlight).put("circuits", circuits));
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
