package io.cwm.module.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ClientFaultCause;
import com.clickhouse.data.ClickHouseFormat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ClickHouse client (com.clickhouse:client-v2 over the HTTP interface) for one connection,
 * made non-blocking: client-v2 runs each request on a thread of its executor (blocking I/O), so
 * every operation here runs on this writer's own bounded pool ({@code cwm-clickhouse-*} threads,
 * {@code max_connections} of them, and at most {@value #QUEUED} operations waiting) and comes back
 * as a Vert.x Future on the caller's context. Every wait is bounded: connect
 * {@value #CONNECT_TIMEOUT_MILLIS} ms, socket reads {@value #SOCKET_TIMEOUT_MILLIS} ms, and the
 * whole operation {@value #OPERATION_TIMEOUT_MILLIS} ms (the caller's future fails with TIMEOUT
 * even if the thread is still inside the client).
 *
 * <p>Works on ClickHouse from 18.x: rows go as JSONEachRow with an explicit column list (so
 * columns with a {@code DEFAULT} such as {@code created_at} get it), statements name the
 * database ({@link ClickHouseNames#qualified}), and nothing reads the result formats 18.x lacks.
 * The client's own retry is limited to one resend after a pooled keep-alive connection the server
 * had closed ({@code NoHttpResponse}); connections idle longer than 2 s are not reused, below the
 * server's default keep-alive of 3 s.
 */
public final class ClickHouseWriter {
  static final long CONNECT_TIMEOUT_MILLIS = 5_000;
  static final long SOCKET_TIMEOUT_MILLIS = 10_000;
  static final long OPERATION_TIMEOUT_MILLIS = 15_000;
  static final int QUEUED = 4_096;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ClickHouseConnection settings;
  private final ThreadPoolExecutor executor;
  private final Client client;

  public ClickHouseWriter(ClickHouseConnection settings) {
    this.settings = settings;
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(settings.maxConnections(), settings.maxConnections(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUED), task -> {
          Thread thread = new Thread(task, "cwm-clickhouse-" + pool + "-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    executor.allowCoreThreadTimeOut(true);
    this.client = new Client.Builder()
        .addEndpoint(settings.endpoint())
        .setUsername(settings.user())
        .setPassword(settings.password())
        .setDefaultDatabase(settings.database())
        .compressServerResponse(false)
        .compressClientRequest(false)
        .useAsyncRequests(true)
        .setSharedOperationExecutor(executor)
        .setMaxConnections(settings.maxConnections())
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS, ChronoUnit.MILLIS)
        .setConnectionRequestTimeout(OPERATION_TIMEOUT_MILLIS, ChronoUnit.MILLIS)
        .setSocketTimeout(SOCKET_TIMEOUT_MILLIS, ChronoUnit.MILLIS)
        .setKeepAliveTimeout(2, ChronoUnit.SECONDS)
        .retryOnFailures(ClientFaultCause.NoHttpResponse)
        .setMaxRetries(1)
        .setClientName("cwm")
        .build();
  }

  /** The database every statement names. */
  public String database() {
    return settings.database();
  }

  /** {@code `database`.`table`} for this writer's database. */
  public String qualified(String table) {
    return ClickHouseNames.qualified(settings.database(), table);
  }

  /** Runs one statement (DDL) whose answer is not read. */
  public Future<Void> execute(Context context, String sql) {
    return bridge(context, () -> client.execute(sql).thenAccept(ClickHouseWriter::closeQuietly));
  }

  /**
   * Inserts JSONEachRow {@code rows} (one JSON object per line) into {@code table} (not yet
   * qualified) with the given column list; completes once the server answered the INSERT.
   */
  public Future<Void> insert(Context context, String table, List<String> columns, Buffer rows) {
    byte[] bytes = rows.getBytes();
    String target = qualified(table);
    return bridge(context, () -> client.insert(target, columns, new ByteArrayInputStream(bytes),
        ClickHouseFormat.JSONEachRow).thenAccept(ClickHouseWriter::closeQuietly));
  }

  private static void closeQuietly(AutoCloseable response) {
    try {
      response.close();
    } catch (Exception ignored) {
      // the answer was read; closing only frees the connection
    }
  }

  private interface Call {
    CompletableFuture<Void> start();
  }

  private static Future<Void> bridge(Context context, Call call) {
    CompletableFuture<Void> started;
    try {
      started = call.start();
    } catch (RuntimeException refused) {
      return Future.failedFuture(ClickHouseFailures.classify(refused));
    }
    return Future.fromCompletionStage(started, context)
        .timeout(OPERATION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(ClickHouseFailures.classify(failure)));
  }

  /** Closes the client and its threads (operations still running finish on their own timeouts). */
  public void close() {
    try {
      client.close();
    } finally {
      executor.shutdown();
    }
  }
}
