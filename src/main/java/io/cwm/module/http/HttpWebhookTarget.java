package io.cwm.module.http;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.net.TargetAddressPolicy;
import io.cwm.net.TargetUrl;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The module-config of {@code http_webhook} (modules.md §3.3), checked once: {@code url}
 * (security-notes §4.2 on what can be judged without DNS), {@code method} (POST, PUT, PATCH;
 * anything else is refused at load), {@code headers}, {@code forward_headers},
 * {@code allowed_headers}, {@code timeout} (seconds, default 30) and {@code allowed_hosts}
 * (non-empty: the URL host must be listed and the address checks are skipped, at load and at send
 * time).
 *
 * @param allowedHeaders lower-case names allowed out, or null when every header may go
 * @param allowedHosts lower-case host names; empty = no relaxation
 */
public record HttpWebhookTarget(TargetUrl url, HttpMethod method, Map<String, String> headers,
    boolean forwardHeaders, Set<String> allowedHeaders, long timeoutMillis, Set<String> allowedHosts) {

  static final int MAX_URL_LENGTH = 8192;
  /** How refusals name the one relaxation (security-notes §4.1). */
  static final String NOT_ALLOW_LISTED = "the host is not in allowed_hosts";
  private static final double DEFAULT_TIMEOUT_SECONDS = 30;
  private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static HttpWebhookTarget fromConfig(JsonObject moduleConfig) {
    Set<String> allowedHosts = lowerCase(Coerce.stringList(moduleConfig, "allowed_hosts"));
    TargetUrl url = checkedUrl(Coerce.requiredString(moduleConfig, "url"), allowedHosts);
    String method = Coerce.string(moduleConfig, "method", "POST").trim().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new ConfigException("method", "must be POST, PUT or PATCH");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject configured = Coerce.object(moduleConfig, "headers");
    for (String name : configured.fieldNames()) {
      headers.put(name, Coerce.string(configured, name, ""));
    }
    boolean forwardHeaders = Coerce.bool(moduleConfig, "forward_headers", false);
    Set<String> allowedHeaders = moduleConfig.getValue("allowed_headers") == null ? null
        : lowerCase(Coerce.stringList(moduleConfig, "allowed_headers"));
    double timeoutSeconds = Coerce.number(moduleConfig, "timeout", DEFAULT_TIMEOUT_SECONDS, 0.001, 3600);
    return new HttpWebhookTarget(url, HttpMethod.valueOf(method), Map.copyOf(headers), forwardHeaders,
        allowedHeaders, Math.max(1, (long) (timeoutSeconds * 1000)), allowedHosts);
  }

  /** True when allowed_hosts lists the URL host: no address check at load or send time. */
  public boolean hostAllowListed() {
    return !allowedHosts.isEmpty();
  }

  /**
   * Checks a target URL at load (also for the websocket module, which hands in its ws/wss URL in
   * http/https spelling): length, {@code %00}, syntax, then {@code allowed_hosts} (lower-case;
   * non-empty: the host must be listed and nothing else is checked) or the address policy for
   * what can be judged without DNS. Throws ConfigException at key {@code url}.
   */
  public static TargetUrl checkedUrl(String text, Set<String> allowedHosts) {
    if (text.length() > MAX_URL_LENGTH) {
      throw new ConfigException("url", "must be at most " + MAX_URL_LENGTH + " characters");
    }
    if (text.toLowerCase(Locale.ROOT).contains("%00")) {
      throw new ConfigException("url", "must not contain %00");
    }
    TargetUrl url;
    try {
      url = TargetUrl.parse(text);
    } catch (TargetUrl.InvalidUrlException e) {
      throw new ConfigException("url", e.getMessage());
    }
    if (!allowedHosts.isEmpty()) {
      if (!allowedHosts.contains(url.host())) {
        throw new ConfigException("url", "host is not in allowed_hosts");
      }
      return url;
    }
    List<String> problems = TargetAddressPolicy.checkUrl(text, false, NOT_ALLOW_LISTED);
    if (!problems.isEmpty()) {
      throw new ConfigException("url", String.join("; ", problems));
    }
    return url;
  }

  private static Set<String> lowerCase(List<String> names) {
    return names.stream().map(name -> name.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }
}
