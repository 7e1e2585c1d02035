package io.cwm.stream.edge;

import io.cwm.buffer.MessageBuffer;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.stream.StreamService;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /connect/status/{channel}}: the channel's counters from the buffer and
 * its connected clients, for a connector holding the channel's token.
 */
final class StatusEndpoint implements Handler<RoutingContext> {
  private final ChannelAccess access;
  private final StreamService streams;
  private final MessageBuffer buffer;

  StatusEndpoint(ChannelAccess access, StreamService streams, MessageBuffer buffer) {
    this.access = access;
    this.streams = streams;
    this.buffer = buffer;
  }

  @Override
  public void handle(RoutingContext context) {
    String token = ChannelTokens.fromHeader(context.request());
    if (token == null) {
      context.fail(CwmException.unprocessable(new JsonArray().add(EdgeRequests.missing("header", "authorization"))));
      return;
    }
    access.authenticate(context, token, FailureCode.UNAUTHORIZED, "Invalid token",
        (channel, tokenHash) -> status(context, channel));
  }

  private void status(RoutingContext context, ChannelSpec channel) {
    buffer.stats(channel)
        .compose(stats -> streams.count(channel.name()).map(count -> stats.toJson(count)))
        .onSuccess(stats -> context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("channel", channel.name()).put("connected", true).put("stats", stats)
                .put("server_time", Frames.now()).encode()))
        .onFailure(context::fail);
  }
}
