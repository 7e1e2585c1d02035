package io.cwm.module.mysql;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mysql module against the machine's MariaDB (MYSQL_HOST/MYSQL_PORT, default 127.0.0.1:3306,
 * user root without password, database test), through a real receiver; rows are read back with a
 * plain Vert.x MySQL pool. Every table and user has a random name and is dropped afterwards.
 */
class MySqlModuleTest {
  static final String HOST = System.getenv().getOrDefault("MYSQL_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("MYSQL_PORT", "3306"));
  static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static final String JSON_TABLE = "cwm_test_json_" + SUFFIX;
  static final String REL_TABLE = "cwm_test_rel_" + SUFFIX;
  static final String UPSERT_TABLE = "cwm_test_upsert_" + SUFFIX;
  static final String HYBRID_TABLE = "cwm_test_hybrid_" + SUFFIX;
  static final String BLOB_TABLE = "cwm_test_blob_" + SUFFIX;
  static final String SHARED_A = "cwm_test_shared_a_" + SUFFIX;
  static final String SHARED_B = "cwm_test_shared_b_" + SUFFIX;
  static final String SHARED_C = "cwm_test_shared_c_" + SUFFIX;
  static final String GRANTED_TABLE = "cwm_test_granted_" + SUFFIX;
  /** A user of its own, so its sessions can be counted. */
  static final String POOL_USER = "cwm_pool_" + SUFFIX;
  /** May only INSERT into GRANTED_TABLE (no CREATE). */
  static final String INSERT_USER = "cwm_ins_" + SUFFIX;
  /** May only SELECT GRANTED_TABLE. */
  static final String SELECT_USER = "cwm_sel_" + SUFFIX;
  static final String PASSWORD = "pw-" + SUFFIX;

  static TestServer server;
  static Vertx vertx;
  static Pool reader;

  static Pool reader(Vertx vertx) {
    return MySQLBuilder.pool().connectingTo(new MySQLConnectOptions().setHost(HOST).setPort(PORT)
        .setDatabase("test").setUser("root")).using(vertx).build();
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    reader = reader(vertx);
    query("CREATE TABLE `" + GRANTED_TABLE + "` (`id` CHAR(36) PRIMARY KEY DEFAULT (UUID()), `webhook_id` TEXT NOT NULL, "
        + "`timestamp` DATETIME DEFAULT CURRENT_TIMESTAMP, `payload` JSON NOT NULL, `headers` JSON, "
        + "`created_at` DATETIME DEFAULT CURRENT_TIMESTAMP)");
    for (String user : List.of(POOL_USER, INSERT_USER, SELECT_USER)) {
      query("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
    }
    query("GRANT ALL ON `test`.* TO '" + POOL_USER + "'@'%'");
    query("GRANT INSERT ON `test`.`" + GRANTED_TABLE + "` TO '" + INSERT_USER + "'@'%'");
    query("GRANT SELECT ON `test`.`" + GRANTED_TABLE + "` TO '" + SELECT_USER + "'@'%'");
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "my_json": {"module": "mysql", "connection": "db",
                      "module-config": {"table": "%1$s", "storage_mode": "json"}},
          "my_rel": {"module": "mysql", "connection": "db",
                     "module-config": {"table": "%2$s", "storage_mode": "relational", "schema": {
                       "fields": {
                         "event_id": {"type": "string", "constraints": ["NOT NULL", "UNIQUE"]},
                         "amount": {"column": "amount_cents", "type": "integer"},
                         "paid": {"type": "boolean"},
                         "occurred": {"type": "datetime"},
                         "day": {"type": "date"},
                         "at": {"type": "time"},
                         "ratio": {"type": "float"},
                         "received": {"type": "timestamp", "default": "CURRENT_TIMESTAMP"},
                         "status": {"type": "string", "default": "new"},
                         "meta": {"type": "json"}
                       },
                       "indexes": {"idx_rel_%10$s": {"columns": ["status", "amount_cents"]}}}}},
          "my_upsert": {"module": "mysql", "connection": "db",
                        "module-config": {"table": "%3$s", "storage_mode": "relational", "upsert": true,
                          "upsert_key": "order_id", "schema": {"fields": {
                            "order_id": {"column": "order_ref", "type": "integer", "constraints": ["UNIQUE"]},
                            "state": {"type": "string"}}}}},
          "my_hybrid": {"module": "mariadb", "connection": "db",
                        "module-config": {"table": "%4$s", "storage_mode": "hybrid", "upsert": "true",
                          "upsert_key": "ref", "schema": {"fields": {
                            "ref": {"type": "string", "constraints": ["UNIQUE"]},
                            "total": {"type": "float"}}}}},
          "my_blob": {"module": "mysql", "connection": "db", "data_type": "blob",
                      "module-config": {"table": "%5$s", "include_headers": false}},
          "shared_a": {"module": "mysql", "connection": "pooled", "module-config": {"table": "%6$s"}},
          "shared_b": {"module": "mariadb", "connection": "pooled", "module-config": {"table": "%7$s"}},
          "shared_chain": {"chain": [
              {"module": "mysql", "connection": "pooled", "module-config": {"table": "%6$s"}},
              {"module": "mysql", "connection": "pooled", "module-config": {"table": "%8$s"}}],
            "chain-config": {"execution": "sequential", "continue_on_error": false}},
          "insert_only": {"module": "mysql", "connection": "inserter", "module-config": {"table": "%9$s"}},
          "select_only": {"module": "mysql", "connection": "selecter", "module-config": {"table": "%9$s"}},
          "my_down": {"module": "mysql", "connection": "nodb", "module-config": {"table": "%1$s"}},
          "my_unknown_db": {"module": "mysql", "connection": "unknown_db", "module-config": {"table": "%1$s"}},
          "my_bad_password": {"module": "mysql", "connection": "bad_password", "module-config": {"table": "%1$s"}},
          "my_tls": {"module": "mysql", "connection": "tls", "module-config": {"table": "%1$s"}}
        }
        """.formatted(JSON_TABLE, REL_TABLE, UPSERT_TABLE, HYBRID_TABLE, BLOB_TABLE, SHARED_A, SHARED_B, SHARED_C,
        GRANTED_TABLE, SUFFIX), """
        {
          "db": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "test", "user": "root"},
          "pooled": {"type": "mariadb", "host": "%1$s", "port": "%2$d", "database": "test", "user": "%3$s",
                     "password": "%4$s", "pool_min_size": "1", "pool_max_size": "1", "ssl": "false"},
          "inserter": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "test", "user": "%5$s", "password": "%4$s"},
          "selecter": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "test", "user": "%6$s", "password": "%4$s"},
          "nodb": {"type": "mysql", "host": "127.0.0.1", "port": "%7$d", "database": "test"},
          "unknown_db": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "cwm_no_such_db_%8$s", "user": "root"},
          "bad_password": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "test", "user": "%3$s",
                           "password": "wrong"},
          "tls": {"type": "mysql", "host": "%1$s", "port": %2$d, "database": "test", "user": "root", "ssl": true}
        }
        """.formatted(HOST, PORT, POOL_USER, PASSWORD, INSERT_USER, SELECT_USER, closedPort, SUFFIX),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      for (String table : List.of(JSON_TABLE, REL_TABLE, UPSERT_TABLE, HYBRID_TABLE, BLOB_TABLE, SHARED_A, SHARED_B,
          SHARED_C, GRANTED_TABLE)) {
        query("DROP TABLE IF EXISTS `" + table + "`");
      }
      for (String user : List.of(POOL_USER, INSERT_USER, SELECT_USER)) {
        query("DROP USER IF EXISTS '" + user + "'@'%'");
      }
      await(reader.close());
      await(vertx.close());
    }
  }

  static List<Row> query(String sql, Object... parameters) {
    List<Row> rows = new ArrayList<>();
    await(parameters.length == 0 ? reader.query(sql).execute()
        : reader.preparedQuery(sql).execute(Tuple.wrap(List.of(parameters)))).forEach(rows::add);
    return rows;
  }

  static Row onlyRow(String sql, Object... parameters) {
    List<Row> rows = query(sql, parameters);
    assertEquals(1, rows.size(), "rows for " + sql);
    return rows.get(0);
  }

  static HttpResponse<String> post(String webhook, String body, String... headers) throws Exception {
    List<String> all = new ArrayList<>(List.of("Content-Type", "application/json"));
    all.addAll(List.of(headers));
    return Http.post(server.port(), "/webhook/" + webhook, body, all.toArray(String[]::new));
  }

  static void assertPermanent(HttpResponse<String> response) {
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
  }

  @Test
  void jsonModeStoresThePayloadAndTheCleanedHeaders() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("my_json", "{\"marker\":\"" + marker + "\",\"n\":1,\"nested\":{\"ok\":true},"
        + "\"list\":[1,\"a\"],\"text\":\"caf\u00e9 \u2713 \\ud83d\\ude00\"}", "X-Event", "push", "Authorization", "Bearer very-secret");
    assertEquals(200, response.statusCode(), response::body);

    Row row = onlyRow("SELECT webhook_id, payload, headers, `timestamp`, id, created_at FROM `" + JSON_TABLE
        + "` WHERE JSON_VALUE(payload, '$.marker') = ?", marker);
    assertEquals("my_json", row.getString("webhook_id"));
    assertEquals(new JsonObject().put("marker", marker).put("n", 1).put("nested", new JsonObject().put("ok", true))
        .put("list", new JsonArray().add(1).add("a")).put("text", "caf\u00e9 \u2713 \ud83d\ude00"),
        new JsonObject(row.getString("payload")));
    JsonObject headers = new JsonObject(row.getString("headers"));
    assertEquals("push", headers.getString("x-event"));
    assertEquals("***REDACTED***", headers.getString("authorization"));
    assertFalse(row.getString("headers").contains("very-secret"), row.getString("headers"));
    assertEquals(36, row.getString("id").length(), "UUID() default");
    LocalDateTime stamp = row.getLocalDateTime("timestamp");
    assertTrue(Duration.between(stamp, LocalDateTime.now(java.time.ZoneOffset.UTC)).abs().toMinutes() < 5,
        "timestamp is the call time in UTC: " + stamp);
    assertNotNull(row.getLocalDateTime("created_at"));
  }

  @Test
  void jsonModeStoresScalarPayloadsAsJsonValues() throws Exception {
    String marker = "scalar-" + UUID.randomUUID();
    HttpResponse<String> response = post("my_json", "[\"" + marker + "\", 2.5, null]");
    assertEquals(200, response.statusCode(), response::body);
    Row row = onlyRow("SELECT JSON_TYPE(payload) AS kind, payload FROM `" + JSON_TABLE
        + "` WHERE JSON_VALUE(payload, '$[0]') = ?", marker);
    assertEquals("ARRAY", row.getString("kind"));
    assertEquals(new JsonArray().add(marker).add(2.5).addNull(), new JsonArray(row.getString("payload")));
  }

  @Test
  void relationalModeConvertsValuesIntoTypedColumnsAndAppliesDefaults() throws Exception {
    String event = "evt-" + UUID.randomUUID();
    HttpResponse<String> response = post("my_rel", new JsonObject().put("event_id", event).put("amount", "1200")
        .put("paid", "true").put("occurred", "2024-05-01T12:15:30+02:00").put("day", "2024-05-01").put("at", "10:15:30")
        .put("ratio", "0.25").put("meta", new JsonObject().put("source", "test")).put("ignored", "x").encode());
    assertEquals(200, response.statusCode(), response::body);

    Row row = onlyRow("SELECT webhook_id, amount_cents, paid, occurred, day, at, ratio, received, status, meta FROM `"
        + REL_TABLE + "` WHERE event_id = ?", event);
    assertEquals("my_rel", row.getString("webhook_id"));
    assertEquals(1200L, row.getLong("amount_cents"));
    assertEquals(1, row.getInteger("paid"), "BOOLEAN is TINYINT(1)");
    assertEquals(LocalDateTime.parse("2024-05-01T10:15:30"), row.getLocalDateTime("occurred"), "stored in UTC");
    assertEquals(LocalDate.parse("2024-05-01"), row.getLocalDate("day"));
    assertEquals(Duration.ofHours(10).plusMinutes(15).plusSeconds(30), row.getValue("at"));
    assertEquals(0.25, row.getDouble("ratio"));
    assertNotNull(row.getLocalDateTime("received"), "CURRENT_TIMESTAMP default");
    assertEquals("new", row.getString("status"), "literal default");
    assertEquals(new JsonObject().put("source", "test"), new JsonObject(row.getString("meta")));
    assertEquals(2L, onlyRow("SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'test' "
        + "AND TABLE_NAME = ? AND INDEX_NAME = ?", REL_TABLE, "idx_rel_" + SUFFIX).getLong("n"), "both index columns");
  }

  @Test
  void aValueThatDoesNotFitItsColumnIsANonRetryable500() throws Exception {
    String event = "bad-" + UUID.randomUUID();
    assertPermanent(post("my_rel", new JsonObject().put("event_id", event).put("amount", "twelve").encode()));
    assertEquals(0, query("SELECT 1 FROM `" + REL_TABLE + "` WHERE event_id = ?", event).size());
  }

  @Test
  void aValueTheServerRefusesIsANonRetryable500() throws Exception {
    // the UNIQUE text key is VARCHAR(255): a longer one is refused by the server (strict mode)
    assertPermanent(post("my_hybrid", new JsonObject().put("ref", "r".repeat(300)).encode()));
  }

  @Test
  void notNullAndUniqueViolationsAreNonRetryable500s() throws Exception {
    String event = "dup-" + UUID.randomUUID();
    assertEquals(200, post("my_rel", new JsonObject().put("event_id", event).put("amount", 1).encode()).statusCode());
    assertPermanent(post("my_rel", new JsonObject().put("event_id", event).put("amount", 2).encode()));
    assertEquals(1L, onlyRow("SELECT amount_cents FROM `" + REL_TABLE + "` WHERE event_id = ?", event).getLong("amount_cents"));
    assertPermanent(post("my_rel", new JsonObject().put("amount", 3).encode()));
  }

  @Test
  void upsertUpdatesTheRowOfTheSameKey() throws Exception {
    long order = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    assertEquals(200, post("my_upsert", new JsonObject().put("order_id", order).put("state", "created").encode()).statusCode());
    HttpResponse<String> second = post("my_upsert", new JsonObject().put("order_id", String.valueOf(order)).put("state", "paid").encode());
    assertEquals(200, second.statusCode(), second::body);
    assertEquals("paid", onlyRow("SELECT state FROM `" + UPSERT_TABLE + "` WHERE order_ref = ?", order).getString("state"));
  }

  @Test
  void hybridModeUnderTheAliasStoresPayloadHeadersAndFieldsAndUpsertsOnAStringKey() throws Exception {
    String ref = "ref-" + UUID.randomUUID();
    assertEquals(200, post("my_hybrid", new JsonObject().put("ref", ref).put("total", 9.5).put("v", 1).encode(),
        "X-Shop", "one").statusCode());
    HttpResponse<String> second = post("my_hybrid", new JsonObject().put("ref", ref).put("total", "10.25").put("v", 2).encode(),
        "X-Shop", "two");
    assertEquals(200, second.statusCode(), second::body);
    Row row = onlyRow("SELECT webhook_id, total, payload, JSON_VALUE(headers, '$.\"x-shop\"') AS shop FROM `"
        + HYBRID_TABLE + "` WHERE ref = ?", ref);
    assertEquals("my_hybrid", row.getString("webhook_id"));
    assertEquals(10.25, row.getDouble("total"));
    assertEquals(2, new JsonObject(row.getString("payload")).getInteger("v"));
    assertEquals("two", row.getString("shop"));
    assertEquals("varchar", onlyRow("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test' "
        + "AND TABLE_NAME = ? AND COLUMN_NAME = 'ref'", HYBRID_TABLE).getString("DATA_TYPE"));
  }

  @Test
  void blobPayloadIsStoredAsABase64JsonString() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, 'a', '\n'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/my_blob", bytes,
        "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    Row row = onlyRow("SELECT JSON_UNQUOTE(payload) AS data, JSON_TYPE(payload) AS kind, headers FROM `" + BLOB_TABLE
        + "` WHERE webhook_id = 'my_blob'");
    assertEquals("STRING", row.getString("kind"));
    assertEquals(Base64.getEncoder().encodeToString(bytes), row.getString("data"));
    assertNull(row.getValue("headers"), "include_headers false");
  }

  @Test
  void aConnectionSharedByNameCreatesEveryTableAndOneChainDoesNotCloseItForOthers() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, post("shared_a", "{\"i\":" + i + "}").statusCode());
      assertEquals(200, post("shared_b", "{\"i\":" + i + "}").statusCode());
    }
    HttpResponse<String> chained = post("shared_chain", "{\"chain\":true}");
    assertEquals(200, chained.statusCode(), chained::body);
    // after the chain (Python's teardown closed the shared pool here), the others still write
    assertEquals(200, post("shared_a", "{\"i\":3}").statusCode());
    assertEquals(200, post("shared_b", "{\"i\":3}").statusCode());
    assertEquals(5, query("SELECT 1 FROM `" + SHARED_A + "`").size());
    assertEquals(4, query("SELECT 1 FROM `" + SHARED_B + "`").size());
    assertEquals(1, query("SELECT 1 FROM `" + SHARED_C + "`").size(), "the chain's own table was created too");
    // pool_max_size "1" (a substituted string) and one pool per named connection: exactly one session
    assertEquals(1L, onlyRow("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?", POOL_USER)
        .getLong("n"));
  }

  @Test
  void aUserWhoMayOnlyInsertWritesIntoTheTableTheDbaCreated() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("insert_only", new JsonObject().put("marker", marker).encode());
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(1, query("SELECT 1 FROM `" + GRANTED_TABLE + "` WHERE JSON_VALUE(payload, '$.marker') = ?", marker).size());
  }

  @Test
  void aUserWithoutInsertPrivilegeGetsANonRetryable500() throws Exception {
    String marker = UUID.randomUUID().toString();
    assertPermanent(post("select_only", new JsonObject().put("marker", marker).encode()));
    assertEquals(0, query("SELECT 1 FROM `" + GRANTED_TABLE + "` WHERE JSON_VALUE(payload, '$.marker') = ?", marker).size());
  }

  @Test
  void unreachableServerIsARetryable503() throws Exception {
    HttpResponse<String> response = post("my_down", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
  }

  @Test
  void unknownDatabaseWrongPasswordAndTlsOnAPlainServerAreNonRetryable500s() throws Exception {
    assertPermanent(post("my_unknown_db", "{\"a\":1}"));
    assertPermanent(post("my_bad_password", "{\"a\":1}"));
    // ssl: true never falls back to a plain connection (the machine's MariaDB has no TLS)
    assertPermanent(post("my_tls", "{\"a\":1}"));
  }
}
