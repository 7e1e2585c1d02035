package io.cwm.app;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded buffer answered 200 for survives kill -9 of the receiver process. */
class RelayDurabilityIT {

  private static Process start(Path dir, int port) throws IOException {
    return new ProcessBuilder("java", "-jar", JarIT.JAR.toAbsolutePath().toString(), "receiver",
        "--webhooks", dir.resolve("webhooks.json").toString(), "--data-dir", dir.resolve("data").toString(),
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile())).start();
  }

  private static void awaitUp(int port) throws Exception {
    assertTrue(await(30_000, () -> {
      try {
        return Http.get(port, "/health").statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }), "receiver did not come up");
  }

  @Test
  void acceptedMessagesSurviveKillMinus9(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("webhooks.json"), "{\"relay\": {\"module\": \"webhook_connect\", "
        + "\"module-config\": {\"channel\": \"durable\", \"channel_token\": \"tok\"}}}");
    int port = TestServer.freePort();
    Process first = start(dir, port);
    Set<String> accepted = new HashSet<>();
    try {
      awaitUp(port);
      for (int i = 0; i < 200; i++) {
        HttpResponse<String> response = Http.post(port, "/webhook/relay", "{\"n\":" + i + "}");
        assertEquals(200, response.statusCode(), response::body);
        accepted.add(response.headers().firstValue("x-webhook-message-id").orElseThrow());
      }
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no final commit
      first.waitFor(10, TimeUnit.SECONDS);
    }
    Process second = start(dir, port);
    Vertx vertx = Vertx.vertx();
    try {
      awaitUp(port);
      TestConnector connector = new TestConnector(vertx).autoAck(true).connect(port, "durable", "tok");
      assertTrue(await(20_000, () -> connector.unique().containsAll(accepted)),
          () -> "lost after kill -9: " + (accepted.size() - connector.unique().size()));
      connector.close();
    } finally {
      second.destroy();
      second.waitFor(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
