package io.cwm.app;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Connection pools across reloads, seen from the real PostgreSQL server (`pg_stat_activity`): a
 * reload that leaves a connection as it was keeps its pool (the same server sessions go on), one
 * that changes it gets a new pool while the old one closes, and config-status counts the generation.
 */
class ReloadPoolsTest {
  static final String HOST = System.getenv().getOrDefault("PGHOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));

  @Test
  void unchangedConnectionsKeepTheirPoolChangedOnesGetANewOne() throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String table = "cwm_reload_" + suffix;
    String first = "cwm_reload_a_" + suffix;
    String second = "cwm_reload_b_" + suffix;
    String webhooks = "{\"pg\": {\"module\": \"postgresql\", \"connection\": \"db\", \"module-config\": {\"table\": \""
        + table + "\"}}, \"a\": {\"module\": \"log\"}}";
    Vertx vertx = Vertx.vertx();
    Pool reader = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT).setDatabase("test")
        .setUser("postgres")).using(vertx).build();
    try (TestServer server = TestServer.start(webhooks, connections(first),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "CONFIG_RELOAD_ADMIN_TOKEN", ConfigReloadTest.TOKEN))) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, Http.post(server.port(), "/webhook/pg", "{\"i\":" + i + "}").statusCode());
      }
      Set<Integer> before = pids(reader, first);
      assertEquals(1, before.size(), "one pool, one session for sequential calls");

      Files.writeString(server.dir().resolve("webhooks.json"),
          webhooks.replace("\"a\": {", "\"b\": {\"module\": \"log\"}, \"a\": {"));
      assertEquals(200, ConfigReloadTest.reload(server, "{}").statusCode());
      assertEquals(200, Http.post(server.port(), "/webhook/pg", "{\"i\":3}").statusCode());
      assertEquals(before, pids(reader, first), "the unchanged connection kept its pool and its session");

      Files.writeString(server.dir().resolve("connections.json"), connections(second));
      JsonObject changed = new JsonObject(ConfigReloadTest.reload(server, "{}").body());
      assertEquals(new io.vertx.core.json.JsonArray().add("db"),
          changed.getJsonObject("details").getJsonObject("connections").getJsonArray("changed"));
      assertEquals(200, Http.post(server.port(), "/webhook/pg", "{\"i\":4}").statusCode());
      assertTrue(ConfigReloadTest.await(() -> pids(reader, first).isEmpty()), "the old pool closed");
      assertEquals(1, pids(reader, second).size(), "the new pool serves");
      assertEquals(5L, await(reader.query("SELECT count(*) FROM \"" + table + "\"").execute()).iterator().next()
          .getLong(0), "every webhook written once");
      JsonObject status = ConfigReloadTest.status(server);
      assertEquals(2, status.getJsonObject("pool_details").getJsonObject("db").getInteger("version"));
      assertEquals(1, status.getJsonObject("connection_pools").getInteger("deprecated"));
    } finally {
      await(reader.query("DROP TABLE IF EXISTS \"" + table + "\"").execute());
      await(reader.close());
      await(vertx.close());
    }
  }

  static String connections(String applicationName) {
    return new JsonObject().put("db", new JsonObject().put("type", "postgresql").put("connection_string",
        "postgresql://postgres@" + HOST + ":" + PORT + "/test?application_name=" + applicationName)).encode();
  }

  /** The server sessions of one application name. */
  static Set<Integer> pids(Pool reader, String applicationName) throws Exception {
    Set<Integer> pids = new HashSet<>();
    for (Row row : await(reader.preparedQuery("SELECT pid FROM pg_stat_activity WHERE application_name = $1")
        .execute(Tuple.of(applicationName)))) {
      pids.add(row.getInteger(0));
    }
    return pids;
  }
}
