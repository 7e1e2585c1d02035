package io.cwm.module.websocket;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.module.http.HttpWebhookTarget;
import io.cwm.net.TargetUrl;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The module-config of {@code websocket} (modules.md §3.9), checked once at load.
 *
 * <ul>
 *   <li>{@code url} (required): {@code ws://} or {@code wss://}; the same checks as
 *       {@code http_webhook}'s URL ({@link HttpWebhookTarget#checkedUrl}: length, {@code %00},
 *       syntax, then {@code allowed_hosts} or the address policy), and at send time the resolved
 *       addresses are checked as well.
 *   <li>{@code format}: {@code json} (default) sends {@code {"payload": …}} (plus
 *       {@code "headers"} with {@code include_headers}); anything else sends the payload itself.
 *   <li>{@code headers}: extra handshake headers, filtered like {@code http_webhook}'s outgoing
 *       headers (hop-by-hop and framing names, bad names or values dropped) and without the
 *       handshake's own {@code Sec-WebSocket-*} headers.
 *   <li>{@code timeout} seconds (default 10): bounds each of opening (TCP, TLS, upgrade), waiting
 *       for the reply and the close handshake.
 *   <li>{@code max_retries} (default 3): attempts in all, as in Python ({@code range(max_retries)});
 *       0 is taken as 1 (Python made no attempt and reported success), more than 10 as 10.
 *       Re-attempted at once only after a WebSocket protocol failure (an upgrade refused with 5xx, a connection closed
 *       without the close handshake).
 *   <li>{@code wait_for_response} (default false): succeed only once the server sent one message
 *       back (logged by size only).
 * </ul>
 *
 * @param url the target, in http/https spelling (host, port, path, TLS)
 * @param headers the configured handshake headers (filtered when sent)
 * @param allowedHosts lower-case host names; non-empty: the host is listed and addresses are not checked
 */
public record WebSocketTarget(TargetUrl url, boolean json, boolean includeHeaders, Map<String, String> headers,
    long timeoutMillis, int attempts, boolean waitForResponse, Set<String> allowedHosts) {

  private static final double DEFAULT_TIMEOUT_SECONDS = 10;
  private static final int MAX_ATTEMPTS = 10;

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static WebSocketTarget fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    Set<String> allowedHosts = Coerce.stringList(config, "allowed_hosts").stream()
        .map(host -> host.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    String text = Coerce.requiredString(config, "url").trim();
    String lower = text.toLowerCase(Locale.ROOT);
    String asHttp;
    if (lower.startsWith("ws://")) {
      asHttp = "http://" + text.substring("ws://".length());
    } else if (lower.startsWith("wss://")) {
      asHttp = "https://" + text.substring("wss://".length());
    } else {
      throw new ConfigException("url", "must start with ws:// or wss://");
    }
    TargetUrl url = HttpWebhookTarget.checkedUrl(asHttp, allowedHosts);
    boolean json = Coerce.string(config, "format", "json").trim().equalsIgnoreCase("json");
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject configured = Coerce.object(config, "headers");
    for (String name : configured.fieldNames()) {
      if (!name.toLowerCase(Locale.ROOT).startsWith("sec-websocket-")) {
        headers.put(name, Coerce.string(configured, name, ""));
      }
    }
    double timeoutSeconds = Coerce.number(config, "timeout", DEFAULT_TIMEOUT_SECONDS, 0.001, 3600);
    int attempts = (int) Math.max(1, Math.min(MAX_ATTEMPTS,
        Coerce.integer(config, "max_retries", 3, 0, Integer.MAX_VALUE)));
    return new WebSocketTarget(url, json, Coerce.bool(config, "include_headers", false), Map.copyOf(headers),
        Math.max(1, (long) (timeoutSeconds * 1000)), attempts, Coerce.bool(config, "wait_for_response", false),
        allowedHosts);
  }

  /** True when allowed_hosts lists the URL host: no address check at send time either. */
  public boolean hostAllowListed() {
    return !allowedHosts.isEmpty();
  }

  /** ws(s)://host:port without path or query (those may carry tokens): safe to log. */
  public String forLog() {
    return (url.ssl() ? "wss://" : "ws://") + url.hostHeader();
  }
}
