package io.cwm.stream.edge;

import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /connect/stream/{channel}/sse} (spec §3.3): a chunked {@code text/event-stream}
 * response with the events {@code connected} (first, only for an accepted stream),
 * {@code webhook} and {@code heartbeat}; acks come by {@code POST /connect/ack}. A refused or
 * server-ended stream gets one {@code error} event and ends.
 */
final class SseEndpoint implements Handler<RoutingContext> {
  private final EdgeParts parts;

  SseEndpoint(EdgeParts parts) {
    this.parts = parts;
  }

  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    String token = ChannelTokens.extract(request, true);
    if (token.isEmpty()) {
      context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Missing authorization token"));
      return;
    }
    ChannelAccess access = parts.access();
    access.authenticate(context, token, FailureCode.UNAUTHORIZED, "Invalid channel token", (channel, tokenHash) -> {
      HttpServerResponse response = context.response()
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          .putHeader(HttpHeaders.CONNECTION, "keep-alive")
          .putHeader("X-Accel-Buffering", "no");
      SseStream stream = new SseStream(channel, response, EdgeRequests.header(request, "X-Connector-Id", "sse_default"),
          ClientIp.resolve(request, parts.trustedProxies()), tokenHash);
      request.connection().shutdownHandler(stopping -> stream.serverStopping());
      stream.open();
    });
  }

  /** One SSE stream on this edge. */
  private final class SseStream extends EdgeStream {
    private final HttpServerResponse response;

    SseStream(ChannelSpec channel, HttpServerResponse response, String connectorId, String remoteIp,
        String tokenHash) {
      super(parts, channel, Frames.connectionId("sse"), connectorId, "sse", remoteIp, tokenHash);
      this.response = response;
    }

    void open() {
      response.closeHandler(gone -> end());
      start();
    }

    @Override
    protected void writeConnected() {
      // first event, and only for an accepted stream: a refused one gets just the error (spec §3.3)
      response.write(Frames.sse("connected", new JsonObject().put("connection_id", connectionId)
          .put("channel", channel.name()).put("features", Frames.features())));
    }

    @Override
    protected void writeWebhook(Envelope envelope) {
      response.write(Frames.sse("webhook", envelope.webhookFrame()));
    }

    @Override
    protected void onHeartbeat(long interval) {
      response.write(Frames.sse("heartbeat", new JsonObject().put("timestamp", Frames.now())));
      streams.heartbeat(channel.name(), connectionId);
    }

    @Override
    protected void closeByServer(CloseCode close) {
      if (!response.ended()) {
        response.end(Frames.sse("error", new JsonObject().put("error", close.reason()).put("code", close.code())));
      }
    }

    @Override
    protected void refuse(boolean full) {
      response.end(Frames.sse("error", new JsonObject()
          .put("error", full ? "max_connections_reached" : "Internal server error")));
    }
  }
}
