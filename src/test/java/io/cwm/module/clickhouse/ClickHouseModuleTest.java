package io.cwm.module.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.ConfigLoader;
import io.cwm.analytics.EventLogSettings;
import io.cwm.config.Env;
import io.cwm.testing.ClickHouseServer;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.cwm.validate.ValidatorContext;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clickhouse module against the test's own ClickHouse server, through a real receiver: the
 * exact row the server holds (every column, every module-config option, scalar and blob payloads),
 * one client per connection across calls, and the failures a server produces (permanent 500s for
 * credentials, schema and values; a retryable 503 for a server that is not there). Rows are read
 * back with ClickHouse's own HTTP interface, never through the code under test.
 */
class ClickHouseModuleTest {
  static ClickHouseServer clickhouse;
  static String database;
  static TestServer server;
  static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  static final String JSON_TABLE = "webhook_updates_" + SUFFIX; // Python refuses it: contains "update"
  static final String NO_HEADERS_TABLE = "created_events_" + SUFFIX; // Python refuses it: contains "create"
  static final String BLOB_TABLE = "wasp_blobs_" + SUFFIX; // Python refuses it: contains "sp_"
  static final String WRONG_COLUMNS = "wrong_columns_" + SUFFIX;
  static final String WRONG_TYPES = "wrong_types_" + SUFFIX;

  @BeforeAll
  static void start() throws Exception {
    clickhouse = ClickHouseServer.shared();
    database = clickhouse.createDatabase("cwm_module");
    clickhouse.query("CREATE TABLE " + database + "." + WRONG_COLUMNS + " (id String) ENGINE = Memory");
    clickhouse.query("CREATE TABLE " + database + "." + WRONG_TYPES + " (id String, webhook_id String, "
        + "timestamp DateTime, payload UInt32, headers String) ENGINE = Memory");
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "ch_json": {"module": "clickhouse", "connection": "ch",
                      "module-config": {"table": "%s", "include_headers": true, "include_timestamp": true}},
          "ch_no_headers": {"module": "clickhouse", "connection": "ch",
                            "module-config": {"table": "%s", "include_headers": "false"}},
          "ch_blob": {"module": "clickhouse", "connection": "ch", "data_type": "blob",
                      "module-config": {"table": "%s"}},
          "ch_default": {"module": "clickhouse", "connection": "ch"},
          "ch_wrong_columns": {"module": "clickhouse", "connection": "ch", "module-config": {"table": "%s"}},
          "ch_wrong_types": {"module": "clickhouse", "connection": "ch", "module-config": {"table": "%s"}},
          "ch_bad_password": {"module": "clickhouse", "connection": "bad_password", "module-config": {"table": "%s"}},
          "ch_no_database": {"module": "clickhouse", "connection": "no_database", "module-config": {"table": "%s"}},
          "ch_down": {"module": "clickhouse", "connection": "down", "module-config": {"table": "%s"}}
        }
        """.formatted(JSON_TABLE, NO_HEADERS_TABLE, BLOB_TABLE, WRONG_COLUMNS, WRONG_TYPES, JSON_TABLE, JSON_TABLE,
        JSON_TABLE), """
        {
          "ch": {"type": "clickhouse", "host": "127.0.0.1", "port": "%1$d", "database": "%2$s",
                 "user": "%3$s", "password": "%4$s"},
          "bad_password": {"type": "clickhouse", "host": "127.0.0.1", "port": %1$d, "database": "%2$s",
                           "user": "%3$s", "password": "wrong"},
          "no_database": {"type": "clickhouse", "host": "127.0.0.1", "port": 9000, "http_port": %1$d,
                          "database": "missing_%5$s"},
          "down": {"type": "clickhouse", "host": "127.0.0.1", "port": %6$d}
        }
        """.formatted(clickhouse.httpPort(), database, ClickHouseServer.USER, ClickHouseServer.PASSWORD, SUFFIX,
        closedPort), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "CWM_CLICKHOUSE_EVENT_LOG", "false"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      clickhouse.dropDatabase(database);
    }
  }

  private static HttpResponse<String> post(String webhook, String body, String... headers) throws Exception {
    return Http.post(server.port(), "/webhook/" + webhook, body, headers);
  }

  /** id, webhook_id, epoch timestamp, payload, headers, created_at minus timestamp (s) of rows matching. */
  private static List<String[]> rows(String table, String where) throws Exception {
    return clickhouse.lines("SELECT id, webhook_id, toUnixTimestamp(timestamp), payload, headers, "
        + "toUnixTimestamp(created_at) - toUnixTimestamp(timestamp) FROM " + database + "." + table
        + " WHERE " + where + " ORDER BY timestamp").stream().map(line -> line.split("\t", -1)).toList();
  }

  private static String unescape(String tsv) {
    return tsv.replace("\\\\", "\u0000").replace("\\t", "\t").replace("\\n", "\n").replace("\\'", "'")
        .replace("\u0000", "\\");
  }

  @Test
  void aJsonWebhookIsOneRowWithPayloadAndCleanedHeaders() throws Exception {
    String marker = UUID.randomUUID().toString();
    long before = Instant.now().getEpochSecond();
    HttpResponse<String> response = post("ch_json", new JsonObject().put("marker", marker).put("n", 1)
        .put("nested", new JsonObject().put("password", "hunter2")).encode(),
        "Content-Type", "application/json", "X-Api-Key", "abc123", "X-Event", "order.created");
    assertEquals(200, response.statusCode(), response::body);
    List<String[]> rows = rows(JSON_TABLE, "payload LIKE '%" + marker + "%'");
    assertEquals(1, rows.size(), "one row per webhook");
    String[] row = rows.get(0);
    assertEquals(row[0], UUID.fromString(row[0]).toString(), "id is a random UUID");
    assertEquals("ch_json", row[1]);
    long timestamp = Long.parseLong(row[2]);
    assertTrue(timestamp >= before && timestamp <= Instant.now().getEpochSecond(), "timestamp is now, UTC");
    JsonObject payload = new JsonObject(unescape(row[3]));
    assertEquals(marker, payload.getString("marker"));
    assertEquals(1, payload.getInteger("n"));
    assertEquals("***REDACTED***", payload.getJsonObject("nested").getString("password"), "credential cleanup");
    JsonObject headers = new JsonObject(unescape(row[4]));
    assertEquals("order.created", headers.getString("x-event"), "lower-case header names");
    assertEquals("***REDACTED***", headers.getString("x-api-key"));
    assertTrue(Math.abs(Long.parseLong(row[5])) <= 5, "created_at took its DEFAULT now()");
  }

  @Test
  void includeHeadersFalseStoresAnEmptyObjectAndScalarsAreText() throws Exception {
    String marker = "text-" + UUID.randomUUID();
    assertEquals(200, post("ch_no_headers", new JsonObject().put("m", marker).encode(), "X-Event", "x").statusCode());
    assertEquals(200, post("ch_no_headers", "\"" + marker + "\"").statusCode());
    assertEquals(200, post("ch_no_headers", "4217").statusCode());
    assertEquals(200, post("ch_no_headers", "true").statusCode());
    List<String[]> rows = rows(NO_HEADERS_TABLE, "1");
    assertTrue(rows.stream().allMatch(row -> row[4].equals("{}")), "headers are {} when not included");
    Set<String> payloads = rows.stream().map(row -> unescape(row[3])).collect(Collectors.toSet());
    assertTrue(payloads.contains(marker), "a JSON string is stored as its text: " + payloads);
    assertTrue(payloads.contains("4217"), payloads::toString);
    assertTrue(payloads.contains("true"), payloads::toString);
    assertTrue(payloads.contains(new JsonObject().put("m", marker).encode()), payloads::toString);
  }

  @Test
  void blobPayloadsAreStoredAsBase64() throws Exception {
    byte[] bytes = new byte[] {0, 1, 2, (byte) 0xff, 'h', 'i', '\n'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/ch_blob", bytes,
        "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    List<String[]> rows = rows(BLOB_TABLE, "webhook_id = 'ch_blob'");
    assertEquals(1, rows.size());
    assertEquals(Base64.getEncoder().encodeToString(bytes), rows.get(0)[3]);
  }

  @Test
  void theDefaultTableIsWebhookLogs() throws Exception {
    String marker = UUID.randomUUID().toString();
    assertEquals(200, post("ch_default", new JsonObject().put("marker", marker).encode()).statusCode());
    assertEquals(1, rows("webhook_logs", "payload LIKE '%" + marker + "%'").size());
  }

  @Test
  void oneClientServesEveryCallOfAConnection() throws Exception {
    Set<String> poolsBefore = clickhousePools();
    for (int n = 0; n < 5; n++) {
      assertEquals(200, post("ch_json", new JsonObject().put("n", n).encode()).statusCode());
      assertEquals(200, post("ch_no_headers", new JsonObject().put("n", n).encode()).statusCode());
    }
    Set<String> created = clickhousePools();
    created.removeAll(poolsBefore);
    assertTrue(created.size() <= 1, "calls of one connection share one client: new pools " + created);
  }

  /** The client pools alive in this JVM, by the number in their thread names (cwm-clickhouse-<pool>-<n>). */
  private static Set<String> clickhousePools() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("cwm-clickhouse-")).map(name -> name.split("-")[2])
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }

  @Test
  void wrongCredentialsAreAPermanent500() throws Exception {
    assertEquals(500, post("ch_bad_password", "{\"a\":1}").statusCode());
  }

  @Test
  void aTableWithOtherColumnsIsAPermanent500() throws Exception {
    assertEquals(500, post("ch_wrong_columns", "{\"a\":1}").statusCode());
  }

  @Test
  void aValueTheColumnCannotHoldIsAPermanent500() throws Exception {
    assertEquals(500, post("ch_wrong_types", "{\"a\":1}").statusCode());
  }

  @Test
  void aMissingDatabaseIsAPermanent500() throws Exception {
    assertEquals(500, post("ch_no_database", "{\"a\":1}").statusCode());
  }

  @Test
  void aServerThatIsNotThereIsARetryable503() throws Exception {
    HttpResponse<String> response = post("ch_down", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent());
  }

  @Test
  void thePythonFixtureLoadsAndItsNativePortMapsToHttp8123() {
    Path dir = Path.of("src/test/resources/python-format");
    Env env = Env.of(Map.of());
    ConfigLoader.Result result = ConfigLoader.load(dir.resolve("clickhouse-webhooks.json"),
        dir.resolve("clickhouse-connections.json"), env, new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP during check");
        }), true, true);
    assertTrue(result.ok(), () -> result.problems().toString());
    EventLogSettings log = EventLogSettings.from(result.snapshot().connections(), env);
    assertEquals("analytics_ch", log.connectionName());
    assertEquals(8123, log.connection().httpPort(), "native 9000 means HTTP 8123");
    assertEquals("web_analytics", log.connection().database());
    assertEquals(null, EventLogSettings.from(result.snapshot().connections(),
        Env.of(Map.of("CWM_CLICKHOUSE_EVENT_LOG", "false"))), "the opt-out turns the log off");
  }
}
