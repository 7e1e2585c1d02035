package io.cwm.stream.edge;

import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.cwm.stream.StreamFailure;
import io.cwm.stream.StreamService;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code GET /connect/stream/{channel}/poll?timeout=&max_messages=} (spec §3.5): waits up to
 * {@code timeout} seconds for messages; 200 with up to {@code max_messages} of them, 204 with
 * none. Each poll belongs to one session per channel and connector id, kept at the stream side
 * between polls (its leases too: a later poll or {@code /connect/ack} settles them); a full
 * channel answers 503.
 */
final class PollEndpoint implements Handler<RoutingContext> {
  private final ChannelAccess access;
  private final StreamService streams;
  private final Set<String> trustedProxies;

  PollEndpoint(EdgeParts parts) {
    this.access = parts.access();
    this.streams = parts.streams();
    this.trustedProxies = parts.trustedProxies();
  }

  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    JsonArray problems = new JsonArray();
    int timeout = EdgeRequests.intParam(request, "timeout", 30, 1, 60, problems);
    int maxMessages = EdgeRequests.intParam(request, "max_messages", 10, 1, 100, problems);
    if (!problems.isEmpty()) {
      context.fail(CwmException.unprocessable(problems));
      return;
    }
    String token = ChannelTokens.extract(request, true);
    if (token.isEmpty()) {
      context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Missing authorization token"));
      return;
    }
    access.authenticate(context, token, FailureCode.UNAUTHORIZED, "Invalid channel token",
        (channel, tokenHash) -> poll(context, channel, timeout, maxMessages));
  }

  private void poll(RoutingContext context, ChannelSpec channel, int timeout, int maxMessages) {
    HttpServerRequest request = context.request();
    String connectorId = EdgeRequests.header(request, "X-Connector-Id", "poll_default");
    // one session per (channel, connector): a later poll may ack what an earlier one received
    String connectionId = "poll_" + connectorId.replaceAll("[^A-Za-z0-9._-]", "_") + "_" + channel.name();
    // a client that leaves mid-wait must not be handed messages it will never see; the cancel
    // names this poll, so it cannot end a newer poll of the same session
    String pollId = Frames.connectionId("p");
    // issue 16: our connector may send POST /connect/flow for this session (Python clients ignore both headers)
    context.response().putHeader(FlowEndpoint.FEATURES_HEADER, FlowEndpoint.FEATURE)
        .putHeader("X-Connection-ID", connectionId);
    context.response().closeHandler(gone -> streams.cancelPoll(channel.name(), connectionId, pollId));
    // the listener is stopping: answer the waiting poll now (no messages) so the connector polls again elsewhere
    request.connection().shutdownHandler(stopping -> {
      if (!context.response().ended()) {
        streams.cancelPoll(channel.name(), connectionId, pollId);
        context.response().setStatusCode(204).end();
      }
    });
    streams.poll(channel.name(), connectionId, connectorId, maxMessages, timeout * 1000L,
            ClientIp.resolve(request, trustedProxies), pollId)
        .onSuccess(messages -> {
          if (context.response().closed() || context.response().ended()) {
            // leased just as the client left or the listener stopped: back to the channel (counts as a delivery attempt)
            messages.forEach(envelope -> streams.settleAny(channel.name(), connectionId, envelope.messageId(), false,
                true));
            return;
          }
          if (messages.isEmpty()) {
            context.response().setStatusCode(204).end();
            return;
          }
          JsonArray frames = new JsonArray();
          messages.forEach(envelope -> frames.add(envelope.webhookFrame()));
          context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(new JsonObject().put("messages", frames).put("connection_id", connectionId)
                  .put("channel", channel.name()).put("timestamp", Frames.now()).encode());
        })
        .onFailure(failure -> context.fail(StreamFailure.is(failure, StreamFailure.Reason.FULL) ? failure
            : new CwmException(FailureCode.INTERNAL, "Internal server error")));
  }
}
