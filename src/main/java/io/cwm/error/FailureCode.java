package io.cwm.error;

/**
 * Every failure the receiver can answer with: its HTTP status, whether a retry by the client can
 * succeed, and the detail used when a failure names none. Only the HTTP edge's failure handler
 * turns a code into a response.
 */
public enum FailureCode {
  BAD_REQUEST(400, false, "Bad Request"),
  UNAUTHORIZED(401, false, "Unauthorized"),
  FORBIDDEN(403, false, "Forbidden"),
  NOT_FOUND(404, false, "Not Found"),
  METHOD_NOT_ALLOWED(405, false, "Method Not Allowed"),
  /** The request does not fit the resource's state now (the console's dead-letter of a message not in flight). */
  CONFLICT(409, false, "Conflict"),
  /** The request body arrived too slowly or too late. */
  REQUEST_TIMEOUT(408, true, "Request body timeout: the body arrived too slowly"),
  PAYLOAD_TOO_LARGE(413, false, "Payload too large"),
  URI_TOO_LONG(414, false, "Request line too long"),
  /** Parameters or headers missing or malformed; the body lists them (FastAPI's shape). */
  UNPROCESSABLE(422, false, "Unprocessable request"),
  RATE_LIMITED(429, true, "Rate limit exceeded"),
  HEADERS_TOO_LARGE(431, false, "Headers too large"),
  INTERNAL(500, false, "An error occurred while processing the request"),
  /** A module or chain failed permanently; the sender's retry will not help by itself. */
  MODULE_FAILED(500, false, "Processing error occurred in module execution"),
  /** A module or chain failed in a way a later retry may fix (connection refused, timeout, 5xx). */
  MODULE_UNAVAILABLE(503, true, "Processing error occurred in module execution"),
  /** Too much in flight in this process (module tasks, request bodies, a full queue). */
  BUSY(503, true, "Server busy, retry later"),
  /** A backend this request needs (the Webhook Connect buffer) cannot be reached. */
  UNAVAILABLE(503, true, "Service unavailable"),
  /** The module or chain did not finish within its time budget. */
  TIMEOUT(504, true, "Processing error occurred in module execution: timed out");

  private final int httpStatus;
  private final boolean retryable;
  private final String defaultDetail;

  FailureCode(int httpStatus, boolean retryable, String defaultDetail) {
    this.httpStatus = httpStatus;
    this.retryable = retryable;
    this.defaultDetail = defaultDetail;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Whether the same request may succeed later (the answer is then a 5xx, 408 or 429). */
  public boolean retryable() {
    return retryable;
  }

  public String defaultDetail() {
    return defaultDetail;
  }

  /** The code for a status a router produced by itself (no route 404, wrong method 405, ...). */
  public static FailureCode forStatus(int status) {
    for (FailureCode code : values()) {
      if (code.httpStatus == status) {
        return code;
      }
    }
    return status >= 500 ? INTERNAL : BAD_REQUEST;
  }
}
