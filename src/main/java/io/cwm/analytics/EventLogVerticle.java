package io.cwm.analytics;

import io.cwm.module.ModuleFailure;
import io.cwm.module.clickhouse.ClickHouseFailures;
import io.cwm.module.clickhouse.ClickHouseRow;
import io.cwm.module.clickhouse.ClickHouseWriter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse event log's writer (modules.md §3.10, receiver logging), deployed as a worker so
 * that encoding rows never takes an event loop. It drains the {@link EventLog} every
 * {@value #FLUSH_MILLIS} ms, or as soon as {@value EventLog#FLUSH_ROWS} rows wait, and writes them
 * in one INSERT into {@code webhook_logs}; then one {@code webhook_stats} row per webhook id that
 * received webhooks since the last stats write, with this process's counters ({@code /stats}) at
 * that moment. Both tables are created on first use (Python's schema).
 *
 * <p>Nothing here is on the request path: the receiver only offers to the bounded queue. One
 * INSERT at a time; a batch that failed for a retryable reason (ClickHouse down, slow, overloaded)
 * is kept and tried again on the next tick while new rows wait in the queue, which drops (and
 * counts) what does not fit; a batch ClickHouse refuses for good (schema, permission) is dropped
 * and counted as failed. Outages are logged once when they start and once when they end, with the
 * rows dropped meanwhile. On stop, what is queued gets one last bounded flush.
 */
public final class EventLogVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogVerticle.class);
  static final long FLUSH_MILLIS = 2_000;
  static final long STOP_FLUSH_MILLIS = 5_000;
  static final String LOGS_TABLE = "webhook_logs";
  static final String STATS_TABLE = "webhook_stats";
  static final List<String> STATS_COLUMNS = List.of("id", "webhook_id", "timestamp", "total", "minute", "minute_5",
      "minute_15", "minute_30", "hour", "day", "week", "month");
  private static final String[] STATS_KEYS = {"total", "minute", "5_minutes", "15_minutes", "30_minutes", "hour",
      "day", "week", "month"};

  private final EventLog log;
  private final EventLogSettings settings;
  private final Supplier<JsonObject> stats;
  private ClickHouseWriter writer;
  private long timer = -1;
  private boolean flushing;
  private boolean tablesReady;
  private final List<EventLog.Event> pending = new ArrayList<>();
  private final Set<String> seen = new LinkedHashSet<>();
  private String outage;
  private long droppedAtOutage;

  /**
   * @param stats this process's per-id counters, as {@code GET /stats} shows them
   */
  public EventLogVerticle(EventLog log, EventLogSettings settings, Supplier<JsonObject> stats) {
    this.log = log;
    this.settings = settings;
    this.stats = stats;
  }

  @Override
  public Future<?> start() {
    writer = new ClickHouseWriter(settings.connection());
    io.vertx.core.Context context = this.context;
    log.onFullBatch(() -> context.runOnContext(v -> flush()));
    timer = vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    log.onFullBatch(() -> {});
    return flushNow().timeout(STOP_FLUSH_MILLIS, TimeUnit.MILLISECONDS).otherwiseEmpty()
        .eventually(() -> vertx.executeBlocking(() -> {
          writer.close();
          return null;
        }));
  }

  private void flush() {
    if (flushing) {
      return;
    }
    flushNow().onComplete(done -> {
      if (log.queued() >= EventLog.FLUSH_ROWS && outage == null) {
        context.runOnContext(v -> flush());
      }
    });
  }

  private Future<Void> flushNow() {
    if (flushing) {
      return Future.succeededFuture();
    }
    if (pending.isEmpty()) {
      log.drain(pending, EventLog.FLUSH_ROWS);
    }
    if (pending.isEmpty() && seen.isEmpty()) {
      return Future.succeededFuture();
    }
    flushing = true;
    return tables().compose(ready -> writeLogs()).compose(logged -> writeStats())
        .onSuccess(done -> recovered())
        .onFailure(this::failed)
        .eventually(() -> {
          flushing = false;
          return Future.succeededFuture();
        }).otherwiseEmpty();
  }

  private Future<Void> tables() {
    if (tablesReady) {
      return Future.succeededFuture();
    }
    return writer.execute(context, ClickHouseRow.createTable(writer.qualified(LOGS_TABLE)))
        .compose(done -> writer.execute(context, "CREATE TABLE IF NOT EXISTS " + writer.qualified(STATS_TABLE)
            + " (id String, webhook_id String, timestamp DateTime, total UInt64, minute UInt64, minute_5 UInt64,"
            + " minute_15 UInt64, minute_30 UInt64, hour UInt64, day UInt64, week UInt64, month UInt64,"
            + " created_at DateTime DEFAULT now()) ENGINE = MergeTree() PARTITION BY toYYYYMM(timestamp)"
            + " ORDER BY (webhook_id, timestamp)"))
        .onSuccess(done -> {
          tablesReady = true;
          LOG.info("ClickHouse event log: tables {} and {} ready in database '{}'", LOGS_TABLE, STATS_TABLE,
              writer.database());
        })
        .recover(failure -> {
          ModuleFailure typed = ClickHouseFailures.classify(failure);
          if (typed.retryable()) {
            return Future.failedFuture(typed);
          }
          // a user allowed to INSERT but not to CREATE: the tables may exist already
          LOG.warn("ClickHouse event log: could not create its tables ({}); inserting anyway", typed.getMessage());
          tablesReady = true;
          return Future.succeededFuture();
        });
  }

  private Future<Void> writeLogs() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Buffer rows = Buffer.buffer(pending.size() * 512);
    for (EventLog.Event event : pending) {
      ClickHouseRow.append(rows, event.webhookId(), Instant.ofEpochSecond(event.epochSecond()),
          ClickHouseRow.payloadText(event.payload()), ClickHouseRow.headersText(event.headers(), true));
      seen.add(event.webhookId());
    }
    int count = pending.size();
    return writer.insert(context, LOGS_TABLE, ClickHouseRow.COLUMNS, rows)
        .onSuccess(done -> {
          log.written(count);
          pending.clear();
        })
        .recover(failure -> {
          ModuleFailure typed = ClickHouseFailures.classify(failure);
          if (!typed.retryable()) {
            log.failed(count);
            pending.clear();
            LOG.error("ClickHouse event log: {} rows refused for good and dropped: {}", count, typed.getMessage());
            return Future.succeededFuture();
          }
          return Future.failedFuture(typed);
        });
  }

  private Future<Void> writeStats() {
    if (seen.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonObject counters = stats.get();
    long now = Instant.now().getEpochSecond();
    Buffer rows = Buffer.buffer(seen.size() * 200);
    for (String id : seen) {
      JsonObject of = counters.getJsonObject(id, new JsonObject());
      JsonObject row = new JsonObject(new LinkedHashMap<>())
          .put("id", UUID.randomUUID().toString()).put("webhook_id", id).put("timestamp", now);
      for (int i = 0; i < STATS_KEYS.length; i++) {
        Object value = of.getValue(STATS_KEYS[i]);
        row.put(STATS_COLUMNS.get(i + 3), value instanceof Number number ? number.longValue() : 0L);
      }
      rows.appendString(row.encode()).appendByte((byte) '\n');
    }
    return writer.insert(context, STATS_TABLE, STATS_COLUMNS, rows)
        .onSuccess(done -> seen.clear())
        .recover(failure -> {
          ModuleFailure typed = ClickHouseFailures.classify(failure);
          if (!typed.retryable()) {
            seen.clear();
            LOG.error("ClickHouse event log: stats rows refused for good: {}", typed.getMessage());
            return Future.succeededFuture();
          }
          return Future.failedFuture(typed);
        });
  }

  private void failed(Throwable failure) {
    String reason = failure.getMessage();
    if (outage == null) {
      outage = reason;
      droppedAtOutage = log.dropped();
      LOG.warn("ClickHouse event log: writing failed ({}); keeping the batch in hand and up to {} queued rows, retrying every {} s, "
          + "ingest is not affected", reason, log.capacity(), FLUSH_MILLIS / 1000);
    }
  }

  private void recovered() {
    if (outage != null) {
      LOG.info("ClickHouse event log: writing again after '{}'; {} rows dropped meanwhile (queue full)", outage,
          log.dropped() - droppedAtOutage);
      outage = null;
    }
  }
}
