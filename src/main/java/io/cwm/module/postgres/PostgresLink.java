package io.cwm.module.postgres;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL pool for one named connection, shared by every call that uses it. The pool
 * connects on demand, so a database that is down costs nothing until a webhook arrives and is
 * picked up again when it is back.
 *
 * <p>Each table is prepared once per (table, DDL text) on this pool, not per call: the first call
 * runs CREATE TABLE / CREATE INDEX IF NOT EXISTS and later calls wait for that same outcome. A DDL
 * statement the server refuses (for example a user with INSERT but no CREATE privilege on a table
 * the DBA made) is logged once and the insert is tried anyway; a DDL failure without an answer
 * (connection lost) is forgotten so the next call prepares again. An insert that finds no table
 * (42P01, the table was dropped) also forgets the preparation.
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class PostgresLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresLink.class);
  private static final String UNDEFINED_TABLE = "42P01";

  private final String name;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private final Pool pool;
  /** Preparation by DDL text; a completed future means "prepared or refused, do not repeat". */
  private final Map<String, Future<Void>> prepared = new HashMap<>();

  PostgresLink(Vertx vertx, String name, JsonObject connection, PostgresConnection settings) {
    super(connection);
    this.name = name;
    this.pool = PgBuilder.pool()
        .with(settings.poolOptions())
        .with(new NetClientOptions().setConnectTimeout(PostgresConnection.CONNECT_TIMEOUT_MILLIS))
        .connectingTo(settings.connectOptions())
        .using(vertx)
        .build();
  }

  /** The pool (tests check that calls share it). */
  Pool pool() {
    return pool;
  }

  /** Prepares the table (first use) and inserts one row. */
  Future<Void> write(String table, PostgresSql sql, Tuple row) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "PostgreSQL pool is closed"));
    }
    String key = String.join(";\n", sql.ddl());
    return counted(() -> prepare(table, key, sql.ddl())
        .compose(ready -> pool.preparedQuery(sql.insert()).execute(row))
        .<Void>mapEmpty()
        .recover(failure -> {
          if (failure instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState())) {
            prepared.remove(key);
          }
          ModuleFailure typed = PostgresFailures.classify(failure);
          LOG.warn("[connection: {}, table: {}] PostgreSQL insert failed: {} ({}, {})", name, table,
              typed.getMessage(), typed.category(), failure.getClass().getName());
          return Future.failedFuture(typed);
        }));
  }

  private Future<Void> prepare(String table, String key, List<String> statements) {
    Future<Void> known = prepared.get(key);
    if (known != null) {
      return known;
    }
    Promise<Void> outcome = Promise.promise();
    prepared.put(key, outcome.future());
    run(statements, 0).onComplete(done -> {
      if (done.succeeded()) {
        LOG.info("[connection: {}, table: {}] PostgreSQL table ready", name, table);
      } else if (done.cause() instanceof PgException pg) {
        LOG.warn("[connection: {}, table: {}] PostgreSQL refused to create the table or an index "
            + "(SQLSTATE {}); inserting anyway", name, table, pg.getSqlState());
      } else {
        LOG.warn("[connection: {}, table: {}] could not prepare the PostgreSQL table: {}", name, table,
            PostgresFailures.classify(done.cause()).getMessage());
        prepared.remove(key, outcome.future());
      }
      outcome.complete();
    });
    return outcome.future();
  }

  private Future<Void> run(List<String> statements, int index) {
    if (index == statements.size()) {
      return Future.succeededFuture();
    }
    return pool.query(statements.get(index)).execute().compose(done -> run(statements, index + 1));
  }

  @Override
  protected Future<Void> release() {
    return pool.close().otherwiseEmpty();
  }
}
