package io.cwm.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import io.cwm.testing.ClickHouseServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clickhouse module on the test's own ClickHouse (Debian's 18.16, {@link ClickHouseServer}),
 * one single-row INSERT of a 1 KB payload per delivery, into a table of a fresh database.
 * Baseline: Debian's clickhouse-client package has no {@code clickhouse-benchmark}, and a
 * {@code clickhouse-client} process per INSERT would measure process start-up, so the baseline is
 * the client library driven directly: client-v2 over HTTP, the same JSONEachRow single-row INSERT
 * (same columns, same 1 KB payload text), {@code outstanding} inserts in flight on as many threads.
 */
final class ClickHouseBenchCase implements ModuleBenchCase {
  private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private ClickHouseServer server;
  private String database;

  @Override
  public String name() {
    return "clickhouse";
  }

  @Override
  public void start() throws Exception {
    server = ClickHouseServer.shared();
    database = server.createDatabase("cwm_bench");
    server.query("CREATE TABLE " + database + ".baseline (id String, webhook_id String, timestamp DateTime, "
        + "payload String, headers String, created_at DateTime DEFAULT now()) ENGINE = MergeTree() "
        + "PARTITION BY toYYYYMM(timestamp) ORDER BY (webhook_id, timestamp)");
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "clickhouse").put("connection", "bench_clickhouse")
        .put("module-config", new JsonObject().put("table", "bench_" + suffix));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("bench_clickhouse", new JsonObject().put("type", "clickhouse")
        .put("host", "127.0.0.1").put("port", server.httpPort()).put("database", database));
  }

  @Override
  public String baselineName() {
    return "client-v2 driven directly, single-row 1 KB JSONEachRow INSERT, same in flight (no clickhouse-benchmark "
        + "in Debian's package)";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    String payload = new JsonObject().put("event", "bench").put("data", "x".repeat(990)).encode();
    ExecutorService threads = Executors.newFixedThreadPool(outstanding);
    Client client = new Client.Builder().addEndpoint("http://127.0.0.1:" + server.httpPort())
        .setUsername("default").setPassword("").compressServerResponse(false).compressClientRequest(false)
        .useAsyncRequests(true).setSharedOperationExecutor(threads).setMaxConnections(outstanding).build();
    List<String> columns = List.of("id", "webhook_id", "timestamp", "payload", "headers");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong done = new AtomicLong();
    CountDownLatch stopped = new CountDownLatch(outstanding);
    long started = System.nanoTime();
    for (int i = 0; i < outstanding; i++) {
      insertLoop(client, columns, payload, running, done, stopped);
    }
    // the measured window; it ends early only if every insert loop has stopped
    stopped.await(seconds, TimeUnit.SECONDS);
    running.set(false);
    long count = done.get();
    double elapsed = (System.nanoTime() - started) / 1e9;
    stopped.await(30, TimeUnit.SECONDS);
    client.close();
    threads.shutdown();
    return count / elapsed;
  }

  private void insertLoop(Client client, List<String> columns, String payload, AtomicBoolean running, AtomicLong done,
      CountDownLatch stopped) {
    if (!running.get()) {
      stopped.countDown();
      return;
    }
    String row = new JsonObject().put("id", UUID.randomUUID().toString()).put("webhook_id", "bench")
        .put("timestamp", System.currentTimeMillis() / 1000).put("payload", payload).put("headers", "{}").encode() + "\n";
    client.insert(database + ".baseline", columns, new ByteArrayInputStream(row.getBytes(StandardCharsets.UTF_8)),
        ClickHouseFormat.JSONEachRow).whenComplete((response, failure) -> {
          if (failure == null) {
            response.close();
            done.incrementAndGet();
          }
          insertLoop(client, columns, payload, running, done, stopped);
        });
  }

  @Override
  public void close() {
    if (server != null && database != null) {
      server.dropDatabase(database);
    }
  }
}
