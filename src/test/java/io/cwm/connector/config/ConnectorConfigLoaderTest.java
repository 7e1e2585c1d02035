package io.cwm.connector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Target;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectorConfigLoaderTest {
  static final String MINIMAL = """
      {"cloud_url": "https://cloud.example.com/", "channel": "orders", "token": "secret",
       "default_target": {"url": "http://localhost:9000/hook"}}""";
  static final ConnectorFlags NO_FLAGS = ConnectorFlags.NONE;
  static final Env NO_ENV = Env.of(Map.of());

  @TempDir
  Path dir;

  private Path file(String name, String json) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, json);
    return file;
  }

  private Path minimalWith(String patchJson) throws IOException {
    JsonObject merged = new JsonObject(MINIMAL).mergeIn(new JsonObject(patchJson));
    return file("connector.json", merged.encode());
  }

  private static ConnectorConfigLoader.Result load(Env env, ConnectorFlags flags, Path... files) {
    return ConnectorConfigLoader.load(List.of(files), flags, env, ConnectorConfigLoader.Purpose.START);
  }

  private static ConnectorConfig one(ConnectorConfigLoader.Result result) {
    assertTrue(result.ok(), () -> "errors: " + result.errors());
    assertEquals(1, result.connectors().size());
    return result.connectors().get(0);
  }

  /** "key: message" of every error. */
  private static List<String> errors(ConnectorConfigLoader.Result result) {
    return result.errors().stream().map(ConnectorConfigLoaderTest::keyAndMessage).toList();
  }

  private static List<String> warnings(ConnectorConfigLoader.Result result) {
    return result.problems().stream().filter(problem -> !problem.isError())
        .map(ConnectorConfigLoaderTest::keyAndMessage).toList();
  }

  private static String keyAndMessage(ConfigProblem problem) {
    return (problem.key() == null ? "" : problem.key() + ": ") + problem.message();
  }

  private static Env env(String... pairs) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    return Env.of(values);
  }

  private static ConnectorFlags flags(String cloudUrl, String channel, String token, String targetUrl,
      String protocol, String logLevel) {
    return new ConnectorFlags(cloudUrl, channel, token, targetUrl, protocol, logLevel, null, false, null, null);
  }

  // ---- defaults and fields -------------------------------------------------------------------

  @Test
  void omittedFieldsTakeTheirDefaults() throws IOException {
    Path file = file("connector.json", MINIMAL);
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, file));
    assertEquals(file.toString(), config.source());
    assertEquals("https://cloud.example.com", config.cloudUrl());
    assertEquals("websocket", config.protocol());
    assertEquals(1.0, config.reconnectDelay());
    assertEquals(60.0, config.maxReconnectDelay());
    assertEquals(2.0, config.reconnectBackoffMultiplier());
    assertEquals(60.0, config.heartbeatTimeout());
    assertEquals(30.0, config.connectionTimeout());
    assertEquals(10, config.maxConcurrentRequests());
    assertEquals(30.0, config.ackTimeout());
    assertNull(config.connectorId());
    assertTrue(config.targets().isEmpty());
    assertNull(config.webhooksConfig());
    assertNull(config.connectionsConfig());
    assertTrue(config.verifySsl());
    assertNull(config.caCertPath());
    assertNull(config.clientCertPath());
    assertNull(config.clientKeyPath());
    assertEquals("INFO", config.logLevel());
    assertEquals(0, config.maxRefusedAttempts(), "never gives up unless asked to");
    assertTrue(config.allowPrivateTargets());
    assertEquals(30.0, config.shutdownGraceSeconds());
    assertEquals(64 * 1024 * 1024, config.maxMessageBytes(), "64 MiB");
    assertEquals(new Target("http://localhost:9000/hook", "POST", Map.of(), 30.0, true, 3, 1.0, 2.0),
        config.defaultTarget());
    assertTrue(config.httpMode());
  }

  @Test
  void everyFieldOfTheFileIsRead() throws IOException {
    Path ca = file("ca.pem", "x");
    Path cert = file("client.pem", "x");
    Path key = file("client.key", "x");
    Path file = file("connector.json", """
        {"cloud_url": "wss://cloud.example.com/base//", "channel": "a.b_c-1", "token": "t", "protocol": "long_poll",
         "reconnect_delay": 2.5, "max_reconnect_delay": 30, "reconnect_backoff_multiplier": 1.5,
         "heartbeat_timeout": 20, "connection_timeout": 5, "max_concurrent_requests": 4, "ack_timeout": 9,
         "connector_id": "edge-1", "verify_ssl": false, "ca_cert_path": "%s", "client_cert_path": "%s",
         "client_key_path": "%s", "log_level": "DEBUG", "log_format": "%%(message)s",
         "max_refused_attempts": 5, "allow_private_targets": false, "shutdown_grace_seconds": 5.5,
         "max_message_bytes": 65536,
         "default_target": {"url": "https://local.example/hook", "method": "put",
           "headers": {"Content-Type": "application/json", "X-Api-Key": "k"}, "timeout_seconds": 3,
           "retry_enabled": false, "retry_max_attempts": 5, "retry_delay_seconds": 0.5,
           "retry_backoff_multiplier": 3},
         "targets": {"stripe": {"url": "http://stripe-handler:8080/in"}}}""".formatted(ca, cert, key));
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, file));
    assertEquals("wss://cloud.example.com/base", config.cloudUrl());
    assertEquals("a.b_c-1", config.channel());
    assertEquals("long_poll", config.protocol());
    assertEquals(2.5, config.reconnectDelay());
    assertEquals(30.0, config.maxReconnectDelay());
    assertEquals(1.5, config.reconnectBackoffMultiplier());
    assertEquals(20.0, config.heartbeatTimeout());
    assertEquals(5.0, config.connectionTimeout());
    assertEquals(4, config.maxConcurrentRequests());
    assertEquals(9.0, config.ackTimeout());
    assertEquals("edge-1", config.connectorId());
    assertFalse(config.verifySsl());
    assertEquals(ca.toString(), config.caCertPath());
    assertEquals(cert.toString(), config.clientCertPath());
    assertEquals(key.toString(), config.clientKeyPath());
    assertEquals("DEBUG", config.logLevel());
    assertEquals(5, config.maxRefusedAttempts());
    assertFalse(config.allowPrivateTargets());
    assertEquals(5.5, config.shutdownGraceSeconds());
    assertEquals(65536, config.maxMessageBytes());
    Target target = config.defaultTarget();
    assertEquals(new Target("https://local.example/hook", "PUT", target.headers(), 3.0, false, 5, 0.5, 3.0), target);
    assertEquals(List.of("Content-Type", "X-Api-Key"), List.copyOf(target.headers().keySet()));
    assertEquals("http://stripe-handler:8080/in", config.targetFor("stripe").url());
    assertEquals("https://local.example/hook", config.targetFor("github").url());
  }

  @Test
  void nullMeansTheDefault() throws IOException {
    Path file = minimalWith("""
        {"protocol": null, "reconnect_delay": null, "max_reconnect_delay": null,
         "reconnect_backoff_multiplier": null, "heartbeat_timeout": null, "connection_timeout": null,
         "max_concurrent_requests": null, "ack_timeout": null, "connector_id": null, "verify_ssl": null,
         "ca_cert_path": null, "client_cert_path": null, "client_key_path": null, "log_level": null,
         "log_format": null, "etcd_host": null, "etcd_port": null, "etcd_prefix": null, "namespace": null,
         "webhooks_config": null, "connections_config": null, "targets": null,
         "max_refused_attempts": null, "allow_private_targets": null, "shutdown_grace_seconds": null,
         "max_message_bytes": null}""");
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, file));
    assertEquals("websocket", config.protocol());
    assertEquals(1.0, config.reconnectDelay());
    assertEquals(10, config.maxConcurrentRequests());
    assertTrue(config.verifySsl());
    assertEquals("INFO", config.logLevel());
    assertTrue(config.targets().isEmpty());
    assertEquals(30.0, config.shutdownGraceSeconds());
    assertEquals(0, config.maxRefusedAttempts());
    assertEquals(ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES, config.maxMessageBytes());
  }

  @Test
  void nullInsideATargetMeansTheDefault() throws IOException {
    Path file = minimalWith("""
        {"default_target": {"url": "http://localhost:9000/x", "method": null, "headers": null,
         "timeout_seconds": null, "retry_enabled": null, "retry_max_attempts": null,
         "retry_delay_seconds": null, "retry_backoff_multiplier": null}}""");
    assertEquals(new Target("http://localhost:9000/x", "POST", Map.of(), 30.0, true, 3, 1.0, 2.0),
        one(load(NO_ENV, NO_FLAGS, file)).defaultTarget());
  }

  @Test
  void integersAreAcceptedForNumbersAndNumericStringsForEveryType() throws IOException {
    Path file = minimalWith("""
        {"reconnect_delay": 5, "heartbeat_timeout": "45.5", "max_concurrent_requests": "7",
         "verify_ssl": "FALSE"}""");
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, file));
    assertEquals(5.0, config.reconnectDelay());
    assertEquals(45.5, config.heartbeatTimeout());
    assertEquals(7, config.maxConcurrentRequests());
    assertFalse(config.verifySsl());
  }

  @Test
  void unknownTopLevelKeysAreIgnoredWithAWarning() throws IOException {
    Path file = minimalWith("{\"max_concurrent\": 10, \"retry_attempts\": 3, \"retry_delay\": 1.0, \"_comment\": \"x\"}");
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, file);
    one(result);
    assertEquals(List.of("max_concurrent: unknown key, ignored", "retry_attempts: unknown key, ignored",
        "retry_delay: unknown key, ignored"), warnings(result));
  }

  @Test
  void aPrivateTargetIsRefusedAtStartWhenTheSsrfRuleForbidsIt() throws IOException {
    ConnectorConfigLoader.Result refused = load(NO_ENV, NO_FLAGS, minimalWith(
        "{\"allow_private_targets\": false, \"default_target\": {\"url\": \"http://10.0.0.5:8080/hook\"}}"));
    assertFalse(refused.ok());
    assertTrue(errors(refused).stream().anyMatch(e -> e.startsWith("default_target") && e.contains("private")),
        errors(refused)::toString);
    // the usual connector target (a local service) is fine by default
    one(load(NO_ENV, NO_FLAGS, minimalWith("{\"default_target\": {\"url\": \"http://10.0.0.5:8080/hook\"}}")));
    // a metadata address never is
    ConnectorConfigLoader.Result metadata = load(NO_ENV, NO_FLAGS, minimalWith(
        "{\"targets\": {\"x\": {\"url\": \"http://169.254.169.254/latest/\"}}}"));
    assertFalse(metadata.ok());
  }

  @Test
  void logFormatIsAcceptedAndIgnored() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS,
        minimalWith("{\"log_format\": \"%(asctime)s %(message)s\"}"));
    one(result);
    assertTrue(result.problems().isEmpty(), result.problems()::toString);
  }

  @Test
  void logLevelAcceptsWarnAndAnyCase() throws IOException {
    assertEquals("WARNING", one(load(NO_ENV, NO_FLAGS, minimalWith("{\"log_level\": \"warn\"}"))).logLevel());
    assertEquals("DEBUG", one(load(NO_ENV, NO_FLAGS, minimalWith("{\"log_level\": \"debug\"}"))).logLevel());
  }

  @Test
  void hostNamesWithUnderscoresAreAccepted() throws IOException {
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, minimalWith("""
        {"cloud_url": "http://cloud_receiver:8000", "default_target": {"url": "http://local_processor:8000/x"}}""")));
    assertEquals("http://cloud_receiver:8000", config.cloudUrl());
  }

  // ---- targets ---------------------------------------------------------------------------------

  @Test
  void anUnknownKeyInATargetIsRefusedNamingIt() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith("""
        {"default_target": {"url": "http://localhost:1/x", "retries": 3},
         "targets": {"stripe": {"url": "http://localhost:1/y", "verify": false}}}"""));
    assertEquals(List.of(
        "default_target.retries: unknown key 'retries' in a target (known: url, method, headers, timeout_seconds, "
            + "retry_enabled, retry_max_attempts, retry_delay_seconds, retry_backoff_multiplier, filters, sign, circuit_breaker)",
        "targets.stripe.verify: unknown key 'verify' in a target (known: url, method, headers, timeout_seconds, "
            + "retry_enabled, retry_max_attempts, retry_delay_seconds, retry_backoff_multiplier, filters, sign, circuit_breaker)"),
        errors(result));
    assertTrue(result.connectors().isEmpty());
  }

  @Test
  void aTargetWithoutUrlIsRefused() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith("""
        {"default_target": {"method": "POST"}, "targets": {"a": {"url": ""}}}"""));
    assertEquals(List.of("default_target.url: is required", "targets.a.url: is required"), errors(result));
  }

  @Test
  void targetsAloneSelectHttpMode() throws IOException {
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, minimalWith("""
        {"default_target": null, "targets": {"a": {"url": "http://localhost:1/a"}}}""")));
    assertTrue(config.httpMode());
    assertNull(config.defaultTarget());
    assertNull(config.targetFor("b"));
  }

  // ---- type errors -----------------------------------------------------------------------------

  @Test
  void wrongTypesAreRefusedNamingTheField() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith("""
        {"token": 5, "reconnect_delay": "soon", "max_concurrent_requests": 2.5, "verify_ssl": "yes",
         "connector_id": ["a"], "etcd_port": true, "allow_private_targets": 1,
         "targets": {"a": {"url": "http://localhost:1/a", "headers": {"X-N": 5}, "retry_enabled": "no"},
                     "b": "http://localhost:1/b"}}"""));
    assertEquals(List.of(
        "token: must be a string, got a number",
        "reconnect_delay: must be a number, got 'soon'",
        "max_concurrent_requests: must be an integer, got a number",
        "connector_id: must be a string, got a list",
        "verify_ssl: must be true or false, got 'yes'",
        "etcd_port: must be an integer, got a boolean",
        "allow_private_targets: must be true or false, got a number",
        "targets.a.headers.X-N: must be a string, got a number",
        "targets.a.retry_enabled: must be true or false, got 'no'",
        "targets.b: must be an object, got a string"), errors(result));
  }

  @Test
  void targetsAndDefaultTargetMustBeObjects() throws IOException {
    assertEquals(List.of("default_target: must be an object, got a string",
            "targets: must be an object of webhook ids to targets, got a list"),
        errors(load(NO_ENV, NO_FLAGS, minimalWith("{\"default_target\": \"http://x\", \"targets\": []}"))));
  }

  // ---- validation ------------------------------------------------------------------------------

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("{\"cloud_url\": null}", "cloud_url: is required"),
        Arguments.of("{\"channel\": \"\"}", "channel: is required"),
        Arguments.of("{\"token\": \" \"}", "token: is required"),
        Arguments.of("{\"channel\": \"bad channel\"}",
            "channel: must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ and not contain '..'"),
        Arguments.of("{\"channel\": \".hidden\"}",
            "channel: must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ and not contain '..'"),
        Arguments.of("{\"channel\": \"a..b\"}",
            "channel: must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ and not contain '..'"),
        Arguments.of("{\"protocol\": \"grpc\"}", "protocol: must be websocket, sse or long_poll, got 'grpc'"),
        Arguments.of("{\"cloud_url\": \"ftp://cloud.example.com\"}",
            "cloud_url: must be an http://, https://, ws:// or wss:// URL with a host"),
        Arguments.of("{\"cloud_url\": \"cloud-receiver:8000\"}",
            "cloud_url: must be an http://, https://, ws:// or wss:// URL with a host"),
        Arguments.of("{\"cloud_url\": \"https:///path\"}",
            "cloud_url: must be an http://, https://, ws:// or wss:// URL with a host"),
        Arguments.of("{\"cloud_url\": \"https://cloud.example.com/?a=b\"}",
            "cloud_url: must not have a query or a fragment (it is the base of the stream URLs)"),
        Arguments.of("{\"reconnect_delay\": 0}", "reconnect_delay: must be greater than 0"),
        Arguments.of("{\"reconnect_delay\": 10, \"max_reconnect_delay\": 5}",
            "max_reconnect_delay: must be at least reconnect_delay (10.0)"),
        Arguments.of("{\"reconnect_backoff_multiplier\": 0.5}", "reconnect_backoff_multiplier: must be at least 1"),
        Arguments.of("{\"heartbeat_timeout\": 0}", "heartbeat_timeout: must be greater than 0"),
        Arguments.of("{\"connection_timeout\": -1}", "connection_timeout: must be greater than 0"),
        Arguments.of("{\"ack_timeout\": 0}", "ack_timeout: must be greater than 0"),
        Arguments.of("{\"max_concurrent_requests\": 0}", "max_concurrent_requests: must be at least 1"),
        Arguments.of("{\"log_level\": \"TRACE\"}", "log_level: must be DEBUG, INFO, WARNING or ERROR, got 'TRACE'"),
        Arguments.of("{\"connector_id\": \"a\\r\\nX-Evil: 1\"}",
            "connector_id: must not contain control characters (it is sent as a header)"),
        Arguments.of("{\"etcd_port\": 70000}", "etcd_port: must be from 1 to 65535"),
        Arguments.of("{\"max_refused_attempts\": -1}", "max_refused_attempts: must be at least 0"),
        Arguments.of("{\"shutdown_grace_seconds\": 0}", "shutdown_grace_seconds: must be greater than 0"),
        Arguments.of("{\"max_message_bytes\": 1023}", "max_message_bytes: must be at least 1024"),
        Arguments.of("{\"max_message_bytes\": 0}", "max_message_bytes: must be at least 1024"),
        Arguments.of("{\"max_message_bytes\": \"20MiB\"}", "max_message_bytes: must be an integer, got '20MiB'"),
        Arguments.of("{\"max_message_bytes\": 4096.5}", "max_message_bytes: must be an integer, got a number"),
        Arguments.of("{\"max_message_bytes\": true}", "max_message_bytes: must be an integer, got a boolean"),
        Arguments.of("{\"default_target\": {\"url\": \"ftp://files.example/x\"}}",
            "default_target.url: must be an http:// or https:// URL with a host"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"method\": \"PO ST\"}}",
            "default_target.method: must be an HTTP method name, got 'PO ST'"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"timeout_seconds\": 0}}",
            "default_target.timeout_seconds: must be greater than 0"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"retry_max_attempts\": 0}}",
            "default_target.retry_max_attempts: must be at least 1"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"retry_delay_seconds\": -1}}",
            "default_target.retry_delay_seconds: must be at least 0"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"retry_backoff_multiplier\": 0}}",
            "default_target.retry_backoff_multiplier: must be at least 1"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"headers\": {\"X-A\": \"a\\nb\"}}}",
            "default_target.headers.X-A: must not contain CR or LF"),
        Arguments.of("{\"default_target\": {\"url\": \"http://localhost:1/x\", \"headers\": {\"Bad Name\": \"a\"}}}",
            "default_target.headers.Bad Name: is not a valid header name"),
        Arguments.of("{\"targets\": {\"\": {\"url\": \"http://localhost:1/x\"}}}",
            "targets.: the webhook id must not be empty"));
  }

  @ParameterizedTest
  @MethodSource("invalidValues")
  void invalidValuesAreRefusedWithAMessageNamingTheField(String patch, String expected) throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith(patch));
    assertEquals(List.of(expected), errors(result));
    assertTrue(result.connectors().isEmpty());
  }

  @Test
  void everyProblemIsReportedNotOnlyTheFirst() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, file("c.json", "{\"protocol\": \"x\"}"));
    assertEquals(List.of("cloud_url: is required", "channel: is required", "token: is required",
        "protocol: must be websocket, sse or long_poll, got 'x'",
        "no delivery mode: set default_target or targets (HTTP mode), webhooks_config (module mode) or etcd_host "
            + "(etcd mode)"),
        errors(result));
  }

  // ---- delivery modes --------------------------------------------------------------------------

  @Test
  void noDeliveryModeIsRefused() throws IOException {
    assertEquals(List.of("no delivery mode: set default_target or targets (HTTP mode), webhooks_config (module mode) "
        + "or etcd_host (etcd mode)"),
        errors(load(NO_ENV, NO_FLAGS, minimalWith("{\"default_target\": null, \"targets\": {}, \"webhooks_config\": \"\"}"))));
  }

  @Test
  void twoDeliveryModesAreRefusedNamingTheFieldsFound() throws IOException {
    Path webhooks = file("module-webhooks.json", "{}");
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith("""
        {"targets": {"a": {"url": "http://localhost:1/a"}}, "webhooks_config": "%s"}""".formatted(webhooks)));
    assertEquals(List.of("more than one delivery mode: default_target, targets (HTTP mode); webhooks_config "
        + "(module mode); set exactly one"), errors(result));
  }

  @Test
  void aFlagThatAddsASecondModeIsNamedInTheMessage() throws IOException {
    Path webhooks = file("module-webhooks.json", "{}");
    ConnectorFlags flags = new ConnectorFlags(null, null, null, null, null, null, null, false, webhooks.toString(), null);
    assertEquals(List.of("more than one delivery mode: default_target (HTTP mode); webhooks_config (from "
        + "--webhooks-config) (module mode); set exactly one"),
        errors(load(NO_ENV, flags, file("c.json", MINIMAL))));
  }

  @Test
  void moduleModeReadsItsFiles() throws IOException {
    Path webhooks = file("module-webhooks.json", "{}");
    Path connections = file("module-connections.json", "{}");
    ConnectorConfig config = one(load(NO_ENV, NO_FLAGS, minimalWith("""
        {"default_target": null, "webhooks_config": "%s", "connections_config": "%s"}"""
        .formatted(webhooks, connections))));
    assertFalse(config.httpMode());
    assertEquals(webhooks, config.webhooksConfig());
    assertEquals(connections, config.connectionsConfig());
  }

  @Test
  void etcdModeReadsItsSettings() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS,
        minimalWith("{\"default_target\": null, \"etcd_host\": \"etcd\", \"etcd_port\": 2379, "
            + "\"etcd_prefix\": \"/cwm/\", \"namespace\": \"prod\"}"));
    assertEquals(List.of(), errors(result));
    ConnectorConfig config = result.connectors().get(0);
    assertEquals(new io.cwm.config.etcd.EtcdSettings("etcd", 2379, "/cwm/", "prod", null, null), config.etcd());
    assertFalse(config.httpMode());
    assertEquals(List.of("etcd_prefix: must start and end with '/'", "namespace: must be 1 to 64 of A-Z a-z 0-9 _ -"),
        errors(load(NO_ENV, NO_FLAGS, minimalWith("{\"default_target\": null, \"etcd_host\": \"etcd\", "
            + "\"etcd_prefix\": \"cwm\", \"namespace\": \"a b\"}"))));
  }

  @Test
  void etcdWithAnotherModeIsTwoModes() throws IOException {
    assertEquals(List.of("more than one delivery mode: default_target (HTTP mode); etcd_host (etcd mode); "
            + "set exactly one"),
        errors(load(NO_ENV, NO_FLAGS, minimalWith("{\"etcd_host\": \"etcd\"}"))));
  }

  // ---- files referenced by the config ----------------------------------------------------------

  @Test
  void missingTlsAndModuleFilesAreErrorsAtStartAndWarningsInCheck() throws IOException {
    Path file = minimalWith("""
        {"default_target": null, "webhooks_config": "/app/module-webhooks.json",
         "connections_config": "/app/module-connections.json", "ca_cert_path": "/certs/ca.pem",
         "client_cert_path": "/certs/client.pem", "client_key_path": "/certs/client.key"}""");
    ConnectorConfigLoader.Result start = load(NO_ENV, NO_FLAGS, file);
    assertEquals(List.of("webhooks_config: /app/module-webhooks.json does not exist",
        "connections_config: /app/module-connections.json does not exist",
        "ca_cert_path: /certs/ca.pem does not exist", "client_cert_path: /certs/client.pem does not exist",
        "client_key_path: /certs/client.key does not exist"), errors(start));
    ConnectorConfigLoader.Result check = ConnectorConfigLoader.load(List.of(file), NO_FLAGS, NO_ENV,
        ConnectorConfigLoader.Purpose.CHECK);
    assertTrue(check.ok(), check.errors()::toString);
    assertEquals("ca_cert_path: /certs/ca.pem does not exist here (it must be readable where the connector starts)",
        warnings(check).get(2));
    assertEquals(5, warnings(check).size());
  }

  @Test
  void aDirectoryIsNotAReadableFile() throws IOException {
    assertEquals(List.of("ca_cert_path: " + dir + " is not a readable file"),
        errors(load(NO_ENV, NO_FLAGS, minimalWith("{\"ca_cert_path\": \"" + dir + "\"}"))));
  }

  @Test
  void aClientKeyWithoutCertificateIsIgnoredWithAWarning() throws IOException {
    Path key = file("client.key", "x");
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, minimalWith("{\"client_key_path\": \"" + key + "\"}"));
    one(result);
    assertEquals(List.of("client_key_path: is ignored without client_cert_path"), warnings(result));
  }

  @Test
  void connectionsConfigWithoutModuleModeIsIgnoredWithAWarning() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS,
        minimalWith("{\"connections_config\": \"/app/connections.json\"}"));
    one(result);
    assertEquals(List.of("connections_config: is ignored: it is only used in module mode (webhooks_config)"),
        warnings(result));
  }

  // ---- layering --------------------------------------------------------------------------------

  @Test
  void anEnvironmentVariableOverridesTheFile() throws IOException {
    Path file = minimalWith("{\"protocol\": \"websocket\"}");
    assertEquals("sse", one(load(env("CONNECTOR_PROTOCOL", "sse"), NO_FLAGS, file)).protocol());
  }

  @Test
  void aGivenFlagOverridesTheEnvironmentAndTheFile() throws IOException {
    Path file = minimalWith("{\"protocol\": \"websocket\", \"channel\": \"from-file\"}");
    ConnectorConfig config = one(load(env("CONNECTOR_PROTOCOL", "sse", "CONNECTOR_CHANNEL", "from-env"),
        flags(null, "from-flag", null, null, "long_poll", null), file));
    assertEquals("long_poll", config.protocol());
    assertEquals("from-flag", config.channel());
  }

  @Test
  void flagsNotGivenOverrideNothing() throws IOException {
    Path file = minimalWith("{\"protocol\": \"sse\", \"log_level\": \"ERROR\", \"verify_ssl\": false}");
    ConnectorConfig config = one(load(env("CONNECTOR_LOG_LEVEL", "DEBUG"), NO_FLAGS, file));
    assertEquals("sse", config.protocol());
    assertEquals("DEBUG", config.logLevel());
    assertFalse(config.verifySsl());
  }

  @Test
  void emptyEnvironmentValuesAreIgnored() throws IOException {
    Path file = minimalWith("{\"protocol\": \"sse\"}");
    ConnectorConfig config = one(load(env("CONNECTOR_PROTOCOL", "", "CONNECTOR_TOKEN", "  "), NO_FLAGS, file));
    assertEquals("sse", config.protocol());
    assertEquals("secret", config.token());
  }

  @Test
  void emptyFlagsAreIgnored() throws IOException {
    ConnectorConfig config = one(load(NO_ENV, flags("", "", null, null, null, null), minimalWith("{}")));
    assertEquals("orders", config.channel());
  }

  @Test
  void withoutAFileTheEnvironmentAndFlagsAloneMakeTheConnector() {
    ConnectorConfig config = one(ConnectorConfigLoader.load(List.of(), flags(null, null, "flag-token", null, null, null),
        env("CONNECTOR_CLOUD_URL", "http://cloud:8000", "CONNECTOR_CHANNEL", "ch", "CONNECTOR_TOKEN", "env-token",
            "CONNECTOR_TARGET_URL", "http://localhost:3000/in"), ConnectorConfigLoader.Purpose.START));
    assertEquals(ConnectorConfigLoader.ENVIRONMENT, config.source());
    assertEquals("http://cloud:8000", config.cloudUrl());
    assertEquals("flag-token", config.token());
    assertEquals("http://localhost:3000/in", config.defaultTarget().url());
  }

  @Test
  void everyConnectorVariableIsRecognised() throws IOException {
    Path ca = file("ca.pem", "x");
    Path cert = file("client.pem", "x");
    Path key = file("client.key", "x");
    Env env = env("CONNECTOR_CLOUD_URL", "https://env.example.com", "CONNECTOR_CHANNEL", "env-channel",
        "CONNECTOR_TOKEN", "env-token", "CONNECTOR_PROTOCOL", "long_poll", "CONNECTOR_RECONNECT_DELAY", "2.5",
        "CONNECTOR_MAX_RECONNECT_DELAY", "90", "CONNECTOR_HEARTBEAT_TIMEOUT", "45",
        "CONNECTOR_CONNECTION_TIMEOUT", "12", "CONNECTOR_MAX_CONCURRENT_REQUESTS", "4",
        "CONNECTOR_ACK_TIMEOUT", "20", "CONNECTOR_LOG_LEVEL", "ERROR", "CONNECTOR_VERIFY_SSL", "false",
        "CONNECTOR_CA_CERT_PATH", ca.toString(), "CONNECTOR_CLIENT_CERT_PATH", cert.toString(),
        "CONNECTOR_CLIENT_KEY_PATH", key.toString(), "CONNECTOR_ID", "env-connector",
        "CONNECTOR_TARGET_URL", "http://target.local/in", "CONNECTOR_TARGET_METHOD", "PATCH",
        "CONNECTOR_TARGET_TIMEOUT", "7.5");
    ConnectorConfig config = one(load(env, NO_FLAGS, file("c.json", MINIMAL)));
    assertEquals("https://env.example.com", config.cloudUrl());
    assertEquals("env-channel", config.channel());
    assertEquals("env-token", config.token());
    assertEquals("long_poll", config.protocol());
    assertEquals(2.5, config.reconnectDelay());
    assertEquals(90.0, config.maxReconnectDelay());
    assertEquals(45.0, config.heartbeatTimeout());
    assertEquals(12.0, config.connectionTimeout());
    assertEquals(4, config.maxConcurrentRequests());
    assertEquals(20.0, config.ackTimeout());
    assertEquals("ERROR", config.logLevel());
    assertFalse(config.verifySsl());
    assertEquals(ca.toString(), config.caCertPath());
    assertEquals(cert.toString(), config.clientCertPath());
    assertEquals(key.toString(), config.clientKeyPath());
    assertEquals("env-connector", config.connectorId());
    assertEquals(new Target("http://target.local/in", "PATCH", Map.of(), 7.5, true, 3, 1.0, 2.0),
        config.defaultTarget());
  }

  @Test
  void moduleModeVariablesAreRecognised() throws IOException {
    Path webhooks = file("w.json", "{}");
    Path connections = file("cn.json", "{}");
    ConnectorConfig config = one(load(env("CONNECTOR_WEBHOOKS_CONFIG", webhooks.toString(),
        "CONNECTOR_CONNECTIONS_CONFIG", connections.toString()), NO_FLAGS,
        minimalWith("{\"default_target\": null}")));
    assertEquals(webhooks, config.webhooksConfig());
    assertEquals(connections, config.connectionsConfig());
  }

  @Test
  void etcdVariablesAreRecognised() throws IOException {
    ConnectorConfigLoader.Result result = load(env("CONNECTOR_ETCD_HOST", "etcd", "CONNECTOR_ETCD_PORT", "x",
        "CONNECTOR_ETCD_PREFIX", "/p/", "CONNECTOR_NAMESPACE", "ns"), NO_FLAGS, minimalWith("{\"default_target\": null}"));
    assertEquals(List.of("etcd_port (from CONNECTOR_ETCD_PORT): must be an integer, got 'x'"), errors(result));
    ConnectorConfig good = load(env("CONNECTOR_ETCD_HOST", "etcd", "CONNECTOR_ETCD_PORT", "2380",
        "CONNECTOR_ETCD_PREFIX", "/p/", "CONNECTOR_NAMESPACE", "ns"), NO_FLAGS, minimalWith("{\"default_target\": null}"))
        .connectors().get(0);
    assertEquals(new io.cwm.config.etcd.EtcdSettings("etcd", 2380, "/p/", "ns", null, null), good.etcd());
  }

  @Test
  void theVariableTableIsSpecSection84() {
    Set<String> names = new TreeSet<>(ConnectorLayers.VARIABLES.keySet());
    names.addAll(List.of(ConnectorLayers.VERIFY_SSL_VARIABLE, ConnectorLayers.TARGET_URL_VARIABLE,
        ConnectorLayers.TARGET_METHOD_VARIABLE, ConnectorLayers.TARGET_TIMEOUT_VARIABLE));
    assertEquals(new TreeSet<>(List.of("CONNECTOR_CLOUD_URL", "CONNECTOR_CHANNEL", "CONNECTOR_TOKEN",
        "CONNECTOR_PROTOCOL", "CONNECTOR_RECONNECT_DELAY", "CONNECTOR_MAX_RECONNECT_DELAY",
        "CONNECTOR_HEARTBEAT_TIMEOUT", "CONNECTOR_CONNECTION_TIMEOUT", "CONNECTOR_MAX_CONCURRENT_REQUESTS",
        "CONNECTOR_ACK_TIMEOUT", "CONNECTOR_LOG_LEVEL", "CONNECTOR_VERIFY_SSL", "CONNECTOR_CA_CERT_PATH",
        "CONNECTOR_CLIENT_CERT_PATH", "CONNECTOR_CLIENT_KEY_PATH", "CONNECTOR_ID", "CONNECTOR_WEBHOOKS_CONFIG",
        "CONNECTOR_CONNECTIONS_CONFIG", "CONNECTOR_ETCD_HOST", "CONNECTOR_ETCD_PORT", "CONNECTOR_ETCD_PREFIX",
        "CONNECTOR_NAMESPACE", "CONNECTOR_TARGET_URL", "CONNECTOR_TARGET_METHOD", "CONNECTOR_TARGET_TIMEOUT")),
        names);
  }

  @Test
  void theJavaOnlyVariablesAreTheExtensions() {
    assertEquals(Map.of("CONNECTOR_MAX_MESSAGE_BYTES", "max_message_bytes"), ConnectorLayers.EXTENSION_VARIABLES);
  }

  @Test
  void maxMessageBytesFromTheEnvironmentOverridesTheFile() throws IOException {
    Path file = minimalWith("{\"max_message_bytes\": 65536}");
    assertEquals(1024, one(load(env("CONNECTOR_MAX_MESSAGE_BYTES", "1024"), NO_FLAGS, file)).maxMessageBytes());
    assertEquals(65536, one(load(env("CONNECTOR_MAX_MESSAGE_BYTES", ""), NO_FLAGS, file)).maxMessageBytes(),
        "an empty variable changes nothing");
    assertEquals(4194304, one(load(env("CONNECTOR_MAX_MESSAGE_BYTES", " 4194304 "), NO_FLAGS, minimalWith("{}")))
        .maxMessageBytes());
  }

  @Test
  void aBadMaxMessageBytesVariableIsNamed() throws IOException {
    assertEquals(List.of("max_message_bytes (from CONNECTOR_MAX_MESSAGE_BYTES): must be at least 1024"),
        errors(load(env("CONNECTOR_MAX_MESSAGE_BYTES", "512"), NO_FLAGS, minimalWith("{}"))));
    assertEquals(List.of("max_message_bytes (from CONNECTOR_MAX_MESSAGE_BYTES): must be an integer, got '1m'"),
        errors(load(env("CONNECTOR_MAX_MESSAGE_BYTES", "1m"), NO_FLAGS, minimalWith("{}"))));
  }

  @Test
  void verifySslFromTheEnvironmentIsTrueOnlyForTrue() throws IOException {
    Path file = minimalWith("{\"verify_ssl\": false}");
    assertTrue(one(load(env("CONNECTOR_VERIFY_SSL", "TRUE"), NO_FLAGS, file)).verifySsl());
    Path verifying = minimalWith("{\"verify_ssl\": true}");
    assertFalse(one(load(env("CONNECTOR_VERIFY_SSL", "1"), NO_FLAGS, verifying)).verifySsl());
    assertFalse(one(load(env("CONNECTOR_VERIFY_SSL", "yes"), NO_FLAGS, verifying)).verifySsl());
  }

  @Test
  void noVerifySslFlagTurnsVerificationOff() throws IOException {
    ConnectorFlags noVerify = new ConnectorFlags(null, null, null, null, null, null, null, true, null, null);
    assertFalse(one(load(env("CONNECTOR_VERIFY_SSL", "true"), noVerify, minimalWith("{}"))).verifySsl());
  }

  @Test
  void aMalformedNumberInTheEnvironmentNamesTheFieldAndTheVariable() throws IOException {
    assertEquals(List.of("reconnect_delay (from CONNECTOR_RECONNECT_DELAY): must be a number, got 'soon'",
            "max_concurrent_requests (from CONNECTOR_MAX_CONCURRENT_REQUESTS): must be an integer, got '2.5'"),
        errors(load(env("CONNECTOR_RECONNECT_DELAY", "soon", "CONNECTOR_MAX_CONCURRENT_REQUESTS", "2.5"), NO_FLAGS,
            minimalWith("{}"))));
  }

  @Test
  void targetUrlVariableReplacesTheFilesDefaultTarget() throws IOException {
    Path file = minimalWith("""
        {"default_target": {"url": "http://localhost:1/a", "headers": {"Authorization": "Bearer x"}}}""");
    Target target = one(load(env("CONNECTOR_TARGET_URL", "http://other:2/b"), NO_FLAGS, file)).defaultTarget();
    assertEquals(new Target("http://other:2/b", "POST", Map.of(), 30.0, true, 3, 1.0, 2.0), target);
  }

  @Test
  void targetMethodAndTimeoutVariablesAdjustTheFilesDefaultTarget() throws IOException {
    Path file = minimalWith("""
        {"default_target": {"url": "http://localhost:1/a", "headers": {"X-A": "1"}, "method": "POST"}}""");
    Target target = one(load(env("CONNECTOR_TARGET_METHOD", "put", "CONNECTOR_TARGET_TIMEOUT", "5"), NO_FLAGS,
        file)).defaultTarget();
    assertEquals(new Target("http://localhost:1/a", "PUT", Map.of("X-A", "1"), 5.0, true, 3, 1.0, 2.0), target);
  }

  @Test
  void targetMethodWithoutAnyDefaultTargetIsIgnoredWithAWarning() throws IOException {
    ConnectorConfigLoader.Result result = load(env("CONNECTOR_TARGET_METHOD", "PUT"), NO_FLAGS,
        minimalWith("{\"default_target\": null, \"targets\": {\"a\": {\"url\": \"http://localhost:1/a\"}}}"));
    one(result);
    assertEquals(List.of("CONNECTOR_TARGET_METHOD is ignored: there is no default_target (set CONNECTOR_TARGET_URL)"),
        warnings(result));
  }

  @Test
  void aBadTargetTimeoutVariableIsNamed() throws IOException {
    assertEquals(List.of("default_target.timeout_seconds (from CONNECTOR_TARGET_TIMEOUT): must be greater than 0"),
        errors(load(env("CONNECTOR_TARGET_TIMEOUT", "0"), NO_FLAGS, minimalWith("{}"))));
  }

  @Test
  void targetUrlFlagMakesATargetWithEveryOtherFieldAtItsDefault() throws IOException {
    Target target = one(load(env("CONNECTOR_TARGET_URL", "http://env:1/x", "CONNECTOR_TARGET_METHOD", "PUT"),
        flags(null, null, null, "http://flag:2/y", null, null), minimalWith("{}"))).defaultTarget();
    assertEquals(new Target("http://flag:2/y", "POST", Map.of(), 30.0, true, 3, 1.0, 2.0), target);
  }

  // ---- substitution ----------------------------------------------------------------------------

  @Test
  void variablesAreSubstitutedInTheTokenTargetUrlsAndHeaders() throws IOException {
    Path file = file("c.json", """
        {"cloud_url": "{$CLOUD_URL:https://cloud.example.com}", "channel": "orders",
         "token": "{$ORDERS_TOKEN}",
         "default_target": {"url": "http://{$TARGET_HOST}:{$TARGET_PORT:8080}/in",
                            "headers": {"Authorization": "Bearer {$API_KEY}"}, "timeout_seconds": "{$T:12}"},
         "targets": {"stripe": {"url": "{$STRIPE_URL}"}}}""");
    ConnectorConfig config = one(load(env("ORDERS_TOKEN", "tok-123", "TARGET_HOST", "local", "API_KEY", "k$&;",
        "STRIPE_URL", "https://stripe.local/in"), NO_FLAGS, file));
    assertEquals("https://cloud.example.com", config.cloudUrl());
    assertEquals("tok-123", config.token());
    assertEquals("http://local:8080/in", config.defaultTarget().url());
    assertEquals("Bearer k$&;", config.defaultTarget().headers().get("Authorization"));
    assertEquals(12.0, config.defaultTarget().timeoutSeconds());
    assertEquals("https://stripe.local/in", config.targets().get("stripe").url());
  }

  @Test
  void anUnsetVariableWithoutDefaultIsAnErrorNamingTheVariableAndTheField() throws IOException {
    Path file = file("c.json", """
        {"cloud_url": "{$CLOUD_URL}", "channel": "orders", "token": "{$ORDERS_TOKEN}",
         "targets": {"stripe": {"url": "http://{$STRIPE_HOST}/in"}}}""");
    // one error per unset variable, none for the URLs left unusable by it
    assertEquals(List.of("cloud_url: environment variable CLOUD_URL is not set and has no default",
        "token: environment variable ORDERS_TOKEN is not set and has no default",
        "targets.stripe.url: environment variable STRIPE_HOST is not set and has no default"),
        errors(load(NO_ENV, NO_FLAGS, file)));
  }

  @Test
  void anUnsetVariableInAValueThatTheEnvironmentReplacesIsNoError() throws IOException {
    Path file = minimalWith("{\"token\": \"{$ORDERS_TOKEN}\"}");
    assertEquals("from-env", one(load(env("CONNECTOR_TOKEN", "from-env"), NO_FLAGS, file)).token());
  }

  @Test
  void anUnsetVariableInAnIgnoredValueIsNoError() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS,
        minimalWith("{\"retry_delay\": \"{$RETRY_DELAY}\", \"log_format\": \"{$FORMAT}\"}"));
    one(result);
    assertEquals(List.of("retry_delay: unknown key, ignored"), warnings(result));
  }

  @Test
  void environmentAndFlagValuesAreNotSubstituted() throws IOException {
    assertEquals("{$NOT_A_PLACEHOLDER}",
        one(load(env("CONNECTOR_TOKEN", "{$NOT_A_PLACEHOLDER}"), NO_FLAGS, minimalWith("{}"))).token());
  }

  // ---- several connectors ----------------------------------------------------------------------

  @Test
  void aFileHoldingAListGivesOneConnectorPerElement() throws IOException {
    Path file = file("many.json", "[" + MINIMAL + ","
        + new JsonObject(MINIMAL).put("channel", "invoices").put("protocol", "sse").encode() + "]");
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, file);
    assertTrue(result.ok(), result.errors()::toString);
    assertEquals(List.of("orders", "invoices"), result.connectors().stream().map(ConnectorConfig::channel).toList());
    assertEquals(List.of(file + "[0]", file + "[1]"),
        result.connectors().stream().map(ConnectorConfig::source).toList());
  }

  @Test
  void problemsInAListNameTheElement() throws IOException {
    Path file = file("many.json", "[" + MINIMAL + ", 5, {\"channel\": \"x\"}]");
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, file);
    assertEquals(file + "[1]", result.errors().get(0).file());
    assertEquals("must be a connector object", result.errors().get(0).message());
    assertEquals(file + "[2]", result.errors().get(1).file());
    assertTrue(result.connectors().isEmpty());
  }

  @Test
  void severalFilesGiveOneConnectorEachAndFlagsApplyToEvery() throws IOException {
    Path first = file("a.json", MINIMAL);
    Path second = file("b.json", new JsonObject(MINIMAL).put("channel", "invoices").encode());
    ConnectorConfigLoader.Result result = load(env("CONNECTOR_PROTOCOL", "sse"),
        flags(null, null, "shared-token", null, null, null), first, second);
    assertTrue(result.ok(), result.errors()::toString);
    assertEquals(2, result.connectors().size());
    for (ConnectorConfig config : result.connectors()) {
      assertEquals("shared-token", config.token());
      assertEquals("sse", config.protocol());
    }
  }

  @Test
  void twoConnectorsOnTheSameChannelOfTheSameReceiverAreRefused() throws IOException {
    Path first = file("a.json", MINIMAL);
    Path second = file("b.json", new JsonObject(MINIMAL).put("cloud_url", "wss://CLOUD.example.com:443").encode());
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, first, second);
    assertEquals(List.of("channel: channel 'orders' of wss://CLOUD.example.com:443 is already served by the "
        + "connector from " + first), errors(result));
    assertEquals(second.toString(), result.errors().get(0).file());
    assertTrue(result.connectors().isEmpty());
  }

  @Test
  void theSameChannelOnTwoReceiversIsAllowed() throws IOException {
    Path first = file("a.json", MINIMAL);
    Path second = file("b.json", new JsonObject(MINIMAL).put("cloud_url", "https://other.example.com").encode());
    assertEquals(2, load(NO_ENV, NO_FLAGS, first, second).connectors().size());
  }

  @Test
  void aChannelFlagWithSeveralFilesMakesThemDuplicates() throws IOException {
    Path first = file("a.json", MINIMAL);
    Path second = file("b.json", new JsonObject(MINIMAL).put("channel", "invoices").encode());
    ConnectorConfigLoader.Result result = load(NO_ENV, flags(null, "same", null, null, null, null), first, second);
    assertFalse(result.ok());
    assertTrue(errors(result).get(0).startsWith("channel: channel 'same' of"), errors(result)::toString);
  }

  // ---- files -----------------------------------------------------------------------------------

  @Test
  void yamlFilesAreRefusedWithAClearMessage() throws IOException {
    ConnectorConfigLoader.Result result = load(NO_ENV, NO_FLAGS, file("connector.yaml", "cloud_url: x"));
    assertEquals(List.of("YAML connector files are not supported by this build: use the same content as JSON"),
        errors(result));
  }

  @Test
  void aMissingFileInvalidJsonOrAScalarAreRefused() throws IOException {
    assertEquals(List.of("file not found"), errors(load(NO_ENV, NO_FLAGS, dir.resolve("absent.json"))));
    assertTrue(errors(load(NO_ENV, NO_FLAGS, file("bad.json", "{"))).get(0)
        .startsWith("invalid JSON at line 1, column 2: "));
    assertEquals(List.of("must hold a connector object or a non-empty list of connector objects"),
        errors(load(NO_ENV, NO_FLAGS, file("scalar.json", "[]"))));
  }

  @Test
  void warningsDoNotPreventTheConnectors() throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("CONNECTOR_TARGET_METHOD", "PUT");
    ConnectorConfigLoader.Result result = load(Env.of(values), NO_FLAGS,
        minimalWith("{\"default_target\": null, \"targets\": {\"a\": {\"url\": \"http://localhost:1/a\"}}, \"x\": 1}"));
    assertEquals(2, warnings(result).size());
    assertEquals(1, result.connectors().size());
  }
}
