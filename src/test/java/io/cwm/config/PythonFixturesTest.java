package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.validate.ValidatorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Walks {@code ../shared/fixtures/python-configs/}: every webhooks file (with its connections
 * file) is either accepted by the same loader that {@code check} and start-up use, or refused
 * only for the reasons listed here and in the README ("Python config files" section). A new
 * fixture file, or a file refused for any other reason, fails this test.
 */
class PythonFixturesTest {
  static final Path FIXTURES = Path.of(System.getProperty("cwm.shared.dir", "../shared"))
      .resolve("fixtures/python-configs");

  static final String NOT_IN_BUILD = "is not available in this build";

  /** Refused files and the only reasons (substrings of each error) they may be refused for. */
  static final Map<String, List<String>> REFUSED = Map.ofEntries(
      Map.entry("activemq-webhooks.json", List.of(NOT_IN_BUILD)),
      Map.entry("aws-sqs-webhooks.json", List.of(NOT_IN_BUILD)),
      Map.entry("clickhouse-webhooks.json", List.of(NOT_IN_BUILD)),
      Map.entry("gcp-pubsub-webhooks.json", List.of(NOT_IN_BUILD)),
      Map.entry("mqtt-webhooks.json", List.of(NOT_IN_BUILD)),
      Map.entry("mysql-webhooks.json", List.of(NOT_IN_BUILD)),
      // Vault is not supported: a reference without an inline default cannot be resolved, and
      // test_vault_save writes to /tmp/webhooks, outside the working directory it must stay in.
      Map.entry("vault-webhooks.json", List.of("Vault reference", "must stay inside base_dir")),
      // The example file references unset variables without defaults ({$JWT_SECRET}, ...), modules
      // not in this build, connections on localhost (refused unless ALLOW_LOCALHOST_FOR_TESTS), and
      // http_webhook URLs on localhost by default ({$API_HOST:localhost}; only allowed_hosts relaxes).
      Map.entry("examples-webhooks.example.json",
          List.of(NOT_IN_BUILD, "is not set and has no default", "localhost is refused", "is a loopback name")));

  /** connector.json files: checked by {@code check --connector} in {@code io.cwm.MainConnectorTest}. */
  static final List<String> CONNECTOR_FILES = List.of("02_connector-connector.json",
      "04_connector_advanced-connector-module.json", "04_connector_advanced-connector-sse.json",
      "04_connector_advanced-connector-ws.json");

  /**
   * The save_to_disk paths in these files ({@code /app/logs/webhooks.log}) are inside the
   * working directory of the Python Docker image, /app; SAVE_TO_DISK_BASE_DIR reproduces it.
   */
  static final Env ENV = Env.of(Map.of("SAVE_TO_DISK_BASE_DIR", "/app"));

  private static ConfigLoader.Result check(Path webhooks) {
    return check(webhooks, ENV);
  }

  private static ConfigLoader.Result check(Path webhooks, Env env) {
    String name = webhooks.getFileName().toString();
    Path connections = webhooks.resolveSibling(name.replace("webhooks", "connections"));
    boolean paired = !name.equals("examples-webhooks.performance.json") && Files.exists(connections);
    return ConfigLoader.load(webhooks, paired ? connections : webhooks.resolveSibling("absent-connections.json"),
        env, new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP during check");
        }), true, paired);
  }

  private static List<Path> files() throws IOException {
    try (Stream<Path> list = Files.list(FIXTURES)) {
      return list.sorted().toList();
    }
  }

  @Test
  void everyWebhooksFileIsAcceptedOrRefusedForADocumentedReason() throws IOException {
    Map<String, String> unexpected = new TreeMap<>();
    TreeSet<String> accepted = new TreeSet<>();
    for (Path file : files()) {
      String name = file.getFileName().toString();
      if (!name.contains("webhooks")) {
        continue;
      }
      ConfigLoader.Result result = check(file);
      List<String> reasons = REFUSED.get(name);
      if (result.ok()) {
        accepted.add(name);
        if (reasons != null) {
          unexpected.put(name, "accepted, but listed as refused: update REFUSED and the README");
        }
        continue;
      }
      if (reasons == null) {
        unexpected.put(name, "refused: " + result.errors());
        continue;
      }
      for (ConfigProblem error : result.errors()) {
        if (reasons.stream().noneMatch(reason -> error.message().contains(reason))) {
          unexpected.put(name, "refused for an undocumented reason: " + error);
        }
      }
    }
    assertTrue(unexpected.isEmpty(), () -> "fixture outcomes changed: " + unexpected);
    assertTrue(accepted.containsAll(List.of("webhook-only-webhooks.json", "02_connector-local-webhooks.json",
        "02_connector-cloud-webhooks.json", "04_connector_advanced-cloud-webhooks.json",
        "04_connector_advanced-module-webhooks.json", "examples-webhooks.performance.json")), accepted::toString);
  }

  /** Every key of every fixture entry is one Python reads: no unknown-key warning, and the strict mode changes nothing. */
  @Test
  void fixturesHaveNoUnknownKeysAndKeepTheirVerdictInStrictMode() throws IOException {
    Env strict = Env.of(Map.of("SAVE_TO_DISK_BASE_DIR", "/app", "CWM_STRICT_CONFIG", "true"));
    for (Path file : files()) {
      String name = file.getFileName().toString();
      if (!name.contains("webhooks")) {
        continue;
      }
      ConfigLoader.Result result = check(file);
      assertTrue(result.problems().stream().noneMatch(problem -> problem.message().startsWith("unknown key")),
          () -> name + ": " + result.problems());
      assertEquals(result.problems(), check(file, strict).problems(), name);
    }
  }

  @Test
  void everyConnectionsFileLoads() throws IOException {
    for (Path file : files()) {
      String name = file.getFileName().toString();
      if (!name.contains("connections")) {
        continue;
      }
      ConfigLoader.Result result = ConfigLoader.load(file.resolveSibling("absent-webhooks.json"), file,
          ENV, new ValidatorContext(Clock.systemUTC(), ENV, () -> null), false, true);
      // Alone (no webhook references a connection), a connections file never has errors; bad
      // entries are warnings until a webhook uses them.
      assertTrue(result.ok(), () -> name + ": " + result.errors());
    }
  }

  @Test
  void everyFixtureFileIsCovered() throws IOException {
    for (Path file : files()) {
      String name = file.getFileName().toString();
      boolean covered = name.contains("webhooks") || name.contains("connections") || CONNECTOR_FILES.contains(name);
      assertTrue(covered, () -> "fixture not covered by any test: " + name);
    }
    assertEquals(4, CONNECTOR_FILES.stream().filter(name -> Files.exists(FIXTURES.resolve(name))).count());
  }

  @Test
  void theExampleFileIsAcceptedOnceItsVariablesAreSetExceptForModulesNotInThisBuild() {
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
    ConfigLoader.Result result = ConfigLoader.load(FIXTURES.resolve("examples-webhooks.example.json"),
        FIXTURES.resolve("examples-connections.example.json"), env,
        new ValidatorContext(Clock.systemUTC(), env, () -> null), true, true);
    List<ConfigProblem> errors = result.errors();
    assertFalse(errors.isEmpty());
    for (ConfigProblem error : errors) {
      assertTrue(error.message().contains(NOT_IN_BUILD), error::toString);
    }
  }
}
