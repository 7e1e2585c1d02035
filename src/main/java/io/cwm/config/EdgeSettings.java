package io.cwm.config;

import java.util.Locale;

/**
 * Limits of the HTTP listeners (public and admin port) that keep anonymous clients from holding
 * connections or memory: read once from the environment at start-up.
 *
 * @param idleTimeoutSeconds no byte in either direction for this long closes any connection
 *     (streams send heartbeats, so the default is above twice the longest heartbeat interval)
 * @param headerTimeoutMillis a new connection must deliver a complete request head within this
 * @param keepAliveTimeoutMillis a kept-alive connection must start its next request within this
 * @param bodyTimeoutMillis a request body must be complete this long after it started
 * @param bodyMinRate bytes per second a body must average once it has been arriving for as long as a
 *     head may take (the header timeout)
 * @param bodyBudgetBytes request-body bytes the process holds at once, over all requests and ports
 */
public record EdgeSettings(
    int idleTimeoutSeconds,
    long headerTimeoutMillis,
    long keepAliveTimeoutMillis,
    long bodyTimeoutMillis,
    long bodyMinRate,
    long bodyBudgetBytes) {

  /** The largest webhook body (spec: 10 MiB). */
  public static final long MAX_WEBHOOK_BODY = 10L * 1024 * 1024;
  /** The largest body of the other POST endpoints (acks, admin calls). */
  public static final long MAX_SMALL_BODY = 64L * 1024;

  /**
   * @param longestHeartbeatSeconds the longest {@code heartbeat_interval_seconds} of the configured
   *     channels (0 without channels): the default idle timeout stays above two of them
   */
  public static EdgeSettings fromEnv(Env env, int longestHeartbeatSeconds) {
    int idleDefault = Math.max(120, 2 * longestHeartbeatSeconds + 10);
    return new EdgeSettings(
        env.intInRange(EnvVars.CWM_HTTP_IDLE_TIMEOUT, idleDefault, 1, 86_400),
        seconds(env, EnvVars.CWM_HTTP_HEADER_TIMEOUT, 10),
        seconds(env, EnvVars.CWM_HTTP_KEEPALIVE_TIMEOUT, 75),
        seconds(env, EnvVars.CWM_HTTP_BODY_TIMEOUT, 60),
        env.intInRange(EnvVars.CWM_HTTP_BODY_MIN_RATE, 8 * 1024, 0, Integer.MAX_VALUE),
        bodyBudget(env.get(EnvVars.CWM_BODY_BUDGET, null), Runtime.getRuntime().maxMemory()));
  }

  private static long seconds(Env env, String name, double fallback) {
    return Math.round(env.doubleInRange(name, fallback, 0.1, 86_400) * 1000);
  }

  /**
   * The default budget is a sixteenth of the heap (a body costs several times its size while it is
   * parsed, cleaned and stored), and never less than two of the largest bodies.
   */
  static long bodyBudget(String configured, long maxHeap) {
    long floor = 2 * MAX_WEBHOOK_BODY;
    if (configured == null) {
      return Math.max(floor, maxHeap / 16);
    }
    long value = parseSize(configured);
    if (value < MAX_WEBHOOK_BODY) {
      throw new IllegalArgumentException("CWM_BODY_BUDGET must be at least " + MAX_WEBHOOK_BODY
          + " bytes (one largest body), got '" + configured + "'");
    }
    return value;
  }

  /** {@code 67108864}, {@code 64m}, {@code 512k}, {@code 1g} (binary units). */
  static long parseSize(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (!value.isEmpty()) {
      switch (value.charAt(value.length() - 1)) {
        case 'k' -> unit = 1024;
        case 'm' -> unit = 1024 * 1024;
        case 'g' -> unit = 1024L * 1024 * 1024;
        default -> unit = 1;
      }
    }
    String digits = unit == 1 ? value : value.substring(0, value.length() - 1).trim();
    try {
      long number = Long.parseLong(digits);
      if (number < 0 || number > Long.MAX_VALUE / unit) {
        throw new NumberFormatException();
      }
      return number * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CWM_BODY_BUDGET must be a byte count such as 67108864, 64m or 1g, got '"
          + text + "'");
    }
  }
}
