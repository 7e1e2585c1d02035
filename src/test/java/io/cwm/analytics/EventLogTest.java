package io.cwm.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ClickHouseServer;
import io.cwm.testing.Http;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ClickHouse event log (receiver logging) against the test's own ClickHouse, reached through a
 * {@link TcpProxy} so that tests can make it slow (black hole) or down (cut) without touching the
 * shared server: accepted webhooks become {@code webhook_logs} rows (credential-masked, even for an
 * entry without credential cleanup) and {@code webhook_stats} rows; with ClickHouse slow or down
 * ingest still answers 200 within a fixed bound, and the writer catches up when it returns, or
 * drops and counts what did not fit its bounded queue.
 */
class EventLogTest {
  /** The queue the receiver gets (the smallest allowed), so that the drop test fills it quickly. */
  static final int QUEUE = 100;
  /** Ingest latency bound while ClickHouse is away: the event log must add nothing the sender waits for. */
  static final long LATENCY_BOUND_MILLIS = 1_000;
  static ClickHouseServer clickhouse;
  static TcpProxy proxy;
  static String database;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    clickhouse = ClickHouseServer.shared();
    database = clickhouse.createDatabase("cwm_eventlog");
    proxy = new TcpProxy("127.0.0.1", clickhouse.httpPort());
    server = TestServer.start("""
        {
          "hook": {"module": "save_to_disk", "module-config": {"path": "out"}},
          "raw_hook": {"module": "save_to_disk", "module-config": {"path": "raw"},
                       "credential_cleanup": {"enabled": false}}
        }
        """, """
        {
          "analytics": {"type": "clickhouse", "host": "127.0.0.1", "port": %d, "database": "%s",
                        "user": "%s", "password": "%s"},
          "second": {"type": "clickhouse", "host": "127.0.0.1", "port": 1, "database": "unused"}
        }
        """.formatted(proxy.port(), database, ClickHouseServer.USER, ClickHouseServer.PASSWORD),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "CWM_CLICKHOUSE_EVENT_LOG_QUEUE", String.valueOf(QUEUE)));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      clickhouse.dropDatabase(database);
    }
  }

  private static EventLog eventLog() {
    return server.running().app().eventLog();
  }

  private static long count(String table, String where) {
    try {
      return Long.parseLong(clickhouse.query("SELECT count() FROM " + database + "." + table + " WHERE " + where)
          .trim());
    } catch (Exception noTableYet) {
      return -1;
    }
  }

  private static void awaitCount(String table, String where, long expected) throws Exception {
    assertTrue(TestConnector.await(40_000, () -> count(table, where) == expected),
        () -> table + " WHERE " + where + ": " + count(table, where) + " rows, expected " + expected);
  }

  @Test
  void acceptedWebhooksBecomeMaskedLogRowsAndStatsRows() throws Exception {
    String marker = UUID.randomUUID().toString();
    JsonObject payload = new JsonObject().put("marker", marker).put("password", "hunter2")
        .put("nested", new JsonObject().put("api_key", "k-123"));
    assertEquals(200, Http.post(server.port(), "/webhook/hook", payload.encode(), "X-Api-Key", "secret-1")
        .statusCode());
    assertEquals(200, Http.post(server.port(), "/webhook/raw_hook", payload.encode(), "X-Api-Key", "secret-2")
        .statusCode());
    assertEquals(200, Http.post(server.port(), "/webhook/tenant1/hook", payload.encode()).statusCode());
    awaitCount("webhook_logs", "payload LIKE '%" + marker + "%'", 3);
    List<String> rows = clickhouse.lines("SELECT webhook_id, payload, headers FROM " + database
        + ".webhook_logs WHERE payload LIKE '%" + marker + "%' ORDER BY webhook_id");
    assertEquals(List.of("hook", "raw_hook", "tenant1/hook"), rows.stream().map(row -> row.split("\t")[0]).toList(),
        "the namespaced route logs namespace/id");
    for (String row : rows) {
      assertFalse(row.contains("hunter2") || row.contains("k-123") || row.contains("secret-"),
          "credentials reached the event log: " + row);
      assertTrue(row.contains("***REDACTED***"), row);
    }
    // the three webhooks may fall into two flushes; each flush writes its stats rows after its log
    // rows, so the last stats row can become visible a moment after the last log row. "minute" is
    // the current clock minute only (as /stats counts it): a row written just after the minute
    // turned counts the webhook in minute_5, not in minute
    assertTrue(TestConnector.await(20_000, () -> count("webhook_stats", "webhook_id = 'raw_hook' AND total >= 1") >= 1),
        "no webhook_stats row for raw_hook");
    assertTrue(TestConnector.await(20_000,
        () -> count("webhook_stats", "webhook_id = 'tenant1/hook' AND minute_5 >= 1 AND month >= 1") >= 1),
        "no webhook_stats row for tenant1/hook with minute_5 and month counted");
  }

  @Test
  void aSlowClickHouseNeitherSlowsNorFailsIngestAndTheWriterCatchesUp() throws Exception {
    String marker = "slow-" + UUID.randomUUID();
    proxy.blackHole();
    long slowest;
    try {
      slowest = postMany(marker, 30);
    } finally {
      proxy.restore();
    }
    assertTrue(slowest < LATENCY_BOUND_MILLIS, "a webhook took " + slowest + " ms while ClickHouse hung");
    awaitCount("webhook_logs", "payload LIKE '%" + marker + "%'", 30);
  }

  @Test
  void aDownClickHouseNeitherSlowsNorFailsIngestAndAFullQueueDropsAndCounts() throws Exception {
    String marker = "down-" + UUID.randomUUID();
    long droppedBefore = eventLog().dropped();
    long writtenBefore = eventLog().written();
    int posted = 1_300; // more than one batch (1,000) plus the queue (100): some must be dropped
    proxy.cut();
    long slowest;
    long dropped;
    try {
      slowest = postMany(marker, posted);
      dropped = eventLog().dropped() - droppedBefore;
    } finally {
      proxy.restore();
    }
    assertTrue(slowest < LATENCY_BOUND_MILLIS, "a webhook took " + slowest + " ms while ClickHouse was down");
    assertTrue(dropped >= posted - EventLog.FLUSH_ROWS - QUEUE, "dropped " + dropped);
    awaitCount("webhook_logs", "payload LIKE '%" + marker + "%'", posted - dropped);
    long kept = posted - dropped;
    // the writer counts a batch once ClickHouse's answer is back, just after the rows became visible
    assertTrue(TestConnector.await(10_000, () -> eventLog().written() - writtenBefore >= kept),
        () -> "written " + (eventLog().written() - writtenBefore) + ", expected at least " + kept);
  }

  /** Posts {@code count} webhooks to {@code hook} (all must be 200); returns the slowest answer in ms. */
  private static long postMany(String marker, int count) throws Exception {
    long slowest = 0;
    for (int n = 0; n < count; n++) {
      long started = System.nanoTime();
      HttpResponse<String> response = Http.post(server.port(), "/webhook/hook",
          new JsonObject().put("marker", marker).put("n", n).encode());
      slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
      assertEquals(200, response.statusCode(), response::body);
    }
    return slowest;
  }
}
