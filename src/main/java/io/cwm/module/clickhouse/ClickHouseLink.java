package io.cwm.module.clickhouse;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ClickHouse client for one named connection ({@link ClickHouseWriter}), shared by every call
 * that uses it, with one {@link InsertBatches} per table (at most {@value #INSERTS_IN_FLIGHT}
 * INSERTs of a table at once; rows arriving meanwhile go together in the next). Each table is created once per link (CREATE TABLE IF NOT EXISTS), not per call;
 * later calls wait for that same outcome. A CREATE the server refuses (a user without the CREATE
 * privilege on a table the DBA made) is logged and the insert is tried anyway; a CREATE that got
 * no answer is forgotten so the next call tries again, as is one whose insert then finds no table
 * (code 60).
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class ClickHouseLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseLink.class);
  static final int INSERTS_IN_FLIGHT = 4;
  private final Vertx vertx;
  private final String name;
  private final ClickHouseWriter writer;
  private final Map<String, Future<Void>> prepared = new HashMap<>();
  private final Map<String, InsertBatches> batchesByTable = new HashMap<>();
  /** INSERTs one table runs at once; rows arriving meanwhile wait and go together. */
  private final int insertsInFlight;

  ClickHouseLink(Vertx vertx, String name, JsonObject connection, ClickHouseConnection settings) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.writer = new ClickHouseWriter(settings);
    this.insertsInFlight = Math.min(INSERTS_IN_FLIGHT, settings.maxConnections());
    LOG.info("[connection: {}] ClickHouse over HTTP at port {}, database {}", name, settings.httpPort(),
        settings.database());
  }

  ClickHouseWriter writer() {
    return writer;
  }

  /**
   * Creates the table (first use) and inserts the row, together with the rows of other calls
   * waiting for the same table ({@link InsertBatches}). An insert that finds no table (code 60:
   * dropped since, or its creation raced a restart) creates it again and inserts once more.
   */
  Future<Void> write(String table, Buffer row) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "ClickHouse client is closed"));
    }
    InsertBatches batches = batchesByTable.computeIfAbsent(table,
        key -> new InsertBatches(insertsInFlight, (rows, count) -> insertBatch(table, rows, count)));
    return counted(() -> batches.add(row));
  }

  private Future<Void> insertBatch(String table, Buffer rows, int count) {
    return insert(table, rows).recover(failure -> {
      if (!isUnknownTable(failure)) {
        return Future.failedFuture(failure);
      }
      prepared.remove(table);
      return insert(table, rows);
    }).recover(failure -> {
      ModuleFailure typed = ClickHouseFailures.classify(failure);
      LOG.warn("[connection: {}, table: {}] ClickHouse insert of {} row(s) failed: {} ({})", name, table, count,
          typed.getMessage(), typed.category());
      return Future.failedFuture(typed);
    });
  }

  private Future<Void> insert(String table, Buffer rows) {
    return prepare(table).compose(ready -> writer.insert(vertx.getOrCreateContext(), table, ClickHouseRow.COLUMNS,
        rows));
  }

  private static boolean isUnknownTable(Throwable failure) {
    return failure instanceof ModuleFailure typed && typed.getMessage().endsWith("(code 60)");
  }

  /**
   * The table's creation, once per link: succeeded, or refused by the server (logged; the insert
   * is tried anyway). A creation that got no answer fails the calls waiting for it (retryable) and
   * is forgotten, so the next call tries again.
   */
  private Future<Void> prepare(String table) {
    Future<Void> known = prepared.get(table);
    if (known != null) {
      return known;
    }
    Promise<Void> outcome = Promise.promise();
    prepared.put(table, outcome.future());
    writer.execute(vertx.getOrCreateContext(), ClickHouseRow.createTable(writer.qualified(table)))
        .onComplete(done -> {
          if (done.succeeded()) {
            LOG.info("[connection: {}, table: {}] ClickHouse table ready", name, table);
            outcome.complete();
            return;
          }
          ModuleFailure typed = ClickHouseFailures.classify(done.cause());
          if (typed.retryable()) {
            prepared.remove(table, outcome.future());
            outcome.fail(typed);
          } else {
            LOG.warn("[connection: {}, table: {}] ClickHouse refused to create the table: {}; inserting anyway",
                name, table, typed.getMessage());
            outcome.complete();
          }
        });
    return outcome.future();
  }

  @Override
  protected Future<Void> release() {
    return vertx.executeBlocking(() -> {
      writer.close();
      return null;
    }, false).otherwiseEmpty().mapEmpty();
  }
}
