package io.cwm.http;

import io.cwm.buffer.BufferException;
import io.cwm.module.ModuleFailure;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;

/**
 * The one place that turns a failure into an HTTP status and a {@code {"detail"}} JSON body.
 * Client-facing text never carries exception messages, hosts, paths or secrets.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  static final String GENERIC = "An error occurred while processing the request";
  static final String MODULE = "Processing error occurred in module execution";
  /** Seconds a sender should wait before retrying after a retryable module failure. */
  static final int MODULE_RETRY_AFTER = 5;

  private ErrorResponses() {}

  /**
   * Sends {@code failure} as a JSON error. Unknown throwables become a generic 500.
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
    JsonObject body = new JsonObject().put("detail", error.detail());
    if (error.error() != null) {
      body.put("error", error.error());
    }
    return response
        .setStatusCode(error.code().httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }

  /** Sends {@code {"detail": detail}} with {@code status}; completes when written. */
  public static Future<Void> sendDetail(HttpServerResponse response, int status, String detail) {
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    return response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("detail", detail).encode());
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
        case UNAVAILABLE, UNKNOWN_CHANNEL -> new CwmException(FailureCode.MODULE_UNAVAILABLE,
            "Message buffer unavailable", 30, "buffer_error");
      };
    }
    if (failure instanceof ModuleFailure module) {
      if (module.category() == ModuleFailure.Category.TIMEOUT) {
        return new CwmException(FailureCode.TIMEOUT, MODULE + ": timed out");
      }
      return module.retryable()
          ? new CwmException(FailureCode.MODULE_UNAVAILABLE, MODULE, MODULE_RETRY_AFTER)
          : new CwmException(FailureCode.MODULE_FAILED, MODULE);
    }
    LOG.error("unexpected failure on the request path: {}", failure.getClass().getName());
    return new CwmException(FailureCode.INTERNAL, GENERIC);
  }
}
