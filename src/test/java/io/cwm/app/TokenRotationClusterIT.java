package io.cwm.app;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two receiver processes (the fat jar, twice) on one Redis: a token rotated through one is
 * honoured by the other at once, the old token works on both during the grace, and a session
 * on the old token held by the other process is closed with 4001 when the grace ends.
 */
class TokenRotationClusterIT {
  static final String ADMIN = "cluster-admin";

  private static Process start(Path dir, int port, String name) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", JarIT.JAR.toAbsolutePath().toString(), "receiver",
        "--webhooks", dir.resolve("webhooks.json").toString(), "--data-dir", dir.resolve("data-" + name).toString(),
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    Map<String, String> env = builder.environment();
    env.put("WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
    env.put("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN);
    return builder.start();
  }

  private static void awaitUp(int port) throws Exception {
    assertTrue(await(30_000, () -> {
      try {
        return Http.get(port, "/ready").statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }), "receiver did not come up");
  }

  private static int status(int port, String channel, String token) throws Exception {
    return Http.get(port, "/connect/status/" + channel, "Authorization", "Bearer " + token).statusCode();
  }

  @Test
  void aRotationThroughOneReceiverHoldsOnTheOther(@TempDir Path dir) throws Exception {
    String channel = "rot-" + UUID.randomUUID().toString().substring(0, 8);
    Files.writeString(dir.resolve("webhooks.json"), "{\"relay\": {\"module\": \"webhook_connect\", "
        + "\"module-config\": {\"channel\": \"" + channel + "\", \"channel_token\": \"tok-initial\"}}}");
    int portA = TestServer.freePort();
    int portB = TestServer.freePort();
    Process a = start(dir, portA, "a");
    Process b = start(dir, portB, "b");
    Vertx vertx = Vertx.vertx();
    try {
      awaitUp(portA);
      awaitUp(portB);
      assertEquals(200, status(portB, channel, "tok-initial"));
      TestConnector onB = new TestConnector(vertx).connect(portB, channel, "tok-initial");
      assertNotNull(onB.next("connected", 5000));

      HttpResponse<String> rotated = Http.post(portA, "/admin/webhook-connect/channels/" + channel + "/rotate-token",
          "{\"grace_period_seconds\": 3}", "Authorization", "Bearer " + ADMIN);
      assertEquals(200, rotated.statusCode(), rotated::body);
      String fresh = new JsonObject(rotated.body()).getString("new_token");
      // B has never seen the new token: it must accept it at once, and the old one during the grace
      assertEquals(200, status(portB, channel, fresh));
      assertEquals(200, status(portB, channel, "tok-initial"));
      TestConnector renewed = new TestConnector(vertx).connect(portB, channel, fresh);
      assertNotNull(renewed.next("connected", 5000));

      // after the grace: the old token is refused on both, B's old-token session is closed with 4001
      assertTrue(await(15_000, () -> onB.closeCode() != null), "B closed the old-token session");
      assertEquals((short) 4001, onB.closeCode());
      assertFalse(renewed.isClosed());
      assertTrue(await(5_000, () -> {
        try {
          return status(portA, channel, "tok-initial") == 401 && status(portB, channel, "tok-initial") == 401;
        } catch (Exception e) {
          return false;
        }
      }), "the old token is refused everywhere after the grace");

      // a restart of B keeps the rotated token (the unchanged channel_token does not undo it)
      b.destroy();
      b.waitFor(10, TimeUnit.SECONDS);
      b = start(dir, portB, "b");
      awaitUp(portB);
      assertEquals(200, status(portB, channel, fresh));
      assertEquals(401, status(portB, channel, "tok-initial"));
      renewed.close();
    } finally {
      a.destroy();
      b.destroy();
      a.waitFor(10, TimeUnit.SECONDS);
      b.waitFor(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      RedisCleanup.deleteKeysContaining(channel);
    }
  }
}
