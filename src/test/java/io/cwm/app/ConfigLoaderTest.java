package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.chain.ChainConfig;
import io.cwm.chain.ChainItem;
import io.cwm.chain.RetryPolicy;
import io.cwm.module.kafka.KafkaTarget;
import io.cwm.module.rabbitmq.RabbitMqTarget;
import io.cwm.validate.ValidatorContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cwm.webhook.WebhookEntry;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;

class ConfigLoaderTest {
  private static final String RABBIT = """
      {"rabbit": {"type": "rabbitmq", "host": "mq.example.com", "port": "5672"},
       "archive": {"type": "rabbitmq", "host": "archive.example.com", "port": 5673}}
      """;

  @TempDir
  Path dir;

  private final Map<String, String> variables = new HashMap<>();

  private Path webhooksFile() {
    return dir.resolve("webhooks.json");
  }

  private Path connectionsFile() {
    return dir.resolve("connections.json");
  }

  private ConfigLoader.Result load(String webhooks, String connections) throws IOException {
    Files.writeString(webhooksFile(), webhooks);
    Files.writeString(connectionsFile(), connections);
    return loadFiles(webhooksFile(), connectionsFile(), true, true);
  }

  private ConfigLoader.Result load(String webhooks) throws IOException {
    return load(webhooks, "{}");
  }

  private ConfigLoader.Result loadFiles(Path webhooks, Path connections, boolean requireWebhooks,
      boolean requireConnections) {
    Env env = Env.of(variables);
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("no HTTP client in config tests");
    });
    return ConfigLoader.load(webhooks, connections, env, context, requireWebhooks, requireConnections);
  }

  private static List<String> texts(ConfigLoader.Result result) {
    return result.problems().stream().map(ConfigProblem::toString).toList();
  }

  private static String onlyError(ConfigLoader.Result result) {
    assertFalse(result.ok(), "expected the load to fail");
    assertNull(result.snapshot());
    assertEquals(1, result.errors().size(), () -> "errors: " + texts(result));
    return result.errors().get(0).toString();
  }

  private String webhookProblem(String id, String key, String message) {
    return "error: " + webhooksFile() + ": webhook '" + id + "': " + key + ": " + message;
  }

  private static List<ChainItem> steps(ConfigLoader.Result result, String id) {
    assertTrue(result.ok(), () -> "expected the load to succeed: " + texts(result));
    return result.snapshot().webhooks().get(id).steps();
  }

  // ---- problems name the file, the entry and the key

  @Test
  void problemNamesTheFileTheWebhookAndTheKey() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"data_type\": \"xml\", \"module\": \"log\"}}");

    String text = onlyError(result);
    assertEquals(webhookProblem("x", "data_type", "must be \"json\" or \"blob\""), text);
    assertTrue(text.contains("webhook 'x'"));
    assertTrue(text.contains("data_type"));
    assertTrue(text.contains("webhooks.json"));
  }

  @Test
  void everyBadEntryIsReportedAndNoSnapshotIsMade() throws IOException {
    ConfigLoader.Result result = load("""
        {"a": {"data_type": "xml", "module": "log"},
         "b": {"module": "nope"},
         "good": {"module": "log"}}
        """);

    assertNull(result.snapshot());
    assertEquals(2, result.errors().size(), () -> "errors: " + texts(result));
    assertTrue(texts(result).stream().anyMatch(text -> text.contains("webhook 'a': data_type")));
    assertTrue(texts(result).stream().anyMatch(text -> text.contains("webhook 'b': module")));
  }

  @Test
  void twoProblemsInOneEntryAreBothReported() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"data_type": "xml", "module": "log", "credential_cleanup": {"mode": "bogus"}}}
        """);

    assertEquals(2, result.errors().size(), () -> "errors: " + texts(result));
  }

  @Test
  void validEntryLoadsWithoutProblems() throws IOException {
    ConfigLoader.Result result = load("""
        {"github": {"data_type": "blob", "module": "log", "module-config": {"pretty_print": "true"},
                    "connection": "rabbit", "authorization": "Bearer s3cr3t"}}
        """, RABBIT);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of(), result.problems());
    WebhookEntry entry = result.snapshot().webhooks().get("github");
    assertTrue(entry.blob());
    assertFalse(entry.chain());
    assertEquals(ChainConfig.DEFAULT, entry.chainConfig());
    assertEquals(1, entry.steps().size());
    assertEquals("log", entry.steps().get(0).module());
    assertEquals("rabbit", entry.steps().get(0).connectionName());
    assertEquals("mq.example.com", entry.steps().get(0).connection().getString("host"));
    assertEquals(1, entry.validators().size());
    assertEquals("authorization", entry.validators().get(0).key());
  }

  @Test
  void entryThatIsNotAnObjectIsRefused() throws IOException {
    assertEquals("error: " + webhooksFile() + ": webhook 'x': must be an object", onlyError(load("{\"x\": \"log\"}")));
  }

  @Test
  void idThatCanNeverBeCalledIsRefused() throws IOException {
    String text = onlyError(load("{\"internal_hook\": {\"module\": \"log\"}}"));
    assertEquals("error: " + webhooksFile() + ": webhook 'internal_hook': this id can never be called: "
        + "Webhook ID cannot start with reserved prefix 'internal_'", text);
  }

  // ---- modules

  @Test
  void unknownModuleIsRefusedWithTheKnownNames() throws IOException {
    String text = onlyError(load("{\"x\": {\"module\": \"nope\"}}"));
    assertTrue(text.startsWith(webhookProblem("x", "module", "unknown module 'nope' (known: log, save_to_disk")), text);
  }

  @Test
  void moduleCheckNamesTheKeyOfTheModuleConfig() throws IOException {
    assertEquals(webhookProblem("x", "module-config.topic",
        "is required (in module-config or on the entry)"),
        onlyError(load("{\"x\": {\"module\": \"mqtt\"}}")));
  }

  @Test
  void aliasRunsTheCanonicalModuleAndItsChecksNameTheKey() throws IOException {
    assertEquals("mysql", steps(load("{\"x\": {\"module\": \"mariadb\"}}"), "x").get(0).module());
    assertEquals(webhookProblem("x", "module-config.table", "must not be the SQL keyword 'show'"),
        onlyError(load("{\"x\": {\"module\": \"mariadb\", \"module-config\": {\"table\": \"show\"}}}")));
  }

  @Test
  void missingModuleIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "module", "must be a module name (a non-empty string)"),
        onlyError(load("{\"x\": {\"data_type\": \"json\"}}")));
  }

  @Test
  void traversalInAModuleNameIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "module", "invalid module name"),
        onlyError(load("{\"x\": {\"module\": \"../log\"}}")));
  }

  @Test
  void badModuleConfigIsNamedUnderModuleConfig() throws IOException {
    String webhooks = new JsonObject().put("x", new JsonObject().put("module", "save_to_disk")
        .put("module-config", new JsonObject().put("base_dir", dir.toString()).put("path", "../../etc"))).encode();

    assertEquals(webhookProblem("x", "module-config.path", "must not contain '..'"), onlyError(load(webhooks)));
  }

  @Test
  void badLogModuleConfigIsNamedUnderModuleConfig() throws IOException {
    assertEquals(webhookProblem("x", "module-config.pretty_print", "must be a boolean (true/false), got a string"),
        onlyError(load("{\"x\": {\"module\": \"log\", \"module-config\": {\"pretty_print\": \"yes\"}}}")));
  }

  // ---- connections

  @Test
  void unknownConnectionNameIsAnError() throws IOException {
    assertEquals(webhookProblem("x", "connection",
        "connection 'missing' is not defined in " + connectionsFile()),
        onlyError(load("{\"x\": {\"module\": \"log\", \"connection\": \"missing\"}}", RABBIT)));
  }

  @Test
  void badConnectionNotUsedByAnyWebhookIsOnlyAWarning() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\"}}", """
        {"local_redis": {"type": "redis-rq", "host": "localhost", "port": 6379}}
        """);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of("warning: " + connectionsFile() + ": connection 'local_redis': host: "
        + "localhost is refused unless ALLOW_LOCALHOST_FOR_TESTS=true (not used by any webhook)"), texts(result));
  }

  @Test
  void badConnectionUsedByAWebhookIsAnError() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"connection\": \"local_redis\"}}", """
        {"local_redis": {"type": "redis-rq", "host": "localhost", "port": 6379}}
        """);

    assertEquals("error: " + connectionsFile() + ": connection 'local_redis': host: "
        + "localhost is refused unless ALLOW_LOCALHOST_FOR_TESTS=true", onlyError(result));
  }

  @Test
  void badConnectionUsedByAChainItemIsAnError() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"chain": [{"module": "log", "connection": "local_redis"}]}}
        """, """
        {"local_redis": {"type": "redis-rq", "host": "localhost", "port": 6379}}
        """);

    assertTrue(onlyError(result).startsWith("error: " + connectionsFile() + ": connection 'local_redis': host:"));
  }

  @Test
  void localhostConnectionIsAcceptedWhenAllowedForTests() throws IOException {
    variables.put("ALLOW_LOCALHOST_FOR_TESTS", "true");
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"connection\": \"local_redis\"}}", """
        {"local_redis": {"type": "redis-rq", "host": "localhost", "port": 6379}}
        """);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
  }

  @Test
  void commentEntriesInConnectionsAreIgnored() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\"}}", """
        {"_comment": "Production brokers", "_note": 3,
         "rabbit": {"type": "rabbitmq", "host": "mq.example.com", "port": "5672"}}
        """);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of(), result.problems());
    assertEquals(Set.of("rabbit"), result.snapshot().connections().keySet());
  }

  @Test
  void connectionThatIsNotAnObjectIsAnError() throws IOException {
    assertEquals("error: " + connectionsFile() + ": connection 'broken': must be an object",
        onlyError(load("{\"x\": {\"module\": \"log\"}}", "{\"broken\": \"amqp://mq\"}")));
  }

  @Test
  void connectionValuesAreSubstituted() throws IOException {
    variables.put("MQ_HOST", "mq.example.com");
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"connection\": \"rabbit\"}}", """
        {"rabbit": {"type": "rabbitmq", "host": "{$MQ_HOST}", "port": "{$MQ_PORT:5672}"}}
        """);

    JsonObject rabbit = steps(result, "x").get(0).connection();
    assertEquals("mq.example.com", rabbit.getString("host"));
    assertEquals("5672", rabbit.getString("port"));
  }

  // ---- substitution

  @Test
  void unsetVariableIsAnErrorNamingWebhookAndKey() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"hmac\": {\"secret\": \"{$HMAC_SECRET}\"}}}");

    assertEquals(webhookProblem("x", "hmac.secret", "environment variable HMAC_SECRET is not set and has no default"),
        onlyError(result));
  }

  @Test
  void unsetVariableInsideAChainItemNamesItsIndex() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"chain": [{"module": "log", "module-config": {"label": "{$LABEL}"}}]}}
        """);

    assertEquals(webhookProblem("x", "chain[0].module-config.label",
        "environment variable LABEL is not set and has no default"), onlyError(result));
  }

  @Test
  void setVariableFeedsTheValidator() throws IOException {
    variables.put("HMAC_SECRET", "whsec_abc");
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"hmac\": {\"secret\": \"{$HMAC_SECRET}\"}}}");

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals("hmac", result.snapshot().webhooks().get("x").validators().get(0).key());
    assertEquals("whsec_abc", result.snapshot().webhooks().get("x").raw().getJsonObject("hmac").getString("secret"));
  }

  // ---- chains

  @Test
  void chainOf21ItemsIsRefused() throws IOException {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 21; i++) {
      items.add("log");
    }
    String webhooks = new JsonObject().put("x", new JsonObject().put("chain", items)).encode();

    assertEquals(webhookProblem("x", "chain", "must be a list of 1 to 20 items"), onlyError(load(webhooks)));
  }

  @Test
  void chainOf20ItemsIsAccepted() throws IOException {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 20; i++) {
      items.add("log");
    }
    String webhooks = new JsonObject().put("x", new JsonObject().put("chain", items)).encode();

    assertEquals(20, steps(load(webhooks), "x").size());
  }

  @Test
  void emptyChainIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain", "must be a list of 1 to 20 items"),
        onlyError(load("{\"x\": {\"chain\": []}}")));
  }

  @Test
  void unknownChainItemKeyIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain[0].evil", "unknown chain item key"),
        onlyError(load("{\"x\": {\"chain\": [{\"module\": \"log\", \"evil\": 1}]}}")));
  }

  @Test
  void chainItemThatIsNeitherNameNorObjectIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain[1]", "must be a module name or an object"),
        onlyError(load("{\"x\": {\"chain\": [\"log\", 5]}}")));
  }

  @Test
  void chainItemModuleCheckNamesTheItemsKey() throws IOException {
    assertEquals(webhookProblem("x", "chain[1].module-config.topic",
        "is required (in module-config or on the entry)"),
        onlyError(load("{\"x\": {\"chain\": [\"log\", {\"module\": \"mqtt\"}]}}")));
  }

  @Test
  void unknownExecutionModeIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain-config.execution", "must be \"sequential\" or \"parallel\""),
        onlyError(load("{\"x\": {\"chain\": [\"log\"], \"chain-config\": {\"execution\": \"random\"}}}")));
  }

  @Test
  void negativeChainTimeoutIsRefused() throws IOException {
    String text = onlyError(load("{\"x\": {\"chain\": [\"log\"], \"chain-config\": {\"timeout\": -1}}}"));
    assertTrue(text.startsWith(webhookProblem("x", "chain-config.timeout", "must be between")), text);
  }

  @Test
  void yesIsNotAContinueOnErrorValue() throws IOException {
    assertEquals(webhookProblem("x", "chain-config.continue_on_error", "must be a boolean (true/false), got a string"),
        onlyError(load("{\"x\": {\"chain\": [\"log\"], \"chain-config\": {\"continue_on_error\": \"yes\"}}}")));
  }

  @Test
  void unknownChainConfigKeyIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain-config.retries",
        "unknown key (allowed: execution, continue_on_error, timeout)"),
        onlyError(load("{\"x\": {\"chain\": [\"log\"], \"chain-config\": {\"retries\": 3}}}")));
  }

  @Test
  void chainConfigStringsAreCoerced() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"chain": ["log"],
               "chain-config": {"execution": "parallel", "continue_on_error": "false", "timeout": "10"}}}
        """);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    WebhookEntry entry = result.snapshot().webhooks().get("x");
    assertTrue(entry.chain());
    assertEquals(new ChainConfig(true, false, 10.0), entry.chainConfig());
  }

  @Test
  void eachStepKeepsTheTargetItsModuleParsedFromTheSubstitutedConfig() throws IOException {
    variables.put("TOPIC", "orders");
    variables.put("QUEUE", "audit");
    ConfigLoader.Result result = load("""
        {"x": {"topic": "{$TOPIC}", "chain": ["kafka",
                {"module": "rabbitmq", "connection": "rabbit", "module-config": {"queue_name": "{$QUEUE}"}}]}}
        """, RABBIT);

    List<ChainItem> steps = steps(result, "x");
    assertEquals(new KafkaTarget("orders", null, null, false), steps.get(0).target());
    assertEquals(new RabbitMqTarget("audit"), steps.get(1).target());
  }

  @Test
  void stringChainItemGetsTheEntryConnection() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"connection\": \"rabbit\", \"chain\": [\"log\"]}}", RABBIT);

    ChainItem step = steps(result, "x").get(0);
    assertEquals("rabbit", step.connectionName());
    assertEquals(new JsonObject("{\"type\": \"rabbitmq\", \"host\": \"mq.example.com\", \"port\": \"5672\"}"),
        step.connection());
  }

  @Test
  void objectChainItemWithoutConnectionInheritsTheEntryConnection() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"connection\": \"rabbit\", \"chain\": [{\"module\": \"log\"}]}}", RABBIT);

    assertEquals("rabbit", steps(result, "x").get(0).connectionName());
  }

  @Test
  void chainItemConnectionOverridesTheEntryConnection() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"connection": "rabbit", "chain": ["log", {"module": "log", "connection": "archive"}]}}
        """, RABBIT);

    List<ChainItem> steps = steps(result, "x");
    assertEquals("rabbit", steps.get(0).connectionName());
    assertEquals("archive", steps.get(1).connectionName());
    assertEquals("archive.example.com", steps.get(1).connection().getString("host"));
  }

  @Test
  void chainItemModuleConfigIsDeepMergedOverTheEntryModuleConfig() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module-config": {"pretty_print": false, "labels": {"team": "payments", "env": "prod"}},
               "chain": ["log",
                         {"module": "log", "module-config": {"redact_sensitive": false, "labels": {"env": "staging"}}}]}}
        """);

    List<ChainItem> steps = steps(result, "x");
    assertEquals(new JsonObject("{\"pretty_print\": false, \"labels\": {\"team\": \"payments\", \"env\": \"prod\"}}"),
        steps.get(0).moduleConfig());
    assertEquals(new JsonObject("""
        {"pretty_print": false, "redact_sensitive": false, "labels": {"team": "payments", "env": "staging"}}
        """), steps.get(1).moduleConfig());
  }

  @Test
  void legacyChainItemKeyIsMovedIntoTheModuleConfig() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"chain\": [{\"module\": \"log\", \"topic\": \"events\"}]}}");

    assertEquals("events", steps(result, "x").get(0).moduleConfig().getString("topic"));
  }

  @Test
  void legacyChainItemKeyAlsoInsideModuleConfigIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "chain[0].topic", "also set inside the item's module-config"),
        onlyError(load("""
            {"x": {"chain": [{"module": "log", "topic": "a", "module-config": {"topic": "b"}}]}}
            """)));
  }

  @Test
  void chainItemRetryIsParsed() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"chain": ["log", {"module": "log", "retry": {"enabled": true, "max_attempts": "5"}}]}}
        """);

    List<ChainItem> steps = steps(result, "x");
    assertEquals(1, steps.get(0).retry().attempts());
    assertEquals(5, steps.get(1).retry().attempts());
  }

  @Test
  void badModuleConfigOfAChainItemIsNamedUnderTheItem() throws IOException {
    String webhooks = new JsonObject().put("x", new JsonObject().put("chain", new JsonArray()
        .add(new JsonObject().put("module", "save_to_disk")
            .put("module-config", new JsonObject().put("base_dir", dir.toString()).put("path", "%2e%2e/x"))))).encode();

    assertEquals(webhookProblem("x", "chain[0].module-config.path", "must not contain '..'"), onlyError(load(webhooks)));
  }

  // ---- files

  @Test
  void missingWebhooksFileServesTheBuiltInDefaultEntryWithAWarningWhenAllowed() {
    Path missing = dir.resolve("webhooks.json");
    ConfigLoader.Result result = loadFiles(missing, dir.resolve("connections.json"), false, false);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of("warning: " + missing
        + ": file not found: serving the built-in 'default' webhook (no authentication, logs every body) as "
        + "--allow-default-webhook / ALLOW_DEFAULT_WEBHOOK=true asks"), texts(result));
    ConfigSnapshot snapshot = result.snapshot();
    assertEquals(Set.of("default"), snapshot.webhooks().keySet());
    WebhookEntry entry = snapshot.webhooks().get("default");
    assertFalse(entry.blob());
    assertEquals("log", entry.steps().get(0).module());
    assertEquals(new JsonObject("{\"pretty_print\": true, \"redact_sensitive\": true}"), entry.steps().get(0).moduleConfig());
    assertEquals(List.of(), entry.validators());
    assertSame(entry, snapshot.find("any-unknown-id"));
  }

  @Test
  void missingWebhooksFileIsAnErrorWhenRequired() {
    Path missing = dir.resolve("webhooks.json");
    ConfigLoader.Result result = loadFiles(missing, dir.resolve("connections.json"), true, false);

    assertEquals("error: " + missing + ": file not found: the receiver needs its webhooks file (--webhooks, "
        + "WEBHOOKS_CONFIG_FILE); --allow-default-webhook or ALLOW_DEFAULT_WEBHOOK=true serves the built-in 'default' "
        + "entry instead (no authentication, logs every body)", onlyError(result));
  }

  @Test
  void unreadableWebhooksFileIsAnErrorEvenWhenTheDefaultEntryIsAllowed() throws IOException {
    Path directory = Files.createDirectory(dir.resolve("webhooks.json"));
    ConfigLoader.Result result = loadFiles(directory, dir.resolve("connections.json"), false, false);

    assertEquals("error: " + directory + ": cannot read file: IOException", onlyError(result));
  }

  @Test
  void aConnectorsMissingModuleFileIsJustNotFound() {
    Path missing = dir.resolve("module-webhooks.json");
    ConfigLoader.Result result = ConfigLoader.loadForConnector(missing, null, Env.of(variables), Clock.systemUTC());

    assertEquals("error: " + missing + ": file not found", onlyError(result));
  }

  @Test
  void missingConnectionsFileIsAnErrorWhenRequired() throws IOException {
    Files.writeString(webhooksFile(), "{\"x\": {\"module\": \"log\"}}");
    ConfigLoader.Result result = loadFiles(webhooksFile(), connectionsFile(), true, true);

    assertEquals("error: " + connectionsFile() + ": file not found", onlyError(result));
  }

  @Test
  void missingConnectionsFileMeansNoConnectionsWhenOptional() throws IOException {
    Files.writeString(webhooksFile(), "{\"x\": {\"module\": \"log\"}}");
    ConfigLoader.Result result = loadFiles(webhooksFile(), connectionsFile(), true, false);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(Map.of(), result.snapshot().connections());
  }

  @Test
  void emptyWebhooksFileServesNothing() throws IOException {
    ConfigLoader.Result result = load("{}");

    assertTrue(result.ok());
    assertEquals(Map.of(), result.snapshot().webhooks());
    assertNull(result.snapshot().find("github"));
  }

  @Test
  void invalidJsonIsAnErrorNamingTheFileTheLineAndTheColumn() throws IOException {
    String text = onlyError(load("{\n  \"x\": {\n    \"module\": \"log\",\n    \"hmac\": {\"secret\": \"s3cret\"},\n  }\n}"));
    assertEquals("error: " + webhooksFile() + ": invalid JSON at line 5, column 3: Unexpected character ('}' "
        + "(code 125)): was expecting double-quote to start field name", text);
  }

  @Test
  void invalidConnectionsJsonIsAnErrorNamingThatFileTheLineAndTheColumn() throws IOException {
    String text = onlyError(load("{\"x\": {\"module\": \"log\"}}", "{\n\n   rabbit}"));
    assertTrue(text.startsWith("error: " + connectionsFile() + ": invalid JSON at line 3, column 4: "
        + "Unexpected character ('r' (code 114))"), text);
  }

  @Test
  void unclosedJsonNamesWhereTheInputEndsAndWhereTheObjectStarted() throws IOException {
    String text = onlyError(load("{\"x\": {\"module\": \"log\", \"authorization\": \"Bearer s3cret\"}\n"));
    assertEquals("error: " + webhooksFile() + ": invalid JSON at line 2, column 1: Unexpected end-of-input: "
        + "expected close marker for Object (start marker at line 1, column 1)", text);
    assertFalse(text.contains("s3cret"), "the file's content is never quoted");
  }

  @Test
  void emptyWebhooksFileIsAnError() throws IOException {
    assertEquals("error: " + webhooksFile() + ": invalid JSON: the file is empty", onlyError(load(" \n")));
  }

  @Test
  void webhooksFileHoldingAnArrayIsRefused() throws IOException {
    assertEquals("error: " + webhooksFile() + ": must hold one JSON object", onlyError(load("[]")));
  }

  // ---- retry, credential cleanup, validators

  @Test
  void retryValuesAreClamped() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module": "log",
               "retry": {"enabled": true, "max_attempts": 50, "initial_delay": 100, "backoff_multiplier": 0}}}
        """);

    RetryPolicy retry = steps(result, "x").get(0).retry();
    assertTrue(retry.enabled());
    assertEquals(20, retry.maxAttempts());
    assertEquals(60.0, retry.initialDelaySeconds());
    assertEquals(60.0, retry.maxDelaySeconds());
    assertEquals(0.1, retry.backoffMultiplier());
  }

  @Test
  void retryThatIsNotAnObjectIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "retry", "must be an object"),
        onlyError(load("{\"x\": {\"module\": \"log\", \"retry\": true}}")));
  }

  @Test
  void unknownCredentialCleanupModeIsRefused() throws IOException {
    assertEquals(webhookProblem("x", "credential_cleanup.mode", "must be \"mask\" or \"remove\""),
        onlyError(load("{\"x\": {\"module\": \"log\", \"credential_cleanup\": {\"mode\": \"bogus\"}}}")));
  }

  @Test
  void emptyValidatorBlockIsAWarning() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"hmac\": {}}}");

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of("warning: " + webhooksFile() + ": webhook 'x': hmac: block is empty: no check is made"),
        texts(result));
    assertEquals(List.of(), result.snapshot().webhooks().get("x").validators());
  }

  @Test
  void emptyAuthorizationIsAWarning() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"authorization\": \"\"}}");

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of("warning: " + webhooksFile() + ": webhook 'x': authorization: block is empty: no check is made"),
        texts(result));
  }

  @Test
  void hmacBlockWithoutSecretIsAnError() throws IOException {
    assertEquals(webhookProblem("x", "hmac.secret", "HMAC secret not configured"),
        onlyError(load("{\"x\": {\"module\": \"log\", \"hmac\": {\"algorithm\": \"sha256\"}}}")));
  }

  @Test
  void unsupportedHmacAlgorithmIsAnError() throws IOException {
    assertEquals(webhookProblem("x", "hmac.algorithm", "Unsupported HMAC algorithm: md5 (use sha1, sha256 or sha512)"),
        onlyError(load("{\"x\": {\"module\": \"log\", \"hmac\": {\"secret\": \"s\", \"algorithm\": \"md5\"}}}")));
  }

  @Test
  void authorizationThatIsNotAStringIsAnError() throws IOException {
    assertEquals(webhookProblem("x", "authorization", "must be a string such as \"Bearer <token>\""),
        onlyError(load("{\"x\": {\"module\": \"log\", \"authorization\": 42}}")));
  }

  @Test
  void validatorsAreBuiltInSpecOrder() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module": "log", "hmac": {"secret": "s"}, "authorization": "Bearer t"}}
        """);

    assertTrue(result.ok(), () -> "problems: " + texts(result));
    assertEquals(List.of("authorization", "hmac"),
        result.snapshot().webhooks().get("x").validators().stream().map(v -> v.key()).toList());
  }

  @Test
  void resultListsErrorsSeparatelyFromWarnings() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"hmac\": {}}, \"y\": {\"module\": \"mqtt\"}}");

    assertNotNull(result.problems());
    assertEquals(2, result.problems().size());
    assertEquals(1, result.errors().size());
    assertEquals(ConfigProblem.Severity.ERROR, result.errors().get(0).severity());
  }
}
