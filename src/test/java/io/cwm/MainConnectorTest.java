package io.cwm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import io.cwm.config.PythonFixturesTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's side of the command line: {@code check --connector} and the connector flags.
 * The connector.json files in Python format are the project's own
 * ({@code src/test/resources/python-format/}); the Python version's fixtures are checked too
 * when they are present ({@link PythonFixturesTest#pythonFixtures()}), else those tests are skipped.
 */
class MainConnectorTest {
  static final String VALID = """
      {"cloud_url": "http://cloud:8000", "channel": "orders", "token": "t", "protocol": "websocket",
       "default_target": {"url": "http://localhost:9000/in"}}""";

  record Outcome(int exitCode, String out, String err) {}

  @TempDir
  Path dir;

  static Outcome run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, Env.of(env), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  private Path file(String name, String json) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, json);
    return file;
  }

  /** The project's connector.json files in Python format, checked together (the accepted ones). */
  static final List<String> PROJECT_ACCEPTED = List.of("relay-sse-connector.json", "relay-ws-connector.json",
      "relay-module-connector.json", "relay-legacy-keys-connector.json");

  /** Every project connector file alone: the exit code and every line {@code check} prints (relative paths). */
  static final Map<String, List<String>> PROJECT_ALONE = Map.of(
      "relay-sse-connector.json", List.of("OK: relay-sse-connector.json: connector 'orders-eu' (sse, HTTP mode)"),
      "relay-ws-connector.json", List.of("OK: relay-ws-connector.json: connector 'orders-us' (websocket, HTTP mode)"),
      "relay-module-connector.json", List.of("warning: relay-module-connector.json: webhooks_config: "
          + "/srv/archive/webhooks.json does not exist here (it must be readable where the connector starts)",
          "OK: relay-module-connector.json: connector 'archive' (websocket, module mode), 1 warning(s)"),
      "relay-legacy-keys-connector.json", List.of(
          "warning: relay-legacy-keys-connector.json: max_concurrent: unknown key, ignored",
          "warning: relay-legacy-keys-connector.json: retry_attempts: unknown key, ignored",
          "warning: relay-legacy-keys-connector.json: retry_delay: unknown key, ignored",
          "OK: relay-legacy-keys-connector.json: connector 'burst' (long_poll, HTTP mode), 3 warning(s)"),
      "etcd-connector.json", List.of("OK: etcd-connector.json: connector 'fleet' (websocket, etcd mode)"),
      "unset-token-connector.json", List.of("error: unset-token-connector.json: token: environment variable "
          + "ORDERS_EU_TOKEN is not set and has no default", "REFUSED: 1 error(s), 0 warning(s)"));

  private static List<String> lines(Outcome outcome, Path dir) {
    String prefix = dir.toString() + dir.getFileSystem().getSeparator();
    return outcome.out().replace(prefix, "").lines().toList();
  }

  @Test
  void checkAcceptsTheProjectConnectorFilesTogether() {
    Path dir = PythonFixturesTest.projectFiles();
    List<String> args = new ArrayList<>(List.of("check"));
    PROJECT_ACCEPTED.forEach(name -> args.addAll(List.of("--connector", dir.resolve(name).toString())));
    Outcome outcome = run(Map.of(), args.toArray(String[]::new));
    assertEquals(0, outcome.exitCode(), outcome.out() + outcome.err());
    assertEquals(List.of(
        "warning: relay-module-connector.json: webhooks_config: /srv/archive/webhooks.json does not exist here "
            + "(it must be readable where the connector starts)",
        "warning: relay-legacy-keys-connector.json: max_concurrent: unknown key, ignored",
        "warning: relay-legacy-keys-connector.json: retry_attempts: unknown key, ignored",
        "warning: relay-legacy-keys-connector.json: retry_delay: unknown key, ignored",
        "OK: relay-sse-connector.json: connector 'orders-eu' (sse, HTTP mode); "
            + "relay-ws-connector.json: connector 'orders-us' (websocket, HTTP mode); "
            + "relay-module-connector.json: connector 'archive' (websocket, module mode); "
            + "relay-legacy-keys-connector.json: connector 'burst' (long_poll, HTTP mode), 4 warning(s)"),
        lines(outcome, dir));
  }

  @TestFactory
  Stream<DynamicTest> checkEachProjectConnectorFileAlone() {
    Path dir = PythonFixturesTest.projectFiles();
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files = listed.filter(file -> file.getFileName().toString().endsWith("-connector.json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(new TreeSet<>(PROJECT_ALONE.keySet()),
        new TreeSet<>(files.stream().map(file -> file.getFileName().toString()).toList()),
        "PROJECT_ALONE must list exactly the connector files present");
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      List<String> expected = PROJECT_ALONE.get(file.getFileName().toString());
      Outcome outcome = run(Map.of(), "check", "--connector", file.toString());
      assertEquals(expected.get(expected.size() - 1).startsWith("OK: ") ? 0 : 1, outcome.exitCode(), outcome.out());
      assertEquals(expected, lines(outcome, dir));
    }));
  }

  @Test
  void moduleModeFileIsCleanOnceItsWebhooksFileIsGiven() {
    Path dir = PythonFixturesTest.projectFiles();
    Path connector = dir.resolve("relay-module-connector.json");
    Outcome outcome = run(Map.of("ARCHIVE_WEBHOOKS_CONFIG", dir.resolve("relay-module-webhooks.json").toString()),
        "check", "--connector", connector.toString());
    assertEquals(0, outcome.exitCode(), outcome.out());
    assertEquals(List.of("OK: relay-module-connector.json: connector 'archive' (websocket, module mode)"),
        lines(outcome, dir));
  }

  @Test
  void connectorRefusesAtStartAFileThatCheckOnlyWarnsAbout() {
    Path file = PythonFixturesTest.projectFile("relay-module-connector.json");
    Outcome outcome = run(Map.of(), "connector", "-c", file.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().contains("error: " + file + ": webhooks_config: /srv/archive/webhooks.json does not exist"),
        outcome.err());
  }

  // ---- the Python version's connector fixtures, when present (PythonFixturesTest.pythonFixtures) ----

  @Test
  void checkAcceptsEveryPythonConnectorFixture() throws IOException {
    Path fixtures = PythonFixturesTest.assumePythonFixtures();
    List<String> args = new ArrayList<>(List.of("check"));
    try (Stream<Path> files = Files.list(fixtures)) {
      files.filter(file -> file.getFileName().toString().contains("-connector")
              && file.getFileName().toString().endsWith(".json"))
          .sorted().forEach(file -> args.addAll(List.of("--connector", file.toString())));
    }
    assertEquals(8, args.size() - 1, args::toString);
    Outcome outcome = run(Map.of(), args.toArray(String[]::new));
    assertEquals(0, outcome.exitCode(), outcome.out() + outcome.err());
    assertFalse(outcome.out().contains("error:"), outcome.out());
    assertTrue(outcome.out().contains("02_connector-connector.json: connector 'test-channel' (sse, HTTP mode)"),
        outcome.out());
    assertTrue(outcome.out().contains("04_connector_advanced-connector-module.json: connector 'channel-module' "
        + "(websocket, module mode)"), outcome.out());
    // module mode points into the Python container: a warning here, an error at start
    assertTrue(outcome.out().contains("webhooks_config: /app/module-webhooks.json does not exist here"),
        outcome.out());
    assertTrue(outcome.out().contains("02_connector-connector.json: max_concurrent: unknown key, ignored"),
        outcome.out());
  }

  @TestFactory
  Stream<DynamicTest> checkEachPythonConnectorFixtureAlone() {
    return PythonFixturesTest.walkPythonFixtures(MainConnectorTest::connectorFixtureTests);
  }

  private static Stream<DynamicTest> connectorFixtureTests(Path fixtures) {
    List<Path> connectors;
    try (Stream<Path> files = Files.list(fixtures)) {
      connectors = files.filter(f -> f.getFileName().toString().contains("-connector")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(PythonFixturesTest.CONNECTOR_FIXTURES.size(), connectors.size(), connectors::toString);
    return connectors.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Outcome outcome = run(Map.of(), "check", "--connector", file.toString());
      assertEquals(0, outcome.exitCode(), file + ": " + outcome.out());
      assertTrue(outcome.out().lines().reduce((a, b) -> b).orElse("").startsWith("OK: "), outcome.out());
    }));
  }

  @Test
  void connectorRefusesAtStartTheModuleFixtureThatCheckOnlyWarnsAbout() {
    Path fixture = PythonFixturesTest.assumePythonFixtures().resolve("04_connector_advanced-connector-module.json");
    Outcome outcome = run(Map.of(), "connector", "-c", fixture.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().contains("error: " + fixture + ": webhooks_config: /app/module-webhooks.json does not exist"),
        outcome.err());
  }

  @Test
  void checkPrintsEveryProblemAndRefuses() throws IOException {
    Path bad = file("bad.json", """
        {"cloud_url": "ftp://cloud", "channel": "a b", "token": "", "protocol": "grpc",
         "default_target": {"url": "http://localhost:1/x", "retries": 2},
         "webhooks_config": "/app/w.json"}""");
    Outcome outcome = run(Map.of(), "check", "--connector", bad.toString());
    assertEquals(1, outcome.exitCode());
    String out = outcome.out();
    assertTrue(out.contains("error: " + bad + ": cloud_url: must be an http://, https://, ws:// or wss:// URL with a host"), out);
    assertTrue(out.contains("error: " + bad + ": channel: must match"), out);
    assertTrue(out.contains("error: " + bad + ": token: is required"), out);
    assertTrue(out.contains("error: " + bad + ": protocol: must be websocket, sse or long_poll, got 'grpc'"), out);
    assertTrue(out.contains("error: " + bad + ": default_target.retries: unknown key 'retries' in a target"), out);
    assertTrue(out.contains("error: " + bad + ": more than one delivery mode: default_target (HTTP mode); "
        + "webhooks_config (module mode); set exactly one"), out);
    assertTrue(out.contains("warning: " + bad + ": webhooks_config: /app/w.json does not exist here"), out);
    assertTrue(out.endsWith("REFUSED: 6 error(s), 1 warning(s)\n"), out);
  }

  @Test
  void checkAppliesTheVariablesAndFlagsTheConnectorWouldUse() throws IOException {
    Path valid = file("c.json", VALID);
    Outcome outcome = run(Map.of("CONNECTOR_PROTOCOL", "sse"), "check", "--connector", valid.toString());
    assertEquals(0, outcome.exitCode(), outcome.out());
    assertTrue(outcome.out().contains("connector 'orders' (sse, HTTP mode)"), outcome.out());
    Outcome flagged = run(Map.of("CONNECTOR_PROTOCOL", "sse"), "check", "--config", valid.toString(),
        "--protocol", "long_poll");
    assertTrue(flagged.out().contains("connector 'orders' (long_poll, HTTP mode)"), flagged.out());
  }

  @Test
  void checkWithConnectorFilesOnlyDoesNotCheckWebhooks() throws IOException {
    Path valid = file("c.json", VALID);
    Outcome outcome = run(Map.of("WEBHOOKS_CONFIG_FILE", dir.resolve("absent.json").toString()),
        "check", "--connector", valid.toString());
    assertEquals(0, outcome.exitCode(), outcome.out());
    assertTrue(outcome.out().startsWith("OK: " + valid + ": connector 'orders'"), outcome.out());
  }

  @Test
  void checkOfWebhooksAndConnectorsRefusesWhenEitherHasErrors() throws IOException {
    Path valid = file("c.json", VALID);
    Outcome outcome = run(Map.of(), "check", "--webhooks", dir.resolve("absent.json").toString(),
        "--connector", valid.toString());
    assertEquals(1, outcome.exitCode(), outcome.out());
    assertTrue(outcome.out().contains("REFUSED"), outcome.out());
    assertTrue(outcome.out().contains("OK: " + valid), outcome.out());
  }

  @Test
  void connectorWithABadConfigExitsOnePrintingEveryProblem() throws IOException {
    Path bad = file("bad.json", "{\"cloud_url\": \"http://cloud:8000\", \"protocol\": \"sse\"}");
    Outcome outcome = run(Map.of(), "connector", "--config", bad.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().startsWith("cwm connector did not start:\n"), outcome.err());
    assertTrue(outcome.err().contains("  error: " + bad + ": channel: is required"), outcome.err());
    assertTrue(outcome.err().contains("  error: " + bad + ": token: is required"), outcome.err());
    assertTrue(outcome.err().contains("  error: " + bad + ": no delivery mode"), outcome.err());
  }

  @Test
  void connectorWithoutConfigUsesTheEnvironmentAndFlags() {
    Outcome outcome = run(Map.of("CONNECTOR_CLOUD_URL", "http://cloud:8000"), "connector", "--channel", "orders",
        "--protocol", "sse");
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().contains("error: environment: token: is required"), outcome.err());
    assertFalse(outcome.err().contains("cloud_url"), outcome.err());
    assertFalse(outcome.err().contains("channel"), outcome.err());
  }

  @Test
  void tokenFlagWarnsThatItIsVisibleInTheProcessList() {
    Outcome outcome = run(Map.of(), "connector", "--token", "s3cret");
    assertTrue(outcome.err().startsWith("warning: --token is visible in the process list"), outcome.err());
    assertFalse(outcome.err().contains("s3cret"), outcome.err());
  }

  @Test
  void badProtocolOrLogLevelFlagIsAUsageError() {
    Outcome protocol = run(Map.of(), "connector", "--protocol", "grpc");
    assertEquals(2, protocol.exitCode());
    assertTrue(protocol.err().startsWith("error: --protocol must be websocket, sse or long_poll"), protocol.err());
    Outcome level = run(Map.of(), "connector", "--log-level", "TRACE");
    assertEquals(2, level.exitCode());
    assertTrue(level.err().startsWith("error: --log-level must be DEBUG, INFO, WARNING or ERROR"), level.err());
  }

  @Test
  void connectorOptionsAreRefusedByTheReceiverRole() throws IOException {
    Outcome outcome = run(Map.of(), "receiver", "--config", file("c.json", VALID).toString());
    assertEquals(2, outcome.exitCode());
    assertTrue(outcome.err().startsWith("error: connector options (--config, --cloud-url, --channel, ...) are not "
        + "used by the receiver role"), outcome.err());
  }

  @Test
  void connectorFlagsWithoutConfigAreRefusedInTheBothRole() {
    Outcome outcome = run(Map.of(), "both", "--channel", "orders");
    assertEquals(2, outcome.exitCode());
    assertTrue(outcome.err().startsWith("error: in the both role the connector flags need --config"), outcome.err());
  }

  @Test
  void bothRoleChecksItsConnectorFiles() throws IOException {
    Path bad = file("bad.json", "{}");
    Outcome outcome = run(Map.of(), "both", "--config", bad.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().startsWith("cwm both did not start:"), outcome.err());
  }

  @Test
  void connectorOptionOutsideCheckIsAUsageError() throws IOException {
    Outcome outcome = run(Map.of(), "connector", "--connector", file("c.json", VALID).toString());
    assertEquals(2, outcome.exitCode());
    assertTrue(outcome.err().startsWith("error: --connector is an option of check"), outcome.err());
  }

  @Test
  void duplicateChannelsAcrossFilesAreRefused() throws IOException {
    Path first = file("a.json", VALID);
    Path second = file("b.json", VALID);
    Outcome outcome = run(Map.of(), "check", "--connector", first.toString(), "--connector", second.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.out().contains("error: " + second + ": channel: channel 'orders' of http://cloud:8000 is "
        + "already served by the connector from " + first), outcome.out());
  }
}
