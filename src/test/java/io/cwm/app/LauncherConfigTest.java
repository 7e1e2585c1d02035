package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.testing.Http;
import io.cwm.testing.LogCapture;
import io.cwm.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher does with the receiver's files before anything listens. */
class LauncherConfigTest {
  @TempDir
  Path dir;

  private Launcher.Options options(String role, int port, Map<String, String> env, boolean allowDefaultWebhook) {
    return new Launcher.Options(role, dir.resolve("webhooks.json"), dir.resolve("connections.json"), null,
        "127.0.0.1", port, null, dir.resolve("data"), Env.of(env), List.of(), false, false, allowDefaultWebhook,
        null);
  }

  private static Launcher.Running start(Launcher.Options options) throws Exception {
    return Launcher.start(options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aMissingWebhooksFileRefusesTheReceiverAndBothRoles() {
    for (String role : List.of("receiver", "both")) {
      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> start(options(role, 0, Map.of(), false)));
      Launcher.ConfigRefused refused = (Launcher.ConfigRefused) failed.getCause();
      assertEquals(List.of("error: " + dir.resolve("webhooks.json") + ": file not found: the receiver needs its "
          + "webhooks file (--webhooks, WEBHOOKS_CONFIG_FILE); --allow-default-webhook or ALLOW_DEFAULT_WEBHOOK=true "
          + "serves the built-in 'default' entry instead (no authentication, logs every body)"),
          refused.problems().stream().map(ConfigProblem::toString).toList(), role);
    }
  }

  @Test
  void theDefaultEntryIsServedOnlyWhenAskedForAndWarnsWhenItIs() throws Exception {
    for (boolean byOption : List.of(true, false)) {
      int port = TestServer.freePort();
      Map<String, String> env = byOption ? Map.of() : Map.of("ALLOW_DEFAULT_WEBHOOK", "true");
      try (LogCapture log = LogCapture.of(Launcher.class)) {
        Launcher.Running running = start(options("receiver", port, env, byOption));
        try {
          assertEquals(200, Http.post(port, "/webhook/anything", "{\"a\":1}").statusCode());
          assertTrue(log.messages(Level.WARN).stream().anyMatch(line -> line.contains("file not found: serving the "
              + "built-in 'default' webhook (no authentication, logs every body)")), log.messages()::toString);
        } finally {
          running.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
