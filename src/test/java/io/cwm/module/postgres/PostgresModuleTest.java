package io.cwm.module.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The postgresql module against the machine's PostgreSQL (PGHOST/PGPORT, default 127.0.0.1:5432,
 * user postgres, database test, trust auth), through a real receiver; rows are read back with a
 * plain Vert.x pool. Every table has a random name and is dropped afterwards.
 */
class PostgresModuleTest {
  static final String HOST = System.getenv().getOrDefault("PGHOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
  static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static final String JSON_TABLE = "cwm_test_json_" + SUFFIX;
  static final String REL_TABLE = "cwm_test_rel_" + SUFFIX;
  static final String UPSERT_TABLE = "cwm_test_upsert_" + SUFFIX;
  static final String HYBRID_TABLE = "cwm_test_hybrid_" + SUFFIX;
  static final String DSN_TABLE = "cwm_test_dsn_" + SUFFIX;
  static final String BLOB_TABLE = "cwm_test_blob_" + SUFFIX;
  static final String APP_NAME = "cwm_test_app_" + SUFFIX;

  static TestServer server;
  static Vertx vertx;
  static Pool reader;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    reader = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT)
        .setDatabase("test").setUser("postgres")).using(vertx).build();
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "pg_json": {"module": "postgresql", "connection": "db",
                      "module-config": {"table": "%s", "storage_mode": "json"}},
          "pg_rel": {"module": "postgresql", "connection": "db",
                     "module-config": {"table": "%s", "storage_mode": "relational", "schema": {
                       "fields": {
                         "event_id": {"type": "string", "constraints": ["NOT NULL", "UNIQUE"]},
                         "amount": {"column": "amount_cents", "type": "integer"},
                         "paid": {"type": "boolean"},
                         "occurred": {"type": "datetime"},
                         "day": {"type": "date"},
                         "received": {"type": "timestamp", "default": "CURRENT_TIMESTAMP"},
                         "status": {"type": "string", "default": "new"},
                         "meta": {"type": "json"}
                       },
                       "indexes": {"idx_rel_%s": {"columns": ["status"]}}}}},
          "pg_upsert": {"module": "postgresql", "connection": "db",
                        "module-config": {"table": "%s", "storage_mode": "relational", "upsert": true,
                          "upsert_key": "order_id", "schema": {"fields": {
                            "order_id": {"column": "order_ref", "type": "integer", "constraints": ["UNIQUE"]},
                            "state": {"type": "string"}}}}},
          "pg_hybrid": {"module": "postgres", "connection": "db",
                        "module-config": {"table": "%s", "storage_mode": "hybrid", "upsert": "true",
                          "upsert_key": "ref", "schema": {"fields": {
                            "ref": {"type": "string", "constraints": ["UNIQUE"]},
                            "total": {"type": "float"}}}}},
          "pg_blob": {"module": "postgresql", "connection": "db", "data_type": "blob",
                      "module-config": {"table": "%s", "include_headers": false}},
          "pg_dsn": {"module": "postgresql", "connection": "dsn", "module-config": {"table": "%s"}},
          "pg_down": {"module": "postgresql", "connection": "nodb", "module-config": {"table": "%s"}}
        }
        """.formatted(JSON_TABLE, REL_TABLE, SUFFIX, UPSERT_TABLE, HYBRID_TABLE, BLOB_TABLE, DSN_TABLE,
        JSON_TABLE), """
        {
          "db": {"type": "postgresql", "host": "%s", "port": %d, "database": "test", "user": "postgres"},
          "dsn": {"type": "postgresql", "pool_max_size": "1",
                  "connection_string": "postgres://postgres@%s:%d/test?application_name=%s"},
          "nodb": {"type": "postgresql", "host": "127.0.0.1", "port": "%d", "database": "test"}
        }
        """.formatted(HOST, PORT, HOST, PORT, APP_NAME, closedPort), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      for (String table : List.of(JSON_TABLE, REL_TABLE, UPSERT_TABLE, HYBRID_TABLE, DSN_TABLE, BLOB_TABLE)) {
        query("DROP TABLE IF EXISTS \"" + table + "\"", Tuple.tuple());
      }
      reader.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static List<Row> query(String sql, Tuple parameters) throws Exception {
    List<Row> rows = new ArrayList<>();
    reader.preparedQuery(sql).execute(parameters).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).forEach(rows::add);
    return rows;
  }

  static Row onlyRow(String sql, Object... parameters) throws Exception {
    List<Row> rows = query(sql, Tuple.wrap(List.of(parameters)));
    assertEquals(1, rows.size(), "rows for " + sql);
    return rows.get(0);
  }

  static HttpResponse<String> post(String webhook, String body, String... headers) throws Exception {
    List<String> all = new ArrayList<>(List.of("Content-Type", "application/json"));
    all.addAll(List.of(headers));
    return Http.post(server.port(), "/webhook/" + webhook, body, all.toArray(String[]::new));
  }

  @Test
  void jsonModeStoresThePayloadAndTheCleanedHeaders() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("pg_json", "{\"marker\":\"" + marker + "\",\"n\":1,\"nested\":{\"ok\":true},\"list\":[1,\"a\"]}",
        "X-Event", "push", "Authorization", "Bearer very-secret");
    assertEquals(200, response.statusCode(), response::body);

    Row row = onlyRow("SELECT webhook_id, payload::text AS payload, headers::text AS headers, \"timestamp\", id, created_at "
        + "FROM \"" + JSON_TABLE + "\" WHERE payload->>'marker' = $1", marker);
    assertEquals("pg_json", row.getString("webhook_id"));
    assertEquals(new JsonObject().put("marker", marker).put("n", 1).put("nested", new JsonObject().put("ok", true))
        .put("list", new JsonArray().add(1).add("a")), new JsonObject(row.getString("payload")));
    JsonObject headers = new JsonObject(row.getString("headers"));
    assertEquals("push", headers.getString("x-event"));
    assertEquals("***REDACTED***", headers.getString("authorization"));
    assertTrue(!row.getString("headers").contains("very-secret"), row.getString("headers"));
    assertNotNull(row.getUUID("id"));
    assertNotNull(row.getOffsetDateTime("timestamp"));
    assertNotNull(row.getOffsetDateTime("created_at"));
  }

  @Test
  void jsonModeStoresScalarPayloadsAsJsonValues() throws Exception {
    String marker = "scalar-" + UUID.randomUUID();
    HttpResponse<String> response = post("pg_json", "[\"" + marker + "\", 2.5, null]");
    assertEquals(200, response.statusCode(), response::body);
    Row row = onlyRow("SELECT jsonb_typeof(payload) AS kind, payload::text AS payload FROM \"" + JSON_TABLE
        + "\" WHERE payload->>0 = $1", marker);
    assertEquals("array", row.getString("kind"));
    assertEquals(new JsonArray().add(marker).add(2.5).addNull(), new JsonArray(row.getString("payload")));
  }

  @Test
  void relationalModeConvertsValuesIntoTypedColumnsAndAppliesDefaults() throws Exception {
    String event = "evt-" + UUID.randomUUID();
    HttpResponse<String> response = post("pg_rel", new JsonObject().put("event_id", event).put("amount", "1200")
        .put("paid", "true").put("occurred", "2024-05-01T10:15:30Z").put("day", "2024-05-01")
        .put("meta", new JsonObject().put("source", "test")).put("ignored", "x").encode());
    assertEquals(200, response.statusCode(), response::body);

    Row row = onlyRow("SELECT webhook_id, amount_cents, paid, occurred, day::text AS day, received, status, "
        + "meta::text AS meta FROM \"" + REL_TABLE + "\" WHERE event_id = $1", event);
    assertEquals("pg_rel", row.getString("webhook_id"));
    assertEquals(1200L, row.getLong("amount_cents"));
    assertEquals(true, row.getBoolean("paid"));
    assertEquals(OffsetDateTime.parse("2024-05-01T10:15:30Z").toInstant(), row.getOffsetDateTime("occurred").toInstant());
    assertEquals("2024-05-01", row.getString("day"));
    assertNotNull(row.getOffsetDateTime("received"), "CURRENT_TIMESTAMP default");
    assertEquals("new", row.getString("status"), "literal default");
    assertEquals(new JsonObject().put("source", "test"), new JsonObject(row.getString("meta")));
    Row index = onlyRow("SELECT count(*) AS n FROM pg_indexes WHERE tablename = $1 AND indexname = $2",
        REL_TABLE, "idx_rel_" + SUFFIX);
    assertEquals(1L, index.getLong("n"));
  }

  @Test
  void aValueThatDoesNotFitItsColumnIsANonRetryable500() throws Exception {
    String event = "bad-" + UUID.randomUUID();
    HttpResponse<String> response = post("pg_rel", new JsonObject().put("event_id", event).put("amount", "twelve").encode());
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
    assertEquals(0, query("SELECT 1 FROM \"" + REL_TABLE + "\" WHERE event_id = $1", Tuple.of(event)).size());
  }

  @Test
  void notNullAndUniqueViolationsAreNonRetryable500s() throws Exception {
    String event = "dup-" + UUID.randomUUID();
    assertEquals(200, post("pg_rel", new JsonObject().put("event_id", event).put("amount", 1).encode()).statusCode());
    HttpResponse<String> duplicate = post("pg_rel", new JsonObject().put("event_id", event).put("amount", 2).encode());
    assertEquals(500, duplicate.statusCode(), duplicate::body);
    assertTrue(duplicate.headers().firstValue("retry-after").isEmpty(), duplicate.headers()::toString);
    assertEquals(1L, onlyRow("SELECT amount_cents FROM \"" + REL_TABLE + "\" WHERE event_id = $1", event).getLong("amount_cents"));

    HttpResponse<String> missing = post("pg_rel", new JsonObject().put("amount", 3).encode());
    assertEquals(500, missing.statusCode(), missing::body);
  }

  @Test
  void upsertUpdatesTheRowOfTheSameKey() throws Exception {
    long order = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    assertEquals(200, post("pg_upsert", new JsonObject().put("order_id", order).put("state", "created").encode()).statusCode());
    HttpResponse<String> second = post("pg_upsert", new JsonObject().put("order_id", String.valueOf(order)).put("state", "paid").encode());
    assertEquals(200, second.statusCode(), second::body);
    Row row = onlyRow("SELECT state FROM \"" + UPSERT_TABLE + "\" WHERE order_ref = $1", order);
    assertEquals("paid", row.getString("state"));
  }

  @Test
  void hybridModeUnderTheAliasStoresPayloadHeadersAndFieldsAndUpserts() throws Exception {
    String ref = "ref-" + UUID.randomUUID();
    assertEquals(200, post("pg_hybrid", new JsonObject().put("ref", ref).put("total", 9.5).put("v", 1).encode(),
        "X-Shop", "one").statusCode());
    HttpResponse<String> second = post("pg_hybrid", new JsonObject().put("ref", ref).put("total", "10.25").put("v", 2).encode(),
        "X-Shop", "two");
    assertEquals(200, second.statusCode(), second::body);
    Row row = onlyRow("SELECT webhook_id, total, payload::text AS payload, headers->>'x-shop' AS shop FROM \""
        + HYBRID_TABLE + "\" WHERE ref = $1", ref);
    assertEquals("pg_hybrid", row.getString("webhook_id"));
    assertEquals(10.25, row.getDouble("total"));
    assertEquals(2, new JsonObject(row.getString("payload")).getInteger("v"));
    assertEquals("two", row.getString("shop"));
  }

  @Test
  void blobPayloadIsStoredAsABase64JsonString() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, 'a', '\n'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/pg_blob", bytes,
        "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    Row row = onlyRow("SELECT payload #>> '{}' AS data, jsonb_typeof(payload) AS kind, headers FROM \"" + BLOB_TABLE
        + "\" WHERE webhook_id = 'pg_blob'");
    assertEquals("string", row.getString("kind"));
    assertEquals(Base64.getEncoder().encodeToString(bytes), row.getString("data"));
    assertNull(row.getValue("headers"), "include_headers false");
  }

  @Test
  void connectionStringConnectionsShareOnePoolAcrossCalls() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = post("pg_dsn", "{\"i\":" + i + "}");
      assertEquals(200, response.statusCode(), response::body);
    }
    assertEquals(5, query("SELECT 1 FROM \"" + DSN_TABLE + "\"", Tuple.tuple()).size());
    // pool_max_size 1 and a pool per named connection: exactly one session, however many webhooks
    // (Python opens a pool per request and leaves it open)
    Row sessions = onlyRow("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", APP_NAME);
    assertEquals(1L, sessions.getLong("n"));
  }

  @Test
  void unreachableDatabaseIsARetryable503() throws Exception {
    HttpResponse<String> response = post("pg_down", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
  }

  @Test
  void aTableNameWithSqlIsRefusedAtLoadNamingTheKey() {
    Exception e = assertThrows(Exception.class, () -> TestServer.start("""
        {"evil": {"module": "postgresql", "connection": "db", "module-config": {"table": "x; DROP TABLE y"}}}
        """, """
        {"db": {"type": "postgresql", "host": "127.0.0.1", "port": 5432}}
        """, Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true")).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    String text = refused.problems().toString();
    assertTrue(text.contains("evil") && text.contains("module-config.table"), text);
  }

  @Test
  void relationalStorageOfBlobsIsRefusedAtLoad() {
    Exception e = assertThrows(Exception.class, () -> TestServer.start("""
        {"bytes": {"module": "postgresql", "connection": "db", "data_type": "blob",
                   "module-config": {"storage_mode": "relational", "schema": {"fields": {"a": {}}}}}}
        """, """
        {"db": {"type": "postgresql", "host": "127.0.0.1", "port": 5432}}
        """, Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true")).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    assertTrue(refused.problems().toString().contains("module-config.storage_mode"), refused.problems()::toString);
  }
}
