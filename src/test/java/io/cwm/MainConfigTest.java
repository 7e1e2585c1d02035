package io.cwm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.cwm.config.Env;
import io.cwm.testing.Http;
import io.cwm.testing.LogCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver's configuration through the command line: check's verdicts, exit codes and start-up refusals. */
class MainConfigTest {
  record Outcome(int exitCode, String out, String err) {}

  @TempDir
  Path dir;

  private final List<Main.Started> started = new ArrayList<>();

  @AfterEach
  void stopServers() throws Exception {
    for (Main.Started server : started) {
      if (server.running() != null) {
        server.running().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  static Outcome run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, Env.of(env), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** Runs a server role in this JVM; the test closes it afterwards. */
  private Main.Started start(Map<String, String> env, String... args) {
    Map<String, String> full = new HashMap<>(env);
    full.putIfAbsent("SAVE_TO_DISK_BASE_DIR", dir.toString());
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data-dir", dir.resolve("data").toString()));
    Main.Started server = Main.start(all.toArray(String[]::new), Env.of(full), new PrintWriter(new StringWriter(), true),
        new PrintWriter(new StringWriter(), true));
    started.add(server);
    return server;
  }

  private Path file(String name, String json) throws IOException {
    return Files.writeString(dir.resolve(name), json);
  }

  // ---- 1.8 unknown keys

  @Test
  void checkRefusesAMisspeltValidator() throws IOException {
    Path webhooks = file("webhooks.json", "{\"github\": {\"module\": \"log\", \"hmca\": {\"secret\": \"s\"}}}");
    Outcome outcome = run(Map.of(), "check", "--webhooks", webhooks.toString(), "--host", "127.0.0.1");
    assertEquals(1, outcome.exitCode(), outcome.out());
    assertEquals("error: " + webhooks + ": webhook 'github': unknown key 'hmca' (did you mean 'hmac'?): the webhook "
        + "would run without this check\nREFUSED: 1 error(s), 0 warning(s)\n", outcome.out());
  }

  @Test
  void checkWarnsAboutAnUnknownKeyAndAccepts() throws IOException {
    Path webhooks = file("webhooks.json", "{\"shop\": {\"module\": \"log\", \"descripton\": \"orders\"}}");
    Outcome outcome = run(Map.of(), "check", "--webhooks", webhooks.toString());
    assertEquals(0, outcome.exitCode(), outcome.out());
    assertTrue(outcome.out().startsWith("warning: " + webhooks + ": webhook 'shop': unknown key 'descripton', ignored\n"
        + "OK: "), outcome.out());
  }

  @Test
  void strictFlagAndStrictEnvironmentRefuseAnUnknownKey() throws IOException {
    Path webhooks = file("webhooks.json", "{\"shop\": {\"module\": \"log\", \"descripton\": \"orders\"}}");
    Outcome flag = run(Map.of(), "check", "--strict", "--webhooks", webhooks.toString());
    assertEquals(1, flag.exitCode(), flag.out());
    assertTrue(flag.out().contains("error: " + webhooks + ": webhook 'shop': unknown key 'descripton': refused in "
        + "strict mode"), flag.out());
    Outcome variable = run(Map.of("CWM_STRICT_CONFIG", "true"), "check", "--webhooks", webhooks.toString());
    assertEquals(1, variable.exitCode(), variable.out());
    Outcome receiver = run(Map.of(), "receiver", "--strict", "--webhooks", webhooks.toString(), "--port", "0",
        "--data-dir", dir.resolve("data").toString());
    assertEquals(1, receiver.exitCode(), receiver.err());
    assertTrue(receiver.err().contains("unknown key 'descripton': refused in strict mode"), receiver.err());
  }

  @Test
  void receiverRefusesToStartWithAMisspeltValidator() throws IOException {
    Path webhooks = file("webhooks.json", "{\"github\": {\"module\": \"log\", \"HMAC\": {\"secret\": \"s\"}}}");
    Outcome outcome = run(Map.of(), "receiver", "--webhooks", webhooks.toString(), "--port", "0",
        "--data-dir", dir.resolve("data").toString());
    assertEquals(1, outcome.exitCode());
    assertEquals("cwm receiver did not start:\n  error: " + webhooks + ": webhook 'github': unknown key 'HMAC' (did you "
        + "mean 'hmac'?): the webhook would run without this check\n", outcome.err());
  }

  @Test
  void receiverStartsWithAnUnknownKeyAndLogsTheWarning() throws Exception {
    Path webhooks = file("webhooks.json", "{\"shop\": {\"module\": \"log\", \"descripton\": \"orders\"}}");
    try (LogCapture log = LogCapture.of("io.cwm.app.Launcher")) {
      Main.Started server = start(Map.of(), "receiver", "--webhooks", webhooks.toString(), "--host", "127.0.0.1",
          "--port", "0");
      assertEquals(0, server.exitCode());
      assertNotNull(server.running());
      assertTrue(log.messages(Level.WARN).contains("warning: " + webhooks + ": webhook 'shop': unknown key "
          + "'descripton', ignored"), log.messages(Level.WARN)::toString);
    }
  }

  // ---- 1.5 a missing webhooks file

  static final String NEEDS_WEBHOOKS = "file not found: the receiver needs its webhooks file (--webhooks, "
      + "WEBHOOKS_CONFIG_FILE); --allow-default-webhook or ALLOW_DEFAULT_WEBHOOK=true serves the built-in 'default' "
      + "entry instead (no authentication, logs every body)";

  @Test
  void receiverAndBothRefuseToStartWithoutTheirWebhooksFile() {
    Path missing = dir.resolve("missing-webhooks.json");
    for (String role : List.of("receiver", "both")) {
      Outcome outcome = run(Map.of(), role, "--webhooks", missing.toString(), "--host", "127.0.0.1", "--port", "0",
          "--data-dir", dir.resolve("data").toString());
      assertEquals(1, outcome.exitCode(), role);
      assertEquals("cwm " + role + " did not start:\n  error: " + missing + ": " + NEEDS_WEBHOOKS + "\n", outcome.err());
    }
  }

  @Test
  void theWebhooksFileOfTheEnvironmentOrTheDefaultNameIsRequiredToo() {
    Path missing = dir.resolve("env-webhooks.json");
    Outcome fromEnv = run(Map.of("WEBHOOKS_CONFIG_FILE", missing.toString()), "receiver", "--port", "0",
        "--data-dir", dir.resolve("data").toString());
    assertEquals(1, fromEnv.exitCode());
    assertTrue(fromEnv.err().contains("error: " + missing + ": " + NEEDS_WEBHOOKS), fromEnv.err());
    assertFalse(Files.exists(Path.of("webhooks.json")), "the test runs where no webhooks.json is");
    Outcome byDefault = run(Map.of(), "receiver", "--port", "0", "--data-dir", dir.resolve("data").toString());
    assertEquals(1, byDefault.exitCode());
    assertTrue(byDefault.err().contains("error: webhooks.json: " + NEEDS_WEBHOOKS), byDefault.err());
  }

  @Test
  void checkSaysTheSameAndAcceptsTheDefaultEntryOnlyWhenAskedFor() {
    Path missing = dir.resolve("missing-webhooks.json");
    Outcome refused = run(Map.of(), "check", "--webhooks", missing.toString());
    assertEquals(1, refused.exitCode());
    assertEquals("error: " + missing + ": " + NEEDS_WEBHOOKS + "\nREFUSED: 1 error(s), 0 warning(s)\n", refused.out());
    Outcome allowed = run(Map.of(), "check", "--allow-default-webhook", "--webhooks", missing.toString());
    assertEquals(0, allowed.exitCode(), allowed.out());
    assertTrue(allowed.out().startsWith("warning: " + missing + ": file not found: serving the built-in 'default' "
        + "webhook"), allowed.out());
  }

  @Test
  void theFlagOrTheVariableServesTheDefaultEntryWithAWarning() throws Exception {
    Path missing = dir.resolve("missing-webhooks.json");
    for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("ALLOW_DEFAULT_WEBHOOK", "true"))) {
      try (LogCapture log = LogCapture.of("io.cwm.app.Launcher")) {
        int port = io.cwm.testing.TestServer.freePort();
        List<String> args = new ArrayList<>(List.of("receiver", "--webhooks", missing.toString(), "--host",
            "127.0.0.1", "--port", String.valueOf(port)));
        if (env.isEmpty()) {
          args.add("--allow-default-webhook");
        }
        Main.Started server = start(env, args.toArray(String[]::new));
        assertEquals(0, server.exitCode(), env.toString());
        assertEquals(200, Http.post(port, "/webhook/anything", "{}").statusCode());
        assertTrue(log.messages(Level.WARN).contains("warning: " + missing + ": file not found: serving the built-in "
            + "'default' webhook (no authentication, logs every body) as --allow-default-webhook / "
            + "ALLOW_DEFAULT_WEBHOOK=true asks"), log.messages(Level.WARN)::toString);
        server.running().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  // ---- 1.4 placeholder and demo secrets

  static final Path EXAMPLE = Path.of("src/main/resources/conf");

  @Test
  void checkAndStartRefuseAPlaceholderAdminTokenWithoutPrintingIt() throws IOException {
    Path webhooks = file("webhooks.json", "{\"x\": {\"module\": \"log\", \"authorization\": \"Bearer 9c1f0e7d\"}}");
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "REPLACE_ME-admin-token");
    Outcome check = run(env, "check", "--webhooks", webhooks.toString());
    assertEquals(1, check.exitCode());
    assertEquals("error: environment: WEBHOOK_CONNECT_ADMIN_TOKEN: is a placeholder (REPLACE_ME…): set the real "
        + "token, or leave WEBHOOK_CONNECT_ADMIN_TOKEN unset\nREFUSED: 1 error(s), 0 warning(s)\n", check.out());
    Outcome start = run(env, "receiver", "--webhooks", webhooks.toString(), "--port", "0", "--data-dir",
        dir.resolve("data").toString());
    assertEquals(1, start.exitCode());
    assertTrue(start.err().contains("WEBHOOK_CONNECT_ADMIN_TOKEN: is a placeholder (REPLACE_ME…)"), start.err());
    assertFalse((check.out() + start.err()).contains("admin-token"), "the value is never printed");
  }

  @Test
  void receiverRefusesAPlaceholderValidatorSecret() throws IOException {
    Path webhooks = file("webhooks.json", "{\"stripe\": {\"module\": \"log\", \"hmac\": {\"secret\": \"{$S}\"}}}");
    Outcome outcome = run(Map.of("S", "whsec_REPLACE_ME"), "receiver", "--webhooks", webhooks.toString(),
        "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.resolve("data").toString());
    assertEquals(1, outcome.exitCode());
    assertEquals("cwm receiver did not start:\n  error: " + webhooks + ": webhook 'stripe': hmac.secret: is a "
        + "placeholder (REPLACE_ME…): set the real secret (set through {$S})\n", outcome.err());
  }

  @Test
  void aPlaceholderConnectorTokenIsRefusedByCheckAndAtStart() throws IOException {
    Path connector = file("connector.json", """
        {"cloud_url": "https://webhooks.example.com", "channel": "payments", "token": "{$T}",
         "default_target": {"url": "http://payments-api:8080/in"}}""");
    Map<String, String> env = Map.of("T", "REPLACE_ME-payments-channel-token");
    Outcome check = run(env, "check", "--connector", connector.toString());
    assertEquals(1, check.exitCode());
    assertTrue(check.out().startsWith("error: " + connector + ": token: is a placeholder (REPLACE_ME…): set the "
        + "channel's real token\n"), check.out());
    Outcome start = run(env, "connector", "--config", connector.toString());
    assertEquals(1, start.exitCode());
    assertTrue(start.err().contains("error: " + connector + ": token: is a placeholder (REPLACE_ME…)"), start.err());
    assertFalse((check.out() + start.err()).contains("payments-channel-token"), "the value is never printed");
  }

  @Test
  void theExampleConfigIsAcceptedOnLoopbackOnly() {
    String[] files = {"--webhooks", EXAMPLE.resolve("webhooks.json").toString(), "--connections",
        EXAMPLE.resolve("connections.json").toString()};
    Outcome loopback = run(Map.of(), concat(new String[] {"check", "--host", "127.0.0.1"}, files));
    assertEquals(0, loopback.exitCode(), loopback.out());
    Outcome everywhere = run(Map.of(), concat(new String[] {"check"}, files));
    assertEquals(1, everywhere.exitCode());
    assertTrue(everywhere.out().contains("webhook 'demo': authorization: is a demo value of the example config, "
        + "accepted only while the receiver listens on a loopback address, not on 0.0.0.0: start with --host "
        + "127.0.0.1, or set {$DEMO_TOKEN} to a real secret"), everywhere.out());
    assertTrue(everywhere.out().endsWith("REFUSED: 8 error(s), 0 warning(s)\n"), everywhere.out());
    Outcome both = run(Map.of(), concat(new String[] {"both", "--host", "0.0.0.0", "--port", "0", "--data-dir",
        dir.resolve("data").toString(), "--config", EXAMPLE.resolve("connector.json").toString()}, files));
    assertEquals(1, both.exitCode());
    assertTrue(both.err().startsWith("cwm both did not start:\n"), both.err());
    assertTrue(both.err().contains("start with --host 127.0.0.1, or set {$RELAY_TOKEN} to a real secret"), both.err());
  }

  @Test
  void theExampleConnectorsDemoTokenGoesOnlyToALoopbackReceiver() {
    String connector = EXAMPLE.resolve("connector.json").toString();
    Outcome loopback = run(Map.of(), "check", "--connector", connector);
    assertEquals(0, loopback.exitCode(), loopback.out());
    Outcome remote = run(Map.of("CONNECTOR_CLOUD_URL", "https://webhooks.example.com"), "check", "--connector",
        connector);
    assertEquals(1, remote.exitCode());
    assertTrue(remote.out().startsWith("error: " + connector + ": token: is a demo value of the example config, sent "
        + "only to a receiver on a loopback address, not to webhooks.example.com: set the channel's real token\n"),
        remote.out());
  }

  private static String[] concat(String[] first, String[] second) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(second));
    return all.toArray(String[]::new);
  }

  // ---- 4.4 (a) JSON errors

  @Test
  void checkNamesTheLineAndColumnOfAConnectorFileSyntaxError() throws IOException {
    Path connector = file("connector.json", "{\n  \"cloud_url\": \"http://cloud:8000\"\n  \"channel\": \"orders\"\n}");
    Outcome outcome = run(Map.of(), "check", "--connector", connector.toString());
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.out().startsWith("error: " + connector + ": invalid JSON at line 3, column 3: Unexpected "
        + "character ('\"' (code 34)): was expecting comma to separate Object entries\n"), outcome.out());
  }
}
