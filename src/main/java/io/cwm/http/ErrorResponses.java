package io.cwm.http;

import io.cwm.buffer.BufferException;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.module.ModuleFailure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP answer: the status of its {@link FailureCode},
 * {@code Retry-After}, its headers, and the JSON body {@code {"detail": ...}} (a list for 422, plus
 * {@code "error"} where the relay names one). Handlers fail their routing context with a
 * {@link CwmException} (or a module or buffer failure); {@link #install} makes this class every
 * router's failure handler. Client-facing text never carries exception messages, hosts, paths or
 * secrets.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  /** Seconds a sender should wait before retrying after a retryable module failure. */
  static final int MODULE_RETRY_AFTER = 5;
  /** The router statuses answered here when no route produced a failure of its own. */
  private static final int[] ROUTER_STATUSES = {400, 404, 405, 413, 500};

  private ErrorResponses() {}

  /**
   * Makes this class the failure handler of {@code router} (every route's failures, and the
   * router's own 404/405/... answers).
   *
   * @param guard the connections of the router's server: an answer sent before a request's body
   *     was read closes the connection after a short drain
   */
  public static void install(Router router, ConnectionGuard guard) {
    Handler<RoutingContext> handler = context -> {
      Throwable failure = context.failure();
      CwmException error = failure != null ? toCwm(failure)
          : new CwmException(FailureCode.forStatus(context.statusCode()));
      answer(context.request(), error, guard);
    };
    router.route().failureHandler(handler);
    for (int status : ROUTER_STATUSES) {
      router.errorHandler(status, handler);
    }
  }

  /**
   * Answers {@code error}. A request whose announced body was not read gets {@code Connection:
   * close}, and what it still sends is drained briefly, never buffered; one without a body keeps
   * its connection.
   */
  public static void answer(HttpServerRequest request, CwmException error, ConnectionGuard guard) {
    if (request.isEnded()) {
      send(request.response(), error);
      return;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean bodyAnnounced = request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !length.trim().equals("0"));
    if (!bodyAnnounced) {
      send(request.response(), error);
      request.resume(); // a paused request without a body: let its end through
      return;
    }
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    guard.lingerThenClose(request, send(request.response(), error));
  }

  /**
   * Writes {@code failure} as a JSON error. Unknown throwables become a generic 500.
   *
   * @return completes when the answer is written (at once when the response was already ended)
   */
  public static Future<Void> send(HttpServerResponse response, Throwable failure) {
    CwmException error = toCwm(failure);
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    error.headers().forEach(response::putHeader);
    if (error.retryAfterSeconds() != null) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfterSeconds()));
    }
    JsonObject body = new JsonObject().put("detail", error.problems() != null ? error.problems() : error.detail());
    if (error.error() != null) {
      body.put("error", error.error());
    }
    return response
        .setStatusCode(error.code().httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }

  /** Maps any throwable to a CwmException; anything unexpected is logged and hidden. */
  public static CwmException toCwm(Throwable failure) {
    if (failure instanceof CwmException cwm) {
      return cwm;
    }
    if (failure instanceof BufferException buffer) {
      return switch (buffer.reason()) {
        case QUEUE_FULL -> new CwmException(FailureCode.BUSY, "Channel queue is full", 60, "queue_full");
        case TOO_LARGE -> new CwmException(FailureCode.PAYLOAD_TOO_LARGE, "Message too large for channel", null,
            "message_too_large");
        case UNAVAILABLE, UNKNOWN_CHANNEL -> new CwmException(FailureCode.UNAVAILABLE,
            "Message buffer unavailable", 30, "buffer_error");
      };
    }
    if (failure instanceof ModuleFailure module) {
      if (module.category() == ModuleFailure.Category.TIMEOUT) {
        return new CwmException(FailureCode.TIMEOUT);
      }
      return module.retryable()
          ? new CwmException(FailureCode.MODULE_UNAVAILABLE, FailureCode.MODULE_UNAVAILABLE.defaultDetail(),
              MODULE_RETRY_AFTER)
          : new CwmException(FailureCode.MODULE_FAILED);
    }
    LOG.error("unexpected failure on the request path: {}", failure.getClass().getName());
    return new CwmException(FailureCode.INTERNAL);
  }
}
