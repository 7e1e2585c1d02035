package io.cwm.error;


/**
 * Every failure the receiver can answer with. Only the HTTP edge turns a code into a status
 * and a {@code {"detail": ...}} body (the HTTP edge's {@code ErrorResponses}).
 */
public enum FailureCode {
  BAD_REQUEST(400),
  UNAUTHORIZED(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  PAYLOAD_TOO_LARGE(413),
  UNSUPPORTED_MEDIA_TYPE(415),
  RATE_LIMITED(429),
  HEADERS_TOO_LARGE(431),
  INTERNAL(500),
  NOT_IMPLEMENTED(501),
  /** A module or chain failed permanently; the sender's retry will not help by itself. */
  MODULE_FAILED(500),
  /** A module or chain failed in a way a later retry may fix (connection refused, timeout, 5xx). */
  MODULE_UNAVAILABLE(503),
  /** Too many module tasks in flight in this process. */
  BUSY(503),
  /** The module or chain did not finish within its time budget. */
  TIMEOUT(504);

  private final int httpStatus;

  FailureCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
