package io.cwm.stream.edge;

import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.stream.StreamFailure;
import io.cwm.stream.StreamService;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /connect/flow} (issue 16, Java only): the SSE or long-poll form of the WebSocket
 * {@code flow} frame. Our connector asks for a smaller window for its session while a target's
 * circuit is open: body {@code {"max_in_flight": 0 | 1 | null, "circuits": [...]}}, the channel
 * token and {@code X-Connection-ID} as for {@code /connect/ack}. With 0 every message the session
 * holds goes back to the channel, its delivery given back; null gives the session the channel's
 * window again. Answers {@code {"status":"ok","released":n}}; 404 when the session is not one of the
 * token's channel; 422 for a bad body. A Python receiver has no such route (404): the connector then
 * falls back to holding the messages (see docs/circuit-breaker.md).
 */
final class FlowEndpoint implements Handler<RoutingContext> {
  /** The advertisement of this endpoint and of the WebSocket frame: {@code connected.features}, a poll header. */
  static final String FEATURE = "flow";
  static final String FEATURES_HEADER = "X-Connect-Features";

  private final ChannelAccess access;
  private final StreamService streams;

  FlowEndpoint(ChannelAccess access, StreamService streams) {
    this.access = access;
    this.streams = streams;
  }

  @Override
  public void handle(RoutingContext context) {
    JsonArray problems = new JsonArray();
    String token = ChannelTokens.fromHeader(context.request());
    String connectionId = context.request().getHeader("X-Connection-ID");
    JsonObject body;
    try {
      body = context.body() == null ? null : context.body().asJsonObject();
    } catch (RuntimeException notJson) {
      body = null;
    }
    if (body == null) {
      problems.add(EdgeRequests.missing("body", "max_in_flight"));
    }
    Integer max = null;
    JsonArray circuits = null;
    if (body != null) {
      Object value = body.getValue("max_in_flight");
      if (value != null && !(value instanceof Number number && number.intValue() >= 0
          && number.doubleValue() == number.intValue())) {
        problems.add(new JsonObject().put("loc", new JsonArray().add("body").add("max_in_flight"))
            .put("msg", "must be null or an integer >= 0").put("type", "type_error.integer"));
      } else if (value != null) {
        max = ((Number) value).intValue();
      }
      circuits = body.getValue("circuits") instanceof JsonArray array ? array : null;
    }
    if (connectionId == null) {
      problems.add(EdgeRequests.missing("header", "x-connection-id"));
    }
    if (token == null) {
      problems.add(EdgeRequests.missing("header", "authorization"));
    }
    if (!problems.isEmpty()) {
      context.fail(CwmException.unprocessable(problems));
      return;
    }
    Integer limit = max;
    JsonArray report = circuits;
    access.channelFor(token).onComplete(found -> {
      if (found.failed() || found.result() == null) {
        context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Invalid token"));
        return;
      }
      flow(context, found.result(), connectionId, limit, report);
    });
  }

  private void flow(RoutingContext context, ChannelSpec channel, String connectionId, Integer max,
      JsonArray circuits) {
    streams.flow(channel.name(), connectionId, max, circuits)
        .onSuccess(released -> context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("status", "ok").put("released", released).encode()))
        .onFailure(failure -> context.fail(StreamFailure.is(failure, StreamFailure.Reason.NOT_FOUND)
            ? new CwmException(FailureCode.NOT_FOUND, "Connection not found")
            : new CwmException(FailureCode.INTERNAL, "Failed to process flow request")));
  }
}
