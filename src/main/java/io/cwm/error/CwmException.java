package io.cwm.error;

import io.vertx.core.json.JsonArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure with a code and a client-safe detail message. The detail is what a client sees: it
 * never carries hosts, paths, stack traces or secrets. No stack trace is captured: these are
 * expected outcomes on the request path, not bugs. Handlers fail their routing context with one;
 * the router's failure handler writes the answer.
 */
public class CwmException extends RuntimeException {
  private final FailureCode code;
  private final Integer retryAfterSeconds;
  private final String error;
  private final JsonArray problems;
  private final Map<String, String> headers;

  /** A failure with the code's default detail. */
  public CwmException(FailureCode code) {
    this(code, code.defaultDetail());
  }

  public CwmException(FailureCode code, String detail) {
    this(code, detail, null);
  }

  public CwmException(FailureCode code, String detail, Integer retryAfterSeconds) {
    this(code, detail, retryAfterSeconds, null);
  }

  /**
   * @param error machine-readable error code added to the body as {@code "error"} (Webhook
   *     Connect ingest: {@code queue_full}, {@code buffer_error}, {@code message_too_large}), or null
   */
  public CwmException(FailureCode code, String detail, Integer retryAfterSeconds, String error) {
    this(code, detail, retryAfterSeconds, error, null, Map.of());
  }

  private CwmException(FailureCode code, String detail, Integer retryAfterSeconds, String error, JsonArray problems,
      Map<String, String> headers) {
    super(detail, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.error = error;
    this.problems = problems;
    this.headers = headers;
  }

  /** 422 whose {@code detail} is the list of problems, FastAPI's shape ({@code loc}, {@code msg}, {@code type}). */
  public static CwmException unprocessable(JsonArray problems) {
    return new CwmException(FailureCode.UNPROCESSABLE, FailureCode.UNPROCESSABLE.defaultDetail(), null, null,
        problems, Map.of());
  }

  public static CwmException badRequest(String detail) {
    return new CwmException(FailureCode.BAD_REQUEST, detail);
  }

  public static CwmException unauthorized(String detail) {
    return new CwmException(FailureCode.UNAUTHORIZED, detail);
  }

  /** The same failure answered with one more response header (a {@code WWW-Authenticate} challenge). */
  public CwmException withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new CwmException(code, getMessage(), retryAfterSeconds, error, problems, Map.copyOf(more));
  }

  public FailureCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  public String error() {
    return error;
  }

  /** The 422 problem list, or null. */
  public JsonArray problems() {
    return problems;
  }

  /** Seconds for a {@code Retry-After} header, or null for none. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Extra response headers of this failure. */
  public Map<String, String> headers() {
    return headers;
  }
}
