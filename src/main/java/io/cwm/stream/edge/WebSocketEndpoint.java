package io.cwm.stream.edge;

import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /connect/stream/{channel}} (spec §3.2): the token is checked before the upgrade (a
 * refusal is an HTTP 403, so the connector backs off); then frames {@code connected},
 * {@code webhook} and {@code heartbeat} go out, and the client's {@code ack}, {@code nack} and
 * {@code heartbeat} frames come in. A client silent for three heartbeat intervals is closed
 * ({@link CloseCode#STALE}).
 */
final class WebSocketEndpoint implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
  private static final int STALE_HEARTBEATS = 3;

  private final EdgeParts parts;

  WebSocketEndpoint(EdgeParts parts) {
    this.parts = parts;
  }

  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    String token = ChannelTokens.extract(request, false);
    request.pause(); // the upgrade may follow an asynchronous token check
    ChannelAccess access = parts.access();
    access.authenticate(context, token, FailureCode.FORBIDDEN, "Invalid channel token", (channel, tokenHash) -> {
      if (request.getParam("token") != null && request.getHeader("Authorization") == null) {
        LOG.warn("[channel: {}] token passed in the query string: it ends up in access logs; use the Authorization header",
            channel.name());
      }
      String connectorId = EdgeRequests.header(request, "X-Connector-Id", null);
      String remoteIp = ClientIp.resolve(request, parts.trustedProxies());
      request.toWebSocket()
          .onSuccess(socket -> new WebSocketStream(channel, socket, Frames.connectionId("wsc"), connectorId, remoteIp,
              tokenHash).open())
          .onFailure(failure -> context.fail(CwmException.badRequest("WebSocket upgrade required")));
    });
  }

  /** One accepted WebSocket connection on this edge. */
  private final class WebSocketStream extends EdgeStream {
    private final ServerWebSocket socket;
    private long lastClientHeartbeat = System.currentTimeMillis();

    WebSocketStream(ChannelSpec channel, ServerWebSocket socket, String connectionId, String connectorId,
        String remoteIp, String tokenHash) {
      super(parts, channel, connectionId,
          connectorId == null ? "ws_" + connectionId.substring(4, 12) : connectorId, "websocket", remoteIp, tokenHash);
      this.socket = socket;
    }

    void open() {
      if (socket.isClosed()) {
        return; // the client left during the upgrade: nothing started, nothing to give back
      }
      socket.closeHandler(gone -> end());
      socket.shutdownHandler(stopping -> serverStopping());
      socket.exceptionHandler(failure -> LOG.debug("[connection_id: {}] socket error: {}", connectionId, failure.toString()));
      socket.textMessageHandler(this::onText);
      socket.binaryMessageHandler(binary ->
          LOG.warn("[connection_id: {}] binary frame ignored ({} bytes)", connectionId, binary.length()));
      start();
    }

    @Override
    protected void writeConnected() {
      socket.writeTextMessage(Frames.connected(connectionId, channel.name()).encode());
    }

    @Override
    protected void writeWebhook(Envelope envelope) {
      socket.writeTextMessage(envelope.webhookFrame().encode());
    }

    @Override
    protected void refuse(boolean full) {
      close(full ? CloseCode.MAX_CONNECTIONS : CloseCode.INTERNAL_ERROR);
    }

    @Override
    protected void closeByServer(CloseCode close) {
      close(close);
    }

    private void close(CloseCode close) {
      socket.close((short) close.code(), close.reason());
    }

    @Override
    protected void onHeartbeat(long interval) {
      if (socket.isClosed()) {
        return; // its close handler is about to end the stream
      }
      if (System.currentTimeMillis() - lastClientHeartbeat > STALE_HEARTBEATS * interval) {
        LOG.info("[channel: {}, connection_id: {}] no heartbeat for {} s: evicted", channel.name(), connectionId,
            STALE_HEARTBEATS * interval / 1000);
        close(CloseCode.STALE);
        end();
        return;
      }
      if (!socket.writeQueueFull()) {
        socket.writeTextMessage(Frames.heartbeat().encode());
      }
    }

    private void onText(String text) {
      JsonObject frame;
      try {
        Object parsed = Json.decodeValue(text);
        if (!(parsed instanceof JsonObject object)) {
          throw new IllegalArgumentException("not an object");
        }
        frame = object;
      } catch (RuntimeException bad) {
        LOG.warn("[connection_id: {}] malformed frame ignored", connectionId);
        return;
      }
      String type = frame.getValue("type") instanceof String value ? value : "";
      switch (type) {
        case "ack", "nack" -> {
          if (!(frame.getValue("message_id") instanceof String messageId) || messageId.isEmpty()) {
            LOG.warn("[connection_id: {}] {} without message_id ignored", connectionId, type);
            return;
          }
          boolean ack = type.equals("ack");
          streams.settleNoReply(channel.name(), connectionId, messageId, ack, !ack && Frames.truthy(frame, "retry"));
        }
        case "flow" -> { // issue 16, our connector: a smaller window while a target's circuit is open
          Object max = frame.getValue("max_in_flight");
          if (max != null && !(max instanceof Number number && number.intValue() >= 0)) {
            LOG.warn("[connection_id: {}] flow frame with a bad max_in_flight ignored", connectionId);
            return;
          }
          streams.flow(channel.name(), connectionId, max == null ? null : ((Number) max).intValue(),
              frame.getValue("circuits") instanceof io.vertx.core.json.JsonArray circuits ? circuits : null);
        }
        case "heartbeat" -> {
          lastClientHeartbeat = System.currentTimeMillis();
          streams.heartbeat(channel.name(), connectionId);
        }
        default -> LOG.debug("[connection_id: {}] unknown frame type ignored", connectionId);
      }
    }
  }
}
