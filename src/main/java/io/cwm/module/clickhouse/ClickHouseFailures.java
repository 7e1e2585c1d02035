package io.cwm.module.clickhouse;

import com.clickhouse.client.api.ServerException;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Types a ClickHouse failure (Python logs insert failures and reports success: modules.md §5.5).
 * When the server answered, its error code decides: overload and transient server states
 * (too many parts or queries, memory limit, timeouts, network errors inside the server, a
 * read-only replicated table) are retryable; authentication (AUTH), permission (PERMISSION),
 * unknown table/database/column and syntax (CONFIG), values it cannot parse (VALIDATION) and
 * every other code (INTERNAL) are not. Servers before 19.x send the code only in the body
 * ({@code Code: 60, e.displayText() = ...}), so it is read from the message as well. An answer
 * without a code falls back to its HTTP status (502/503/504/429 retryable). When it did not
 * answer: refused, reset or closed connections are CONNECTION, timeouts TIMEOUT, an unknown host
 * CONFIG, this link's saturated insert threads UNAVAILABLE.
 *
 * <p>Messages carry the code but never the server's text (it can quote payload values).
 */
public final class ClickHouseFailures {
  private static final Pattern CODE = Pattern.compile("Code: (\\d+)");
  private static final Pattern STATUS = Pattern.compile("transport error: (\\d{3})");
  private static final Set<Integer> UNAVAILABLE = Set.of(202, 203, 241, 242, 252, 236, 394, 319, 999, 425, 439);
  private static final Set<Integer> TIMEOUTS = Set.of(159, 209);
  private static final Set<Integer> NETWORK = Set.of(210, 32, 33, 23, 24);
  private static final Set<Integer> AUTH = Set.of(192, 193, 194, 195, 516);
  private static final Set<Integer> PERMISSION = Set.of(164, 497, 291);
  private static final Set<Integer> CONFIG = Set.of(60, 81, 16, 47, 62, 115, 57, 44, 36, 10, 8);
  private static final Set<Integer> VALIDATION = Set.of(6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 131, 130);

  private ClickHouseFailures() {}

  /** The typed failure for anything a ClickHouse call failed with. */
  public static ModuleFailure classify(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ModuleFailure typed) {
        return typed;
      }
      if (cause instanceof ServerException server) {
        return fromServer(server.getCode(), server.getTransportProtocolCode(), server.getMessage());
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownHostException) {
        return new ModuleFailure(Category.CONFIG, "ClickHouse host name does not resolve");
      }
      if (cause instanceof RejectedExecutionException) {
        return new ModuleFailure(Category.UNAVAILABLE, "ClickHouse inserts of this connection are saturated");
      }
      if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException
          || cause.getClass().getSimpleName().contains("Timeout")) {
        return new ModuleFailure(Category.TIMEOUT, "ClickHouse did not answer in time");
      }
      if (cause instanceof ConnectException || cause.getClass().getSimpleName().contains("NoHttpResponse")) {
        return new ModuleFailure(Category.CONNECTION, "ClickHouse unreachable");
      }
      if (cause instanceof InterruptedIOException) {
        return new ModuleFailure(Category.TIMEOUT, "ClickHouse did not answer in time");
      }
      if (cause instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, "ClickHouse connection failed");
      }
    }
    String name = failure.getClass().getSimpleName();
    if (name.equals("ConnectionInitiationException") || name.equals("DataTransferException")) {
      return new ModuleFailure(Category.CONNECTION, "ClickHouse connection failed");
    }
    return new ModuleFailure(Category.INTERNAL, "ClickHouse write failed");
  }

  /**
   * The failure for a server answer: {@code code} as the client parsed it (0 when unknown),
   * {@code status} the HTTP status, {@code message} the exception text (only its code is read).
   */
  static ModuleFailure fromServer(int code, int status, String message) {
    int serverCode = code > 0 ? code : parse(CODE, message);
    int httpStatus = status > 0 ? status : parse(STATUS, message);
    if (serverCode <= 0) {
      String at = " (HTTP " + (httpStatus > 0 ? httpStatus : "unknown") + ")";
      return switch (httpStatus) {
        case 502, 503, 504, 429 -> new ModuleFailure(Category.UNAVAILABLE, "ClickHouse is unavailable" + at);
        case 401, 403 -> new ModuleFailure(Category.AUTH, "ClickHouse refused the credentials" + at);
        case 404 -> new ModuleFailure(Category.CONFIG, "ClickHouse endpoint not found" + at);
        default -> new ModuleFailure(Category.INTERNAL, "ClickHouse error" + at);
      };
    }
    String at = " (code " + serverCode + ")";
    if (UNAVAILABLE.contains(serverCode)) {
      return new ModuleFailure(Category.UNAVAILABLE, "ClickHouse is overloaded or unavailable" + at);
    }
    if (TIMEOUTS.contains(serverCode)) {
      return new ModuleFailure(Category.TIMEOUT, "ClickHouse timed out" + at);
    }
    if (NETWORK.contains(serverCode)) {
      return new ModuleFailure(Category.IO, "ClickHouse network or read error" + at);
    }
    if (AUTH.contains(serverCode)) {
      return new ModuleFailure(Category.AUTH, "ClickHouse refused the credentials" + at);
    }
    if (PERMISSION.contains(serverCode)) {
      return new ModuleFailure(Category.PERMISSION, "ClickHouse denied the operation" + at);
    }
    if (CONFIG.contains(serverCode)) {
      return new ModuleFailure(Category.CONFIG, "ClickHouse refused the statement (table, column or database mismatch)" + at);
    }
    if (VALIDATION.contains(serverCode)) {
      return new ModuleFailure(Category.VALIDATION, "ClickHouse rejected a value" + at);
    }
    return new ModuleFailure(Category.INTERNAL, "ClickHouse error" + at);
  }

  private static int parse(Pattern pattern, String message) {
    if (message == null) {
      return -1;
    }
    Matcher matcher = pattern.matcher(message);
    if (!matcher.find()) {
      return -1;
    }
    try {
      return Integer.parseInt(matcher.group(1));
    } catch (NumberFormatException tooLong) {
      return -1;
    }
  }
}
