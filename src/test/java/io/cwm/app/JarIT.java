package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar as users run it: exit codes, check, and the main job on the example config. */
class JarIT {
  static final Path JAR = Path.of(System.getProperty("cwm.jar", "target/cwm.jar"));
  static final Path EXAMPLE = Path.of("src/main/resources/conf");

  record Outcome(int exitCode, String stdout, String stderr) {}

  static Outcome run(Path workDir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "process did not finish");
    return new Outcome(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void badRoleExitsTwoWithAOneLineReasonAndTheUsage(@TempDir Path dir) throws Exception {
    Outcome outcome = run(dir, "sender");
    assertEquals(2, outcome.exitCode());
    String[] lines = outcome.stderr().split("\n");
    assertEquals("error: unknown role 'sender' (expected receiver, connector, both or check)", lines[0]);
    assertTrue(outcome.stderr().contains("Usage: cwm"), outcome.stderr());
  }

  @Test
  void badFlagExitsTwo(@TempDir Path dir) throws Exception {
    Outcome outcome = run(dir, "receiver", "--prot", "8000");
    assertEquals(2, outcome.exitCode());
    assertTrue(outcome.stderr().startsWith("error: Unknown option"), outcome.stderr());
    assertTrue(outcome.stderr().contains("'--prot'"), outcome.stderr());
    assertTrue(outcome.stderr().contains("Usage: cwm"));
  }

  @Test
  void helpExitsZero(@TempDir Path dir) throws Exception {
    Outcome outcome = run(dir, "--help");
    assertEquals(0, outcome.exitCode());
    assertTrue(outcome.stdout().contains("receiver | connector | both | check"));
  }

  @Test
  void checkAcceptsTheExampleConfigAndRefusesABadOne(@TempDir Path dir) throws Exception {
    // --host: what the README's command binds; the example's demo secrets are refused off loopback
    Outcome ok = run(dir, "check", "--host", "127.0.0.1", "--webhooks",
        EXAMPLE.resolve("webhooks.json").toAbsolutePath().toString(),
        "--connections", EXAMPLE.resolve("connections.json").toAbsolutePath().toString());
    assertEquals(0, ok.exitCode(), ok.stdout() + ok.stderr());
    assertTrue(ok.stdout().startsWith("OK: "), ok.stdout());

    Path bad = dir.resolve("bad-webhooks.json");
    Files.writeString(bad, "{\"a\":{\"module\":\"log\",\"hmac\":{\"secret\":\"\"}},"
        + "\"b\":{\"module\":\"nope\"},\"c\":{\"module\":\"log\",\"data_type\":\"xml\"}}");
    Outcome refused = run(dir, "check", "--webhooks", bad.toString());
    assertEquals(1, refused.exitCode());
    assertTrue(refused.stdout().contains("error: " + bad + ": webhook 'a': hmac.secret: HMAC secret not configured"),
        refused.stdout());
    assertTrue(refused.stdout().contains("webhook 'b': module: unknown module 'nope'"), refused.stdout());
    assertTrue(refused.stdout().contains("webhook 'c': data_type: must be \"json\" or \"blob\""), refused.stdout());
    assertTrue(refused.stdout().contains("REFUSED: 3 error(s)"), refused.stdout());
  }

  @Test
  void startUpIsRefusedWhenTheConfigHasAnError(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("webhooks.json");
    Files.writeString(bad, "{\"a\":{\"module\":\"log\",\"authorization\":\"Bearer {$UNSET_TOKEN_FOR_TEST}\"}}");
    Outcome outcome = run(dir, "receiver", "--webhooks", bad.toString(), "--port", "0");
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.stderr().contains("webhook 'a': authorization: environment variable "
        + "UNSET_TOKEN_FOR_TEST is not set and has no default"), outcome.stderr());
  }

  @Test
  void bothRoleServesTheExampleConfigAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int port = TestServer.freePort();
    // the README's main job, run from the project directory (the connector's paths are relative to it)
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", JAR.toAbsolutePath().toString(), "both",
        "--webhooks", EXAMPLE.resolve("webhooks.json").toString(),
        "--connections", EXAMPLE.resolve("connections.json").toString(),
        "--config", EXAMPLE.resolve("connector.json").toString(),
        "--data-dir", dir.resolve("data").toString(),
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile());
    // no PORT: conf/connector.json's {$PORT:8000} is the receiver's --port in the both role
    builder.environment().remove("PORT");
    Process process = builder.start();
    try {
      HttpResponse<String> response = awaitUp(port);
      assertEquals(200, response.statusCode());
      assertEquals(200, Http.post(port, "/webhook/demo", "{\"hello\":\"world\"}",
          "Authorization", "Bearer demo-token").statusCode());
      assertEquals(401, Http.post(port, "/webhook/demo", "{}").statusCode());
      // relayed through the built-in connector to its local log module
      assertEquals(200, Http.post(port, "/webhook/relay_demo", "{\"id\":\"evt_2\"}",
          "Authorization", "Bearer relay-token").statusCode());
      assertTrue(io.cwm.testing.TestConnector.await(20_000, () -> {
        try {
          return Files.readString(dir.resolve("out.log")).contains("webhook_id=relay_demo");
        } catch (IOException e) {
          return false;
        }
      }), "the relayed webhook reached the connector's log module");
      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "did not stop on SIGTERM");
      String log = Files.readString(dir.resolve("out.log"));
      assertTrue(log.contains("webhook_id=demo"), log);
      assertFalse(log.contains("demo-token"), "the bearer token must not be logged");
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * vertx-micrometer-metrics registered its event-bus gauges once per consumer, and Micrometer logged
   * the repeat at WARN ("This Gauge has been already registered (vertx.eventbus.handlers)") while
   * the receiver started: a fresh JVM shows it (later ones log it at DEBUG).
   */
  @Test
  void startUpLogsNoRepeatedMeterRegistration(@TempDir Path dir) throws Exception {
    Path webhooks = Files.writeString(dir.resolve("webhooks.json"), "{\"orders\": {\"module\": \"log\"}}");
    Path log = dir.resolve("out.log");
    Process process = new ProcessBuilder("java", "-jar", JAR.toAbsolutePath().toString(), "receiver",
        "--webhooks", webhooks.toString(), "--host", "127.0.0.1", "--port", "0",
        "--data-dir", dir.resolve("data").toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertTrue(io.cwm.testing.TestConnector.await(30_000, () -> {
        try {
          return Files.readString(log).contains("cwm receiver listening on http://127.0.0.1:");
        } catch (IOException e) {
          return false;
        }
      }), "the receiver started");
      String output = Files.readString(log);
      assertFalse(output.contains("has been already registered"), output);
      assertFalse(output.contains(" WARN "), output);
    } finally {
      process.destroy();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "did not stop on SIGTERM");
    }
  }

  private static HttpResponse<String> awaitUp(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return Http.get(port, "/health");
      } catch (IOException notYet) {
        last = notYet;
        TimeUnit.MILLISECONDS.sleep(100); // polling with a deadline
      }
    }
    throw new AssertionError("server did not come up", last);
  }
}
