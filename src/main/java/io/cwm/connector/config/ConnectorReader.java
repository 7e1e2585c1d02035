package io.cwm.connector.config;

import io.cwm.connector.http.HttpDeliverer;
import io.cwm.config.Coerce;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.Substitution;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Target;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One connector's configuration from its layers: the values of one connector object of a file
 * (after {@code {$VAR}} substitution), then the {@code CONNECTOR_*} variables, then the given
 * command-line flags; then every field is read with its type, defaulted and validated (spec
 * §8.1–§8.4). Every problem is collected; the config is only built when there is no error.
 */
final class ConnectorReader {
  /** §8.4: variable → field, for the fields a variable simply sets (see the TARGET_* below). */
  static final Map<String, String> VARIABLES = orderedMap(
      "CONNECTOR_CLOUD_URL", "cloud_url",
      "CONNECTOR_CHANNEL", "channel",
      "CONNECTOR_TOKEN", "token",
      "CONNECTOR_PROTOCOL", "protocol",
      "CONNECTOR_RECONNECT_DELAY", "reconnect_delay",
      "CONNECTOR_MAX_RECONNECT_DELAY", "max_reconnect_delay",
      "CONNECTOR_HEARTBEAT_TIMEOUT", "heartbeat_timeout",
      "CONNECTOR_CONNECTION_TIMEOUT", "connection_timeout",
      "CONNECTOR_MAX_CONCURRENT_REQUESTS", "max_concurrent_requests",
      "CONNECTOR_ACK_TIMEOUT", "ack_timeout",
      "CONNECTOR_LOG_LEVEL", "log_level",
      "CONNECTOR_CA_CERT_PATH", "ca_cert_path",
      "CONNECTOR_CLIENT_CERT_PATH", "client_cert_path",
      "CONNECTOR_CLIENT_KEY_PATH", "client_key_path",
      "CONNECTOR_ID", "connector_id",
      "CONNECTOR_WEBHOOKS_CONFIG", "webhooks_config",
      "CONNECTOR_CONNECTIONS_CONFIG", "connections_config",
      "CONNECTOR_ETCD_HOST", "etcd_host",
      "CONNECTOR_ETCD_PORT", "etcd_port",
      "CONNECTOR_ETCD_PREFIX", "etcd_prefix",
      "CONNECTOR_NAMESPACE", "namespace");
  static final String VERIFY_SSL_VARIABLE = "CONNECTOR_VERIFY_SSL";
  static final String TARGET_URL_VARIABLE = "CONNECTOR_TARGET_URL";
  static final String TARGET_METHOD_VARIABLE = "CONNECTOR_TARGET_METHOD";
  static final String TARGET_TIMEOUT_VARIABLE = "CONNECTOR_TARGET_TIMEOUT";

  /** Every top-level key of connector.json this build knows (Python's plus the Java extensions). */
  static final Set<String> KNOWN_KEYS = Set.of("cloud_url", "channel", "token", "protocol", "reconnect_delay",
      "max_reconnect_delay", "reconnect_backoff_multiplier", "heartbeat_timeout", "connection_timeout",
      "max_concurrent_requests", "ack_timeout", "default_target", "targets", "webhooks_config",
      "connections_config", "connector_id", "verify_ssl", "ca_cert_path", "client_cert_path", "client_key_path",
      "log_level", "log_format", "etcd_host", "etcd_port", "etcd_prefix", "namespace",
      "max_refused_attempts", "allow_private_targets", "shutdown_grace_seconds");
  static final List<String> TARGET_KEYS = List.of("url", "method", "headers", "timeout_seconds", "retry_enabled",
      "retry_max_attempts", "retry_delay_seconds", "retry_backoff_multiplier");

  private static final Pattern CHANNEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*$");
  /** RFC 9110 token: an HTTP method or header name. */
  private static final Pattern TOKEN = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
  private static final Pattern HOST_NAME = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final List<String> PROTOCOLS =
      List.of(ConnectorConfig.WEBSOCKET, ConnectorConfig.SSE, ConnectorConfig.LONG_POLL);
  private static final List<String> LOG_LEVELS = List.of("DEBUG", "INFO", "WARNING", "ERROR");

  private final String source;
  private final ConnectorConfigLoader.Purpose purpose;
  private final List<ConfigProblem> problems;
  private final int problemsBefore;
  /** Where a key's value came from when not from the file: a variable or a flag name. */
  private final Map<String, String> origins = new HashMap<>();
  /** Keys whose substitution failed: already reported, so no second error about them. */
  private final List<String> silenced = new ArrayList<>();
  private JsonObject values;

  private ConnectorReader(String source, ConnectorConfigLoader.Purpose purpose, List<ConfigProblem> problems) {
    this.source = source;
    this.purpose = purpose;
    this.problems = problems;
    this.problemsBefore = problems.size();
  }

  /**
   * Layers and reads one connector. {@code fromFile} is one connector object of a file (null when
   * there is no file: environment and flags only). Problems go to {@code sink}; returns null when
   * any of them is an error.
   */
  static ConnectorConfig read(String source, JsonObject fromFile, Env env, ConnectorFlags flags,
      ConnectorConfigLoader.Purpose purpose, List<ConfigProblem> sink) {
    ConnectorReader reader = new ConnectorReader(source, purpose, sink);
    List<Substitution.Problem> unresolved = new ArrayList<>();
    reader.values = fromFile == null ? new JsonObject() : Substitution.apply(fromFile, env, unresolved);
    reader.applyEnvironment(env);
    reader.applyFlags(flags);
    reader.reportSubstitution(unresolved);
    return reader.build();
  }

  // ---- layering --------------------------------------------------------------------------

  private void applyEnvironment(Env env) {
    VARIABLES.forEach((variable, field) -> set(field, given(env, variable), variable));
    String verifySsl = given(env, VERIFY_SSL_VARIABLE);
    if (verifySsl != null) {
      // Python: true only for "true" in any case; "1" or "yes" turn verification off
      set("verify_ssl", "true".equalsIgnoreCase(verifySsl), VERIFY_SSL_VARIABLE);
    }
    String targetUrl = given(env, TARGET_URL_VARIABLE);
    if (targetUrl != null) {
      // a new target, as Python builds it: headers of a file's default_target are not sent to it
      values.put("default_target", new JsonObject().put("url", targetUrl));
      origins.put("default_target", TARGET_URL_VARIABLE);
      origins.put("default_target.url", TARGET_URL_VARIABLE);
    }
    adjustDefaultTarget("method", given(env, TARGET_METHOD_VARIABLE), TARGET_METHOD_VARIABLE);
    adjustDefaultTarget("timeout_seconds", given(env, TARGET_TIMEOUT_VARIABLE), TARGET_TIMEOUT_VARIABLE);
  }

  private void adjustDefaultTarget(String key, String value, String variable) {
    if (value == null) {
      return;
    }
    if (values.getValue("default_target") instanceof JsonObject target) {
      target.put(key, value);
      origins.put("default_target." + key, variable);
    } else {
      warning(null, variable + " is ignored: there is no default_target (set " + TARGET_URL_VARIABLE + ")");
    }
  }

  private void applyFlags(ConnectorFlags flags) {
    set("cloud_url", flags.cloudUrl(), "--cloud-url");
    set("channel", flags.channel(), "--channel");
    set("token", flags.token(), "--token");
    set("protocol", flags.protocol(), "--protocol");
    set("log_level", flags.logLevel(), "--log-level");
    set("connector_id", flags.connectorId(), "--connector-id");
    set("webhooks_config", flags.webhooksConfig(), "--webhooks-config");
    set("connections_config", flags.connectionsConfig(), "--connections-config");
    if (flags.noVerifySsl()) {
      set("verify_ssl", false, "--no-verify-ssl");
    }
    if (ConnectorFlags.given(flags.targetUrl())) {
      // Python: a target with that URL and every other field at its default
      values.put("default_target", new JsonObject().put("url", flags.targetUrl().trim()));
      origins.keySet().removeIf(key -> key.startsWith("default_target"));
      origins.put("default_target", "--target-url");
      origins.put("default_target.url", "--target-url");
    }
  }

  private void set(String field, Object value, String origin) {
    if (value == null || value instanceof String text && text.isBlank()) {
      return;
    }
    values.put(field, value instanceof String text ? text.trim() : value);
    origins.keySet().removeIf(key -> key.startsWith(field + "."));
    origins.put(field, origin);
  }

  private static String given(Env env, String variable) {
    return env.get(variable, null);
  }

  /**
   * An unset variable in a value that a variable or flag replaced, or in a value that is never
   * used (unknown keys, log_format), does not matter.
   */
  private void reportSubstitution(List<Substitution.Problem> unresolved) {
    for (Substitution.Problem problem : unresolved) {
      String key = joinKey(problem.path());
      String field = problem.path().isEmpty() ? "" : problem.path().get(0);
      if (!KNOWN_KEYS.contains(field) || field.equals("log_format")
          || origins.keySet().stream().anyMatch(overridden -> within(key, overridden))) {
        continue;
      }
      problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, key, problem.message()));
      silenced.add(key);
    }
  }

  // ---- reading ---------------------------------------------------------------------------

  private ConnectorConfig build() {
    for (String key : values.fieldNames()) {
      if (!KNOWN_KEYS.contains(key) && !key.startsWith("_")) {
        warning(key, "unknown key, ignored");
      }
    }
    String cloudUrl = cloudUrl();
    String channel = requiredString(values, "channel", "channel");
    if (channel != null && (!CHANNEL.matcher(channel).matches() || channel.contains(".."))) {
      error("channel", "must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ and not contain '..'");
    }
    String token = requiredString(values, "token", "token");
    String protocol = string(values, "protocol", "protocol", ConnectorConfig.WEBSOCKET);
    if (protocol != null && !PROTOCOLS.contains(protocol)) {
      error("protocol", "must be websocket, sse or long_poll, got '" + shorten(protocol) + "'");
    }
    Double reconnectDelay = positive(values, "reconnect_delay", "reconnect_delay", 1.0);
    Double maxReconnectDelay = positive(values, "max_reconnect_delay", "max_reconnect_delay", 60.0);
    if (maxReconnectDelay != null && reconnectDelay != null && maxReconnectDelay < reconnectDelay) {
      error("max_reconnect_delay", "must be at least reconnect_delay (" + reconnectDelay + ")");
    }
    Double backoff = atLeast(values, "reconnect_backoff_multiplier", "reconnect_backoff_multiplier", 2.0, 1.0);
    Double heartbeatTimeout = positive(values, "heartbeat_timeout", "heartbeat_timeout", 60.0);
    Double connectionTimeout = positive(values, "connection_timeout", "connection_timeout", 30.0);
    Integer maxConcurrent = integer(values, "max_concurrent_requests", "max_concurrent_requests", 10, 1);
    Double ackTimeout = positive(values, "ack_timeout", "ack_timeout", 30.0);
    String connectorId = blankToNull(string(values, "connector_id", "connector_id", null));
    if (connectorId != null && connectorId.chars().anyMatch(Character::isISOControl)) {
      error("connector_id", "must not contain control characters (it is sent as a header)");
    }
    Boolean verifySsl = bool(values, "verify_ssl", "verify_ssl", true);
    String logLevel = logLevel();
    string(values, "etcd_prefix", "etcd_prefix", "/cwm/");
    string(values, "namespace", "namespace", null);
    Integer etcdPort = integer(values, "etcd_port", "etcd_port", 2379, 1);
    if (etcdPort != null && etcdPort > 65535) {
      error("etcd_port", "must be from 1 to 65535");
    }
    // 0: never give up (a Python receiver refuses until the channel's first webhook)
    Integer maxRefused = integer(values, "max_refused_attempts", "max_refused_attempts", 0, 0);
    Boolean allowPrivate = bool(values, "allow_private_targets", "allow_private_targets", true);
    Double grace = positive(values, "shutdown_grace_seconds", "shutdown_grace_seconds", 30.0);

    Target defaultTarget = values.getValue("default_target") == null ? null
        : target(values.getValue("default_target"), "default_target");
    Map<String, Target> targets = targets();
    Path webhooksConfig = path("webhooks_config");
    Path connectionsConfig = path("connections_config");
    Path caCert = path("ca_cert_path");
    Path clientCert = path("client_cert_path");
    Path clientKey = path("client_key_path");
    deliveryMode(webhooksConfig);
    checkReadable("webhooks_config", webhooksConfig);
    if (connectionsConfig != null && webhooksConfig == null) {
      warning("connections_config", "is ignored: it is only used in module mode (webhooks_config)");
    } else {
      checkReadable("connections_config", connectionsConfig);
    }
    checkReadable("ca_cert_path", caCert);
    checkReadable("client_cert_path", clientCert);
    checkReadable("client_key_path", clientKey);
    if (clientKey != null && clientCert == null) {
      warning("client_key_path", "is ignored without client_cert_path");
    }
    // literal addresses the SSRF rule forbids are refused now, not at the first delivery
    boolean allowPrivateTargets = allowPrivate == null || allowPrivate;
    boolean clean = problems.subList(problemsBefore, problems.size()).stream().noneMatch(ConfigProblem::isError);
    if (clean && defaultTarget != null) {
      HttpDeliverer.checkTargetUrl(defaultTarget.url(), allowPrivateTargets)
          .forEach(message -> error("default_target", "url: " + message));
    }
    (clean ? targets : Map.<String, Target>of()).forEach((webhookId, target) -> HttpDeliverer.checkTargetUrl(target.url(), allowPrivateTargets)
        .forEach(message -> error("targets", webhookId + ".url: " + message)));
    if (problems.subList(problemsBefore, problems.size()).stream().anyMatch(ConfigProblem::isError)) {
      return null;
    }
    return new ConnectorConfig(source, cloudUrl, channel, token, protocol, reconnectDelay, maxReconnectDelay,
        backoff, heartbeatTimeout, connectionTimeout, maxConcurrent, ackTimeout, connectorId, defaultTarget,
        targets, webhooksConfig, connectionsConfig, verifySsl, text(caCert), text(clientCert), text(clientKey),
        logLevel,
        maxRefused, allowPrivate, grace);
  }

  private String cloudUrl() {
    String text = requiredString(values, "cloud_url", "cloud_url");
    if (text == null) {
      return null;
    }
    String trimmed = text.replaceAll("/+$", "");
    if (!hasSchemeAndHost(trimmed, List.of("http", "https", "ws", "wss"))) {
      error("cloud_url", "must be an http://, https://, ws:// or wss:// URL with a host");
      return null;
    }
    URI uri = URI.create(trimmed);
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      error("cloud_url", "must not have a query or a fragment (it is the base of the stream URLs)");
    }
    return trimmed;
  }

  private String logLevel() {
    String level = string(values, "log_level", "log_level", "INFO");
    if (level == null) {
      return null;
    }
    String upper = level.trim().toUpperCase(Locale.ROOT);
    if (upper.equals("WARN")) {
      upper = "WARNING";
    }
    if (!LOG_LEVELS.contains(upper)) {
      error("log_level", "must be DEBUG, INFO, WARNING or ERROR, got '" + shorten(level) + "'");
      return null;
    }
    return upper;
  }

  private Map<String, Target> targets() {
    Object raw = values.getValue("targets");
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      error("targets", "must be an object of webhook ids to targets, got " + Coerce.describe(raw));
      return Map.of();
    }
    Map<String, Target> result = new LinkedHashMap<>();
    for (String webhookId : object.fieldNames()) {
      String key = "targets." + webhookId;
      if (webhookId.isBlank()) {
        error(key, "the webhook id must not be empty");
        continue;
      }
      Object value = object.getValue(webhookId);
      if (value == null) {
        error(key, "must be a target object, got null");
        continue;
      }
      Target target = target(value, key);
      if (target != null) {
        result.put(webhookId, target);
      }
    }
    return Collections.unmodifiableMap(result);
  }

  private Target target(Object raw, String key) {
    if (!(raw instanceof JsonObject target)) {
      error(key, "must be an object, got " + Coerce.describe(raw));
      return null;
    }
    int before = problems.size();
    for (String field : target.fieldNames()) {
      if (!TARGET_KEYS.contains(field)) {
        error(key + "." + field, "unknown key '" + field + "' in a target (known: " + String.join(", ", TARGET_KEYS) + ")");
      }
    }
    String url = requiredString(target, "url", key + ".url");
    if (url != null && !hasSchemeAndHost(url, List.of("http", "https"))) {
      error(key + ".url", "must be an http:// or https:// URL with a host");
    }
    String method = string(target, "method", key + ".method", "POST");
    if (method != null && !TOKEN.matcher(method).matches()) {
      error(key + ".method", "must be an HTTP method name, got '" + shorten(method) + "'");
    }
    Map<String, String> headers = headers(target.getValue("headers"), key + ".headers");
    Double timeout = positive(target, "timeout_seconds", key + ".timeout_seconds", 30.0);
    Boolean retryEnabled = bool(target, "retry_enabled", key + ".retry_enabled", true);
    Integer attempts = integer(target, "retry_max_attempts", key + ".retry_max_attempts", 3, 1);
    Double delay = atLeast(target, "retry_delay_seconds", key + ".retry_delay_seconds", 1.0, 0.0);
    Double multiplier = atLeast(target, "retry_backoff_multiplier", key + ".retry_backoff_multiplier", 2.0, 1.0);
    if (problems.subList(before, problems.size()).stream().anyMatch(ConfigProblem::isError)) {
      return null;
    }
    return new Target(url, method.toUpperCase(Locale.ROOT), headers, timeout, retryEnabled, attempts, delay,
        multiplier);
  }

  private Map<String, String> headers(Object raw, String key) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      error(key, "must be an object of header names to string values, got " + Coerce.describe(raw));
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : object.fieldNames()) {
      Object value = object.getValue(name);
      if (!TOKEN.matcher(name).matches()) {
        error(key + "." + name, "is not a valid header name");
      } else if (!(value instanceof String text)) {
        error(key + "." + name, "must be a string, got " + Coerce.describe(value));
      } else if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
        error(key + "." + name, "must not contain CR or LF");
      } else {
        headers.put(name, text);
      }
    }
    return Collections.unmodifiableMap(headers);
  }

  /** Exactly one of HTTP, module and etcd mode (spec §8.3); etcd is not supported yet (§8.14). */
  private void deliveryMode(Path webhooksConfig) {
    List<String> http = new ArrayList<>();
    if (values.getValue("default_target") != null) {
      http.add(label("default_target"));
    }
    if (values.getValue("targets") instanceof JsonObject targets && !targets.isEmpty()) {
      http.add(label("targets"));
    }
    List<String> found = new ArrayList<>();
    if (!http.isEmpty()) {
      found.add(String.join(", ", http) + " (HTTP mode)");
    }
    if (webhooksConfig != null) {
      found.add(label("webhooks_config") + " (module mode)");
    }
    boolean etcd = values.getValue("etcd_host") instanceof String host && !host.isBlank();
    if (etcd) {
      found.add(label("etcd_host") + " (etcd mode)");
    }
    if (found.isEmpty()) {
      error(null, "no delivery mode: set default_target or targets (HTTP mode), or webhooks_config (module mode)");
    } else if (found.size() > 1) {
      error(null, "more than one delivery mode: " + String.join("; ", found) + "; set exactly one");
    } else if (etcd) {
      error("etcd_host", "etcd mode is not supported by this build");
    }
  }

  private Path path(String key) {
    String text = blankToNull(string(values, key, key, null));
    if (text == null) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      error(key, "is not a valid path");
      return null;
    }
  }

  /**
   * Files must be readable at start. {@code check} may run outside the container the connector
   * runs in ({@code /app/...}), so there a missing file is only a warning.
   */
  private void checkReadable(String key, Path file) {
    if (file == null || Files.isRegularFile(file) && Files.isReadable(file)) {
      return;
    }
    String why = Files.exists(file) ? "is not a readable file" : "does not exist";
    if (purpose == ConnectorConfigLoader.Purpose.CHECK) {
      warning(key, file + " " + why + " here (it must be readable where the connector starts)");
    } else {
      error(key, file + " " + why);
    }
  }

  // ---- typed values (null: absent or JSON null → the default; a wrong type is an error) ----

  private String string(JsonObject object, String field, String key, String fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String text) {
      return text;
    }
    error(key, "must be a string, got " + Coerce.describe(value));
    return null;
  }

  private String requiredString(JsonObject object, String field, String key) {
    Object value = object.getValue(field);
    if (value == null || value instanceof String text && text.isBlank()) {
      error(key, "is required");
      return null;
    }
    return string(object, field, key, null);
  }

  private Double number(JsonObject object, String field, String key, double fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      try {
        double parsed = Double.parseDouble(text.trim());
        if (Double.isFinite(parsed)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    error(key, "must be a number, got " + show(value));
    return null;
  }

  private Double positive(JsonObject object, String field, String key, double fallback) {
    Double value = number(object, field, key, fallback);
    if (value != null && value <= 0) {
      error(key, "must be greater than 0");
      return null;
    }
    return value;
  }

  private Double atLeast(JsonObject object, String field, String key, double fallback, double minimum) {
    Double value = number(object, field, key, fallback);
    if (value != null && value < minimum) {
      error(key, "must be at least " + (minimum == Math.rint(minimum) ? String.valueOf((long) minimum) : minimum));
      return null;
    }
    return value;
  }

  private Integer integer(JsonObject object, String field, String key, int fallback, int minimum) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    Long parsed = null;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      parsed = number.longValue();
    } else if (value instanceof String text) {
      try {
        parsed = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (parsed == null) {
      error(key, "must be an integer, got " + show(value));
      return null;
    }
    if (parsed < minimum) {
      error(key, "must be at least " + minimum);
      return null;
    }
    return (int) Math.min(parsed, Integer.MAX_VALUE);
  }

  private Boolean bool(JsonObject object, String field, String key, boolean fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text && (text.trim().equalsIgnoreCase("true") || text.trim().equalsIgnoreCase("false"))) {
      return text.trim().equalsIgnoreCase("true");
    }
    error(key, "must be true or false, got " + show(value));
    return null;
  }

  // ---- problems --------------------------------------------------------------------------

  private void error(String key, String message) {
    if (key != null && silenced.stream().anyMatch(failed -> within(key, failed))) {
      return;
    }
    problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, key == null ? null : label(key),
        message));
  }

  private void warning(String key, String message) {
    problems.add(new ConfigProblem(ConfigProblem.Severity.WARNING, source, null, null,
        key == null ? null : label(key), message));
  }

  /** {@code reconnect_delay (from CONNECTOR_RECONNECT_DELAY)} when a variable or flag set it. */
  private String label(String key) {
    for (String candidate = key; candidate != null; candidate = parent(candidate)) {
      String origin = origins.get(candidate);
      if (origin != null) {
        return key + " (from " + origin + ")";
      }
    }
    return key;
  }

  private static String parent(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 ? null : key.substring(0, dot);
  }

  private static boolean within(String key, String prefix) {
    return key.equals(prefix) || key.startsWith(prefix + ".") || key.startsWith(prefix + "[");
  }

  private static boolean hasSchemeAndHost(String url, List<String> schemes) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
        return false;
      }
      if (uri.getHost() != null) {
        return !uri.getHost().isEmpty();
      }
      // java.net.URI has no host for names with '_' (Docker service names): read the authority
      String authority = uri.getRawAuthority();
      if (authority == null) {
        return false;
      }
      String host = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":[0-9]*$", "");
      return !host.isEmpty() && HOST_NAME.matcher(host).matches();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String show(Object value) {
    return value instanceof String text ? "'" + shorten(text) + "'" : Coerce.describe(value);
  }

  private static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }

  private static String text(Path path) {
    return path == null ? null : path.toString();
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }

  static String joinKey(List<String> parts) {
    StringBuilder key = new StringBuilder();
    for (String part : parts) {
      if (!part.startsWith("[") && key.length() > 0) {
        key.append('.');
      }
      key.append(part);
    }
    return key.toString();
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
