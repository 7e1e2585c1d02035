package io.cwm.config;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Receiver settings read from the environment once at start-up (spec §11 and security-notes §1).
 */
public record ReceiverSettings(
    int maxConcurrentTasks,
    double taskTimeoutSeconds,
    int defaultEndpointRateLimit,
    String statsAuthToken,
    Set<String> statsAllowedIps,
    int statsRateLimit,
    boolean statsSanitizeIds,
    Set<String> trustedProxyIps,
    List<String> corsAllowedOrigins,
    boolean forceHttps,
    long hstsMaxAge,
    boolean hstsIncludeSubdomains,
    boolean hstsPreload,
    String cspPolicy) {

  public static ReceiverSettings fromEnv(Env env) {
    long hsts = 31_536_000;
    try {
      long configured = Long.parseLong(env.get(EnvVars.HSTS_MAX_AGE, "31536000"));
      hsts = configured < 0 ? 31_536_000 : Math.min(configured, 63_072_000);
    } catch (NumberFormatException ignored) {
      // invalid values fall back to the default
    }
    return new ReceiverSettings(
        env.intInRange(EnvVars.MAX_CONCURRENT_TASKS, 100, 1, 10_000),
        env.doubleInRange(EnvVars.TASK_TIMEOUT, 300, 0.1, 3600),
        env.intInRange(EnvVars.DEFAULT_ENDPOINT_RATE_LIMIT, 120, 1, 1_000_000),
        env.get(EnvVars.STATS_AUTH_TOKEN, null),
        commaSet(env.get(EnvVars.STATS_ALLOWED_IPS, "")),
        env.intInRange(EnvVars.STATS_RATE_LIMIT, 60, 1, 1_000_000),
        env.flag(EnvVars.STATS_SANITIZE_IDS),
        commaSet(env.get(EnvVars.TRUSTED_PROXY_IPS, "")),
        corsOrigins(env.get(EnvVars.CORS_ALLOWED_ORIGINS, "")),
        env.flag(EnvVars.FORCE_HTTPS),
        hsts,
        !"false".equalsIgnoreCase(env.get(EnvVars.HSTS_INCLUDE_SUBDOMAINS, "true")),
        env.flag(EnvVars.HSTS_PRELOAD),
        env.get(EnvVars.CSP_POLICY, null));
  }

  private static Set<String> commaSet(String text) {
    Set<String> values = new LinkedHashSet<>();
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(values::add);
    return Set.copyOf(values);
  }

  /** security-notes §1.4: keep only plain http(s) origins with a host and nothing else. */
  static List<String> corsOrigins(String text) {
    return Arrays.stream(text.split(","))
        .map(String::trim)
        .filter(origin -> origin.startsWith("http://") || origin.startsWith("https://"))
        .filter(origin -> {
          String rest = origin.substring(origin.indexOf("://") + 3);
          return !rest.isEmpty() && !origin.contains(" ") && !rest.contains("/") && !rest.contains("?")
              && !rest.contains("#") && !rest.contains("@");
        })
        .toList();
  }
}
