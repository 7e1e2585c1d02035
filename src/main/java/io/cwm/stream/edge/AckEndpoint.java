package io.cwm.stream.edge;

import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.stream.StreamService;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code POST /connect/ack} (spec §3.4): the ack or nack of an SSE or long-poll client. The
 * parameters come from the query or a small JSON body; the channel from the token (checked
 * before anything about the connection is revealed); the message is looked up within the channel,
 * the {@code X-Connection-ID} being a hint. 404 when it is not in flight.
 */
final class AckEndpoint implements Handler<RoutingContext> {
  private final ChannelAccess access;
  private final StreamService streams;

  AckEndpoint(ChannelAccess access, StreamService streams) {
    this.access = access;
    this.streams = streams;
  }

  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    JsonObject body = bodyObject(context);
    JsonArray problems = new JsonArray();
    String messageId = firstNonEmpty(request.getParam("message_id"), body.getString("message_id"));
    String status = firstNonEmpty(request.getParam("status"), body.getValue("status") instanceof String s ? s : null);
    String retryText = firstNonEmpty(request.getParam("retry"),
        body.containsKey("retry") ? String.valueOf(body.getValue("retry")) : null);
    String connectionId = request.getHeader("X-Connection-ID");
    String token = ChannelTokens.fromHeader(request);
    if (messageId == null) {
      problems.add(EdgeRequests.missing("query", "message_id"));
    }
    Boolean retry = retryText == null ? Boolean.TRUE : parseBoolean(retryText);
    if (retry == null) {
      problems.add(new JsonObject().put("loc", new JsonArray().add("query").add("retry"))
          .put("msg", "value could not be parsed to a boolean").put("type", "type_error.bool"));
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
    boolean settle = retry;
    access.channelFor(token).onComplete(found -> {
      if (found.failed() || found.result() == null) { // checked before anything about the connection is revealed
        context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Invalid token"));
        return;
      }
      settle(context, found.result(), messageId, status, connectionId, settle);
    });
  }

  private void settle(RoutingContext context, ChannelSpec channel, String messageId, String status,
      String connectionId, boolean retry) {
    boolean isAck = status == null || status.equals("ack");
    streams.settleAny(channel.name(), connectionId, messageId, isAck, retry)
        .onSuccess(settled -> {
          if (settled) {
            context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("status", "ok").put("message_id", messageId).encode());
          } else {
            context.fail(new CwmException(FailureCode.NOT_FOUND, "Message not in flight"));
          }
        })
        .onFailure(failure -> context.fail(new CwmException(FailureCode.INTERNAL, "Failed to process acknowledgment")));
  }

  private static Boolean parseBoolean(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> Boolean.TRUE;
      case "false", "0", "no", "off" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static JsonObject bodyObject(RoutingContext context) {
    try {
      JsonObject body = context.body() == null ? null : context.body().asJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }

  private static String firstNonEmpty(String first, String second) {
    if (first != null && !first.isEmpty()) {
      return first;
    }
    return second == null || second.isEmpty() ? null : second;
  }
}
