package io.cwm.connector.config;

import io.cwm.config.etcd.EtcdSettings;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.Substitution;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Target;
import io.cwm.connector.http.HttpDeliverer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one connector (spec §8.1–§8.4): layers its values ({@link ConnectorLayers}), reports
 * {@code {$VAR}}s that could not be substituted, then reads and checks every top-level field and
 * the delivery mode, the targets through {@link TargetReader}. Every problem is collected; the
 * config is only built when there is no error.
 */
final class ConnectorReader {
  /** Every top-level key of connector.json this build knows (the spec's plus this build's extensions). */
  static final Set<String> KNOWN_KEYS = Set.of("cloud_url", "channel", "token", "protocol", "reconnect_delay",
      "max_reconnect_delay", "reconnect_backoff_multiplier", "heartbeat_timeout", "connection_timeout",
      "max_concurrent_requests", "ack_timeout", "default_target", "targets", "webhooks_config",
      "connections_config", "connector_id", "verify_ssl", "ca_cert_path", "client_cert_path", "client_key_path",
      "log_level", "log_format", "etcd_host", "etcd_port", "etcd_prefix", "namespace",
      "max_refused_attempts", "allow_private_targets", "shutdown_grace_seconds", "max_message_bytes");

  private static final Pattern CHANNEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*$");
  private static final List<String> PROTOCOLS =
      List.of(ConnectorConfig.WEBSOCKET, ConnectorConfig.SSE, ConnectorConfig.LONG_POLL);
  private static final List<String> LOG_LEVELS = List.of("DEBUG", "INFO", "WARNING", "ERROR");

  private final String source;
  private final ConnectorConfigLoader.Purpose purpose;
  private final ConnectorLayers layers;
  private final JsonObject values;
  private final FieldReader fields;
  private final TargetReader targetReader;
  /** Where this connector's problems start in the shared list. */
  private final int start;

  private ConnectorReader(String source, ConnectorConfigLoader.Purpose purpose, ConnectorLayers layers,
      List<ConfigProblem> problems) {
    this.source = source;
    this.purpose = purpose;
    this.layers = layers;
    this.values = layers.values();
    this.fields = new FieldReader(source, problems, layers::label);
    this.targetReader = new TargetReader(fields);
    this.start = fields.mark();
  }

  /**
   * Layers and reads one connector. {@code fromFile} is one connector object of a file (null when
   * there is no file: environment and flags only). Problems go to {@code sink}; returns null when
   * any of them is an error.
   */
  static ConnectorConfig read(String source, JsonObject fromFile, Env env, ConnectorFlags flags,
      ConnectorConfigLoader.Purpose purpose, List<ConfigProblem> sink) {
    List<Substitution.Problem> unresolved = new ArrayList<>();
    JsonObject substituted = fromFile == null ? new JsonObject() : Substitution.apply(fromFile, env, unresolved);
    ConnectorReader reader = new ConnectorReader(source, purpose, ConnectorLayers.of(substituted, env, flags), sink);
    reader.layers.warnings().forEach(message -> reader.fields.warning(null, message));
    reader.reportSubstitution(unresolved);
    return reader.build();
  }

  /**
   * An unset variable in a value that a variable or flag replaced, or in a value that is never
   * used (unknown keys, log_format), does not matter.
   */
  private void reportSubstitution(List<Substitution.Problem> unresolved) {
    for (Substitution.Problem problem : unresolved) {
      String key = ConfigProblem.keyPath(problem.path());
      String field = problem.path().isEmpty() ? "" : problem.path().get(0);
      if (!KNOWN_KEYS.contains(field) || field.equals("log_format") || layers.replaced(key)) {
        continue;
      }
      fields.unresolved(key, problem.message());
    }
  }

  // ---- reading ---------------------------------------------------------------------------

  private ConnectorConfig build() {
    for (String key : values.fieldNames()) {
      if (!KNOWN_KEYS.contains(key) && !key.startsWith("_")) {
        fields.warning(key, "unknown key, ignored");
      }
    }
    String cloudUrl = cloudUrl();
    String channel = fields.requiredString(values, "channel", "channel");
    if (channel != null && (!CHANNEL.matcher(channel).matches() || channel.contains(".."))) {
      fields.error("channel", "must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ and not contain '..'");
    }
    String token = fields.requiredString(values, "token", "token");
    String protocol = fields.string(values, "protocol", "protocol", ConnectorConfig.WEBSOCKET);
    if (protocol != null && !PROTOCOLS.contains(protocol)) {
      fields.error("protocol", "must be websocket, sse or long_poll, got '" + FieldReader.shorten(protocol) + "'");
    }
    Double reconnectDelay = fields.positive(values, "reconnect_delay", "reconnect_delay", 1.0);
    Double maxReconnectDelay = fields.positive(values, "max_reconnect_delay", "max_reconnect_delay", 60.0);
    if (maxReconnectDelay != null && reconnectDelay != null && maxReconnectDelay < reconnectDelay) {
      fields.error("max_reconnect_delay", "must be at least reconnect_delay (" + reconnectDelay + ")");
    }
    Double backoff =
        fields.atLeast(values, "reconnect_backoff_multiplier", "reconnect_backoff_multiplier", 2.0, 1.0);
    Double heartbeatTimeout = fields.positive(values, "heartbeat_timeout", "heartbeat_timeout", 60.0);
    Double connectionTimeout = fields.positive(values, "connection_timeout", "connection_timeout", 30.0);
    Integer maxConcurrent = fields.integer(values, "max_concurrent_requests", "max_concurrent_requests", 10, 1);
    Double ackTimeout = fields.positive(values, "ack_timeout", "ack_timeout", 30.0);
    String connectorId = blankToNull(fields.string(values, "connector_id", "connector_id", null));
    if (connectorId != null && connectorId.chars().anyMatch(Character::isISOControl)) {
      fields.error("connector_id", "must not contain control characters (it is sent as a header)");
    }
    Boolean verifySsl = fields.bool(values, "verify_ssl", "verify_ssl", true);
    String logLevel = logLevel();
    String etcdPrefix = fields.string(values, "etcd_prefix", "etcd_prefix", "/cwm/");
    String namespace = blankToNull(fields.string(values, "namespace", "namespace", null));
    Integer etcdPort = fields.integer(values, "etcd_port", "etcd_port", 2379, 1);
    if (etcdPort != null && etcdPort > 65535) {
      fields.error("etcd_port", "must be from 1 to 65535");
    }
    EtcdSettings etcd = etcd(etcdPrefix, namespace, etcdPort);
    // 0: never give up (a receiver may refuse until the channel's first webhook)
    Integer maxRefused = fields.integer(values, "max_refused_attempts", "max_refused_attempts", 0, 0);
    Boolean allowPrivate = fields.bool(values, "allow_private_targets", "allow_private_targets", true);
    Double grace = fields.positive(values, "shutdown_grace_seconds", "shutdown_grace_seconds", 30.0);
    Integer maxMessageBytes = fields.integer(values, "max_message_bytes", "max_message_bytes",
        ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES, ConnectorConfig.MIN_MAX_MESSAGE_BYTES);

    Target defaultTarget = values.getValue("default_target") == null ? null
        : targetReader.target(values.getValue("default_target"), "default_target");
    Map<String, Target> targets = targetReader.targets(values.getValue("targets"));
    Path webhooksConfig = path("webhooks_config");
    Path connectionsConfig = path("connections_config");
    Path caCert = path("ca_cert_path");
    Path clientCert = path("client_cert_path");
    Path clientKey = path("client_key_path");
    deliveryMode(webhooksConfig);
    checkReadable("webhooks_config", webhooksConfig);
    if (connectionsConfig != null && webhooksConfig == null) {
      fields.warning("connections_config", "is ignored: it is only used in module mode (webhooks_config)");
    } else {
      checkReadable("connections_config", connectionsConfig);
    }
    checkReadable("ca_cert_path", caCert);
    checkReadable("client_cert_path", clientCert);
    checkReadable("client_key_path", clientKey);
    if (clientKey != null && clientCert == null) {
      fields.warning("client_key_path", "is ignored without client_cert_path");
    }
    // literal addresses the SSRF rule forbids are refused now, not at the first delivery
    boolean allowPrivateTargets = allowPrivate == null || allowPrivate;
    boolean clean = !fields.errorsSince(start);
    if (clean && defaultTarget != null) {
      HttpDeliverer.checkTargetUrl(defaultTarget.url(), allowPrivateTargets)
          .forEach(message -> fields.error("default_target", "url: " + message));
    }
    (clean ? targets : Map.<String, Target>of()).forEach((webhookId, target) ->
        HttpDeliverer.checkTargetUrl(target.url(), allowPrivateTargets)
            .forEach(message -> fields.error("targets", webhookId + ".url: " + message)));
    if (fields.errorsSince(start)) {
      return null;
    }
    return new ConnectorConfig(source, cloudUrl, channel, token, protocol, reconnectDelay, maxReconnectDelay,
        backoff, heartbeatTimeout, connectionTimeout, maxConcurrent, ackTimeout, connectorId, defaultTarget,
        targets, webhooksConfig, connectionsConfig, verifySsl, text(caCert), text(clientCert), text(clientKey),
        logLevel, maxRefused, allowPrivate, grace, maxMessageBytes, etcd);
  }

  /** Etcd mode's settings (spec §8.14) when {@code etcd_host} is set, else null; wrong values are errors. */
  private EtcdSettings etcd(String prefix, String namespace, Integer port) {
    String host = values.getValue("etcd_host") instanceof String text ? text.trim() : null;
    if (host == null || host.isEmpty()) {
      return null;
    }
    boolean ok = true;
    if (!host.matches("[A-Za-z0-9._:\\[\\]-]+")) {
      fields.error("etcd_host", "must be a host name or an IP address");
      ok = false;
    }
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")) {
      fields.error("etcd_prefix", "must start and end with '/'");
      ok = false;
    }
    String effective = namespace == null ? EtcdSettings.DEFAULT_NAMESPACE : namespace;
    if (!EtcdSettings.validNamespace(effective)) {
      fields.error("namespace", "must be 1 to 64 of A-Z a-z 0-9 _ -");
      ok = false;
    }
    return ok && port != null ? new EtcdSettings(host, port, prefix, effective, null, null) : null;
  }

  private String cloudUrl() {
    String text = fields.requiredString(values, "cloud_url", "cloud_url");
    if (text == null) {
      return null;
    }
    String trimmed = text.replaceAll("/+$", "");
    if (!FieldReader.hasSchemeAndHost(trimmed, List.of("http", "https", "ws", "wss"))) {
      fields.error("cloud_url", "must be an http://, https://, ws:// or wss:// URL with a host");
      return null;
    }
    URI uri = URI.create(trimmed);
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      fields.error("cloud_url", "must not have a query or a fragment (it is the base of the stream URLs)");
    }
    return trimmed;
  }

  private String logLevel() {
    String level = fields.string(values, "log_level", "log_level", "INFO");
    if (level == null) {
      return null;
    }
    String upper = level.trim().toUpperCase(Locale.ROOT);
    if (upper.equals("WARN")) {
      upper = "WARNING";
    }
    if (!LOG_LEVELS.contains(upper)) {
      fields.error("log_level", "must be DEBUG, INFO, WARNING or ERROR, got '" + FieldReader.shorten(level) + "'");
      return null;
    }
    return upper;
  }

  /** Exactly one of HTTP, module and etcd mode (spec §8.3). */
  private void deliveryMode(Path webhooksConfig) {
    List<String> http = new ArrayList<>();
    if (values.getValue("default_target") != null) {
      http.add(layers.label("default_target"));
    }
    if (values.getValue("targets") instanceof JsonObject targets && !targets.isEmpty()) {
      http.add(layers.label("targets"));
    }
    List<String> found = new ArrayList<>();
    if (!http.isEmpty()) {
      found.add(String.join(", ", http) + " (HTTP mode)");
    }
    if (webhooksConfig != null) {
      found.add(layers.label("webhooks_config") + " (module mode)");
    }
    boolean etcd = values.getValue("etcd_host") instanceof String host && !host.isBlank();
    if (etcd) {
      found.add(layers.label("etcd_host") + " (etcd mode)");
    }
    if (found.isEmpty()) {
      fields.error(null,
          "no delivery mode: set default_target or targets (HTTP mode), webhooks_config (module mode) or etcd_host "
              + "(etcd mode)");
    } else if (found.size() > 1) {
      fields.error(null, "more than one delivery mode: " + String.join("; ", found) + "; set exactly one");
    }
  }

  private Path path(String key) {
    String text = blankToNull(fields.string(values, key, key, null));
    if (text == null) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      fields.error(key, "is not a valid path");
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
      fields.warning(key, file + " " + why + " here (it must be readable where the connector starts)");
    } else {
      fields.error(key, file + " " + why);
    }
  }

  private static String text(Path path) {
    return path == null ? null : path.toString();
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }
}
