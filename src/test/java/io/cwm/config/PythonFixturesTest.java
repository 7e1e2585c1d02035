package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.cwm.validate.ValidatorContext;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cwm.app.ConfigLoader;
import io.cwm.webhook.ConfigSnapshot;

/**
 * Python-format config files through the loader that {@code check} and start-up use.
 *
 * <p>The project's own files ({@code src/test/resources/python-format/}, described in the
 * README.md there) are always checked: each webhooks file must load or be refused with exactly
 * the problems listed in {@link #PROJECT}. The Python version's fixture files are walked as well
 * when they are present (see {@link #pythonFixtures()}): every webhooks file there is either
 * accepted or refused only for the reasons listed in {@link #REFUSED}; without them those tests
 * are skipped, never failed.
 */
public class PythonFixturesTest {
  private static final Logger LOG = LoggerFactory.getLogger(PythonFixturesTest.class);

  /** Optional: the directory of the Python version's fixture files (python-configs). */
  public static final String FIXTURES_PROPERTY = "cwm.python.fixtures.dir";

  /**
   * The save_to_disk paths under {@code /app} are inside the working directory of the Python
   * Docker image; SAVE_TO_DISK_BASE_DIR reproduces it. Nothing else comes from the environment.
   */
  static final Env ENV = Env.of(Map.of("SAVE_TO_DISK_BASE_DIR", "/app"));

  /** What loading one of the project's webhooks files (with its connections file) must give. */
  record Expected(boolean loads, List<String> problems) {
    static Expected accepted(String... warnings) {
      return new Expected(true, List.of(warnings));
    }

    static Expected refused(String... problems) {
      return new Expected(false, List.of(problems));
    }
  }

  /**
   * Every webhooks file of {@code src/test/resources/python-format/} and every problem the loader
   * reports for it (file paths shown relative to that directory). Keep README.md there in step.
   */
  static final Map<String, Expected> PROJECT = projectExpectations();

  private static Map<String, Expected> projectExpectations() {
    Map<String, Expected> expected = new LinkedHashMap<>();
    expected.put("basic-webhooks.json", Expected.accepted());
    expected.put("validators-webhooks.json", Expected.accepted());
    expected.put("outputs-webhooks.json", Expected.accepted());
    expected.put("relay-cloud-webhooks.json", Expected.accepted());
    expected.put("relay-local-webhooks.json", Expected.accepted());
    expected.put("relay-module-webhooks.json", Expected.accepted());
    expected.put("standby-webhooks.json", Expected.accepted(
        "warning: standby-connections.json: connection 'warehouse_redis_standby': host: environment variable "
            + "STANDBY_REDIS_HOST is not set and has no default (not used by any webhook)",
        "warning: standby-connections.json: connection 'warehouse_redis_standby': host: host contains forbidden "
            + "characters (not used by any webhook)",
        "warning: standby-connections.json: connection 'warehouse_mq_standby': host: environment variable "
            + "STANDBY_MQ_HOST is not set and has no default (not used by any webhook)",
        "warning: standby-connections.json: connection 'warehouse_mq_standby': user: environment variable "
            + "STANDBY_MQ_USER is not set and has no default (not used by any webhook)",
        "warning: standby-connections.json: connection 'warehouse_mq_standby': pass: environment variable "
            + "STANDBY_MQ_PASS is not set and has no default (not used by any webhook)",
        "warning: standby-connections.json: connection 'warehouse_mq_standby': host: host contains forbidden "
            + "characters (not used by any webhook)"));
    expected.put("mysql-webhooks.json", Expected.accepted());
    expected.put("clickhouse-webhooks.json", Expected.accepted());
    expected.put("mqtt-webhooks.json", Expected.accepted());
    expected.put("activemq-webhooks.json", Expected.accepted());
    expected.put("aws-sqs-webhooks.json", Expected.accepted());
    expected.put("gcp-pubsub-webhooks.json", Expected.accepted());
    expected.put("websocket-webhooks.json", Expected.accepted());
    expected.put("vault-webhooks.json", Expected.refused(
        "error: vault-webhooks.json: webhook 'vault-only': authorization: Vault reference "
            + "{$vault:hooks/partners#inbound_token} has no default and no secrets backend is configured (SECRETS_BACKEND=vault or VAULT_ENABLED=true)"));
    expected.put("outside-base-dir-webhooks.json", Expected.refused(
        "error: outside-base-dir-webhooks.json: webhook 'tmp-dump': module-config.path: must stay inside "
            + "base_dir /app"));
    expected.put("unset-variables-webhooks.json", Expected.refused(
        "error: unset-variables-webhooks.json: webhook 'partner-sync': authorization: environment variable "
            + "PARTNER_SYNC_TOKEN is not set and has no default",
        "error: unset-variables-webhooks.json: webhook 'partner-signed': hmac.secret: environment variable "
            + "PARTNER_HMAC_SECRET is not set and has no default",
        "error: unset-variables-webhooks.json: webhook 'partner-forward': module-config.url: environment variable "
            + "PARTNER_HOST is not set and has no default",
        "error: unset-variables-webhooks.json: webhook 'partner-forward': module-config.headers.X-Partner-Key: "
            + "environment variable PARTNER_API_KEY is not set and has no default",
        // the placeholder stays in the URL, which then has no valid host
        "error: unset-variables-webhooks.json: webhook 'partner-forward': module-config.url: target host is not "
            + "a valid host name"));
    expected.put("localhost-webhooks.json", Expected.refused(
        "error: localhost-webhooks.json: webhook 'dev-forward': module-config.url: target host localhost is a "
            + "loopback name and the host is not in allowed_hosts",
        "error: localhost-connections.json: connection 'dev_mq': host: localhost is refused unless "
            + "ALLOW_LOCALHOST_FOR_TESTS=true"));
    return java.util.Collections.unmodifiableMap(expected);
  }

  /** Python fixture files refused, and the only reasons (substrings of each error) they may be refused for. */
  static final Map<String, List<String>> REFUSED = Map.ofEntries(
      // No Vault is configured for the walk: a reference without an inline default cannot be resolved, and
      // test_vault_save writes to /tmp/webhooks, outside the working directory it must stay in.
      Map.entry("vault-webhooks.json", List.of("Vault reference", "must stay inside base_dir")),
      // The example file references unset variables without defaults ({$JWT_SECRET}, ...),
      // connections on localhost (refused unless ALLOW_LOCALHOST_FOR_TESTS), and http_webhook and
      // websocket URLs on localhost by default ({$API_HOST:localhost}, ws://localhost:8080; only
      // allowed_hosts relaxes).
      Map.entry("examples-webhooks.example.json",
          List.of("is not set and has no default", "localhost is refused", "is a loopback name")));

  /** Python fixture connector.json files: checked by {@code check --connector} in {@code io.cwm.MainConnectorTest}. */
  public static final List<String> CONNECTOR_FIXTURES = List.of("02_connector-connector.json",
      "04_connector_advanced-connector-module.json", "04_connector_advanced-connector-sse.json",
      "04_connector_advanced-connector-ws.json");

  // ---- where the files are --------------------------------------------------------------

  /** The project's own Python-format files (src/test/resources/python-format, on the test class path). */
  public static Path projectFiles() {
    URL readme = PythonFixturesTest.class.getResource("/python-format/README.md");
    assertNotNull(readme, "python-format/README.md is not on the test class path");
    try {
      return Path.of(readme.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One file of {@link #projectFiles()}. */
  public static Path projectFile(String name) {
    return projectFiles().resolve(name);
  }

  /**
   * The Python version's fixture directory, when there is one: the directory given by the system
   * property {@value #FIXTURES_PROPERTY} (which must then exist), else {@code shared/fixtures/
   * python-configs} in the directory that holds the project, when present. Empty otherwise: the
   * tests that walk it are skipped.
   */
  public static Optional<Path> pythonFixtures() {
    String configured = System.getProperty(FIXTURES_PROPERTY, "");
    if (!configured.isBlank()) {
      Path dir = Path.of(configured);
      assertTrue(Files.isDirectory(dir), () -> FIXTURES_PROPERTY + "=" + configured + " is not a directory");
      return Optional.of(dir);
    }
    Path project = Path.of(System.getProperty("cwm.project.dir", System.getProperty("user.dir")))
        .toAbsolutePath().normalize();
    Path besideProject = project.getParent();
    if (besideProject == null) {
      return Optional.empty();
    }
    Path dir = besideProject.resolve("shared").resolve("fixtures").resolve("python-configs");
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  /** The fixture directory, or the calling test is skipped (with the reason logged). */
  public static Path assumePythonFixtures() {
    Optional<Path> dir = pythonFixtures();
    if (dir.isEmpty()) {
      LOG.info("Python fixture files not found (set -D{}=DIR to walk them): skipped", FIXTURES_PROPERTY);
    }
    Assumptions.assumeTrue(dir.isPresent(), "no Python fixture directory (optional; -D" + FIXTURES_PROPERTY + "=DIR)");
    return dir.get();
  }

  /**
   * The dynamic tests {@code walk} makes of the fixture directory; without one, a single test that
   * is reported as skipped (an aborted factory would not show in the test counts).
   */
  public static Stream<DynamicTest> walkPythonFixtures(Function<Path, Stream<DynamicTest>> walk) {
    Optional<Path> dir = pythonFixtures();
    if (dir.isEmpty()) {
      return Stream.of(dynamicTest("no Python fixture directory: skipped", PythonFixturesTest::assumePythonFixtures));
    }
    return walk.apply(dir.get());
  }

  static List<Path> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- loading ------------------------------------------------------------------------------

  /** The connections file paired with a webhooks file ({@code x-webhooks.json} → {@code x-connections.json}). */
  static Path connectionsOf(Path webhooks) {
    String name = webhooks.getFileName().toString();
    return webhooks.resolveSibling(name.replace("webhooks", "connections"));
  }

  private static ConfigLoader.Result load(Path webhooks, Path connections, Env env) {
    boolean paired = connections != null && Files.exists(connections);
    return ConfigLoader.load(webhooks, paired ? connections : webhooks.resolveSibling("absent-connections.json"),
        env, new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP during check");
        }), true, paired);
  }

  static ConfigLoader.Result loadProject(String webhooksName, Env env) {
    Path webhooks = projectFile(webhooksName);
    return load(webhooks, connectionsOf(webhooks), env);
  }

  /** The problems as {@code check} prints them, file paths relative to {@code dir}, sorted. */
  static List<String> describe(List<ConfigProblem> problems, Path dir) {
    String prefix = dir.toString() + dir.getFileSystem().getSeparator();
    return problems.stream().map(problem -> problem.toString().replace(prefix, "")).sorted().toList();
  }

  private static Env env(String... pairs) {
    Map<String, String> values = new HashMap<>(Map.of("SAVE_TO_DISK_BASE_DIR", "/app"));
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    return Env.of(values);
  }

  // ---- the project's files ---------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> everyProjectWebhooksFileLoadsOrIsRefusedWithExactlyItsListedProblems() {
    List<Path> files = list(projectFiles()).stream()
        .filter(file -> file.getFileName().toString().endsWith("-webhooks.json")).toList();
    Set<String> names = new TreeSet<>(files.stream().map(file -> file.getFileName().toString()).toList());
    assertEquals(new TreeSet<>(PROJECT.keySet()), names, "PROJECT must list exactly the webhooks files present");
    return files.stream().map(file -> {
      String name = file.getFileName().toString();
      Expected expected = PROJECT.get(name);
      return dynamicTest(name + (expected.loads() ? " loads" : " is refused"), () -> {
        ConfigLoader.Result result = load(file, connectionsOf(file), ENV);
        assertEquals(expected.loads(), result.ok(), () -> name + ": " + result.problems());
        assertEquals(expected.problems().stream().sorted().toList(), describe(result.problems(), projectFiles()),
            name);
      });
    });
  }

  @TestFactory
  Stream<DynamicTest> everyProjectConnectionsFileLoadsAlone() {
    return list(projectFiles()).stream().filter(file -> file.getFileName().toString().endsWith("-connections.json"))
        .map(file -> dynamicTest(file.getFileName().toString(), () -> {
          ConfigLoader.Result result = ConfigLoader.load(file.resolveSibling("absent-webhooks.json"), file, ENV,
              new ValidatorContext(Clock.systemUTC(), ENV, () -> null), false, true);
          // alone (no webhook uses a connection) a connections file has warnings at worst
          assertTrue(result.ok(), () -> file + ": " + result.errors());
        }));
  }

  @Test
  void everyProjectFileIsOfAKnownKindAndDescribedInTheReadme() throws IOException {
    String readme = Files.readString(projectFile("README.md"));
    for (Path file : list(projectFiles())) {
      String name = file.getFileName().toString();
      if (name.equals("README.md")) {
        continue;
      }
      assertTrue(name.endsWith("-webhooks.json") || name.endsWith("-connections.json")
          || name.endsWith("-connector.json"), () -> "not a webhooks, connections or connector file: " + name);
      assertTrue(readme.contains("`" + name + "`"), () -> name + " is not described in python-format/README.md");
      if (name.endsWith("-connections.json")) {
        Path webhooks = file.resolveSibling(name.replace("connections", "webhooks"));
        assertTrue(Files.exists(webhooks), () -> name + " has no webhooks file");
      }
    }
  }

  @Test
  void unsetVariablesAreTheOnlyProblemOnceTheyAreSet() {
    ConfigLoader.Result result = loadProject("unset-variables-webhooks.json", env(
        "PARTNER_SYNC_TOKEN", "ps_2Wq8Xk5Rn1Tz", "PARTNER_HMAC_SECRET", "hs_9Lv4Kz7Wb2Qn",
        "PARTNER_HOST", "partners.example.com", "PARTNER_API_KEY", "pk_6Tx3Wn8Rq5Vb"));
    assertTrue(result.ok(), () -> result.problems().toString());
    JsonObject forward = result.snapshot().webhooks().get("partner-forward").steps().get(0).moduleConfig();
    assertEquals("https://partners.example.com/inbound", forward.getString("url"));
  }

  @Test
  void localhostIsAcceptedOnlyWithTheTestSwitchAndTheTargetOnlyWithARealHost() {
    ConfigLoader.Result switchOnly = loadProject("localhost-webhooks.json", env("ALLOW_LOCALHOST_FOR_TESTS", "true"));
    assertEquals(List.of("error: localhost-webhooks.json: webhook 'dev-forward': module-config.url: target host "
        + "localhost is a loopback name and the host is not in allowed_hosts"),
        describe(switchOnly.problems(), projectFiles()));
    ConfigLoader.Result both = loadProject("localhost-webhooks.json",
        env("ALLOW_LOCALHOST_FOR_TESTS", "true", "DEV_API_HOST", "api.dev.example.net"));
    assertTrue(both.ok(), () -> both.problems().toString());
  }

  @Test
  void substitutionFormsResolveAsInPython() {
    ConfigLoader.Result result = loadProject("outputs-webhooks.json", ENV);
    assertTrue(result.ok(), () -> result.problems().toString());
    ConfigSnapshot snapshot = result.snapshot();
    // embedded placeholders, each with its default
    JsonObject forward = snapshot.webhooks().get("crm-forward").steps().get(0).moduleConfig();
    assertEquals("https://crm.example.org:8443/api/hooks", forward.getString("url"));
    assertEquals("PUT", forward.getString("method"));
    assertEquals("12", forward.getString("timeout"), "substituted values are strings, coerced where used");
    assertEquals("cwm", forward.getJsonObject("headers").getString("X-Source"));
    assertEquals("Bearer cf_6Vn1Xw9Rk4Tz", snapshot.webhooks().get("crm-forward").raw().getString("authorization"));
    // whole-value defaults may contain ':'; an empty default is an empty string
    assertEquals("postgresql://hooks_reader:pr_8Wq3Lx6Nb1Zk@ledger-replica.example.net:5432/ledger",
        snapshot.connections().get("ledger_dsn").getString("connection_string"));
    assertEquals("kafka-1.example.net:9092,kafka-2.example.net:9092",
        snapshot.connections().get("events_kafka").getString("bootstrap_servers"));
    assertEquals("", snapshot.connections().get("ledger_db").getString("ssl_ca_cert"));
    assertEquals("5672", snapshot.connections().get("mq_main").getString("port"));
    // a set variable wins over the default
    ConfigLoader.Result overridden = loadProject("outputs-webhooks.json", env("CRM_HOST", "crm-2.example.org",
        "MQ_PORT", "5673"));
    assertTrue(overridden.ok(), () -> overridden.problems().toString());
    assertEquals("https://crm-2.example.org:8443/api/hooks",
        overridden.snapshot().webhooks().get("crm-forward").steps().get(0).moduleConfig().getString("url"));
    assertEquals("5673", overridden.snapshot().connections().get("mq_main").getString("port"));
  }

  @Test
  void everyOutputModuleAndValidatorOfTheProjectFilesIsBuilt() {
    ConfigSnapshot outputs = loadProject("outputs-webhooks.json", ENV).snapshot();
    Map<String, String> modules = new LinkedHashMap<>();
    outputs.webhooks().forEach((id, entry) -> modules.put(id, entry.steps().get(0).module()));
    assertEquals(Map.of("invoice-queue", "rabbitmq", "report-jobs", "redis_rq", "price-updates", "redis_publish",
        "clickstream", "kafka", "audit-trail", "kafka", "order-ledger", "postgresql", "order-ledger-dsn", "postgresql",
        "document-archive", "s3", "crm-forward", "http_webhook"), modules);
    assertEquals("mq_main", outputs.webhooks().get("invoice-queue").steps().get(0).connectionName());

    ConfigSnapshot validators = loadProject("validators-webhooks.json", ENV).snapshot();
    Set<String> built = new TreeSet<>();
    validators.webhooks().values().forEach(entry -> entry.validators()
        .forEach(validator -> built.add(validator.getClass().getSimpleName())));
    assertEquals(new TreeSet<>(Set.of("AuthorizationValidator", "QueryAuthValidator", "HeaderAuthValidator",
        "OAuth2Validator", "DigestAuthValidator", "OAuth1Validator", "HmacValidator", "IpWhitelistValidator",
        "RateLimitValidator", "BasicAuthValidator", "JwtValidator", "JsonSchemaValidator", "RecaptchaValidator")),
        built);
    assertEquals(17, validators.webhooks().size());
  }

  @Test
  void theRelayFileRegistersItsChannelsAtLoad() {
    ConfigSnapshot relay = loadProject("relay-cloud-webhooks.json", ENV).snapshot();
    assertEquals(Set.of("orders-eu", "orders-us", "burst", "archive"), relay.channels().keySet());
    assertEquals(2, relay.channels().get("burst").maxConnections());
    assertEquals(20, relay.channels().get("orders-eu").maxInFlight());
  }

  // ---- the Python version's fixture files (optional) -------------------------------------

  /**
   * Every key of every entry is one Python reads: no unknown-key warning, and the strict mode
   * (CWM_STRICT_CONFIG) changes nothing; over the project's files and, when present, the fixtures.
   */
  @TestFactory
  Stream<DynamicTest> noUnknownKeysAndTheSameVerdictInStrictMode() {
    Stream<Path> project = list(projectFiles()).stream();
    Stream<Path> fixtures = pythonFixtures().map(PythonFixturesTest::list).orElse(List.of()).stream();
    return Stream.concat(project, fixtures)
        .filter(file -> file.getFileName().toString().contains("webhooks")
            && file.getFileName().toString().endsWith(".json"))
        .map(file -> dynamicTest(file.getFileName().toString(), () -> {
          String name = file.getFileName().toString();
          boolean paired = !name.equals("examples-webhooks.performance.json");
          Path connections = paired ? connectionsOf(file) : null;
          ConfigLoader.Result lenient = load(file, connections, ENV);
          assertTrue(lenient.problems().stream().noneMatch(problem -> problem.message().startsWith("unknown key")),
              () -> name + ": " + lenient.problems());
          Env strict = Env.of(Map.of("SAVE_TO_DISK_BASE_DIR", "/app", "CWM_STRICT_CONFIG", "true"));
          assertEquals(lenient.problems(), load(file, connections, strict).problems(), name);
        }));
  }

  @TestFactory
  Stream<DynamicTest> everyPythonFixtureFileIsAcceptedOrRefusedForADocumentedReason() {
    return walkPythonFixtures(PythonFixturesTest::fixtureTests);
  }

  private static Stream<DynamicTest> fixtureTests(Path fixtures) {
    List<Path> files = list(fixtures);
    LOG.info("walking {} Python fixture files in {}", files.size(), fixtures);
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.contains("webhooks")) {
        tests.add(dynamicTest(name, () -> checkFixture(file)));
      } else if (name.contains("connections")) {
        tests.add(dynamicTest(name, () -> {
          ConfigLoader.Result result = ConfigLoader.load(file.resolveSibling("absent-webhooks.json"), file,
              ENV, new ValidatorContext(Clock.systemUTC(), ENV, () -> null), false, true);
          // Alone (no webhook references a connection), a connections file never has errors; bad
          // entries are warnings until a webhook uses them.
          assertTrue(result.ok(), () -> name + ": " + result.errors());
        }));
      } else {
        tests.add(dynamicTest(name, () -> assertTrue(CONNECTOR_FIXTURES.contains(name),
            () -> "fixture not covered by any test: " + name)));
      }
    }
    tests.add(dynamicTest("the four connector fixtures are present", () -> assertEquals(4,
        CONNECTOR_FIXTURES.stream().filter(name -> Files.exists(fixtures.resolve(name))).count())));
    return tests.stream();
  }

  private static void checkFixture(Path file) {
    String name = file.getFileName().toString();
    boolean paired = !name.equals("examples-webhooks.performance.json");
    ConfigLoader.Result result = load(file, paired ? connectionsOf(file) : null, ENV);
    List<String> reasons = REFUSED.get(name);
    if (reasons == null) {
      assertTrue(result.ok(), () -> name + " refused: " + result.errors());
      return;
    }
    assertFalse(result.ok(), () -> name + " accepted, but listed as refused: update REFUSED and the docs");
    for (ConfigProblem error : result.errors()) {
      if (reasons.stream().noneMatch(reason -> error.message().contains(reason))) {
        fail(name + " refused for an undocumented reason: " + error);
      }
    }
  }

  @Test
  void theExampleFixtureIsAcceptedOnceItsVariablesAreSetExceptForItsLoopbackWebSocket() {
    Path fixtures = assumePythonFixtures();
    Env env = Env.of(Map.ofEntries(Map.entry("SAVE_TO_DISK_BASE_DIR", "/app"),
        Map.entry("ALLOW_LOCALHOST_FOR_TESTS", "true"),
        Map.entry("OAUTH2_CLIENT_ID", "id"), Map.entry("OAUTH2_CLIENT_SECRET", "secret"),
        Map.entry("OAUTH2_JWT_SECRET", "jwt-secret-at-least-32-bytes-long!!"),
        Map.entry("DIGEST_PASSWORD", "pw"), Map.entry("OAUTH1_CONSUMER_KEY", "ck"),
        Map.entry("OAUTH1_CONSUMER_SECRET", "cs"), Map.entry("API_KEY", "k"),
        Map.entry("FORWARD_SECRET", "f"), Map.entry("BASIC_AUTH_PASSWORD", "b"),
        Map.entry("JWT_SECRET", "jwt-secret-at-least-32-bytes-long!!"),
        Map.entry("RECAPTCHA_SECRET_KEY", "r"), Map.entry("AUTH_TOKEN", "a"),
        Map.entry("API_TOKEN", "t"), Map.entry("AWS_ACCESS_KEY_ID", "x"),
        Map.entry("AWS_SECRET_ACCESS_KEY", "y"), Map.entry("API_HOST", "api.example.com")));
    ConfigLoader.Result result = load(fixtures.resolve("examples-webhooks.example.json"),
        fixtures.resolve("examples-connections.example.json"), env);
    // websocket_realtime sends to ws://localhost:8080: loopback targets need allowed_hosts (as for
    // http_webhook), ALLOW_LOCALHOST_FOR_TESTS relaxes only connections.json hosts
    List<ConfigProblem> errors = result.errors();
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).toString().contains("websocket_realtime"), errors::toString);
    assertTrue(errors.get(0).message().contains("is a loopback name"), errors::toString);
  }
}
