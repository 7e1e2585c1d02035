package io.cwm.module.sql;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SQL pool for one named connection, shared by every call that uses it, whichever webhook,
 * chain item or connector delivery: only undeploy or a changed connection (retire) closes it,
 * never a call. The pool connects on demand, so a database that is down costs nothing until a
 * webhook arrives and is picked up again when it is back.
 *
 * <p>Each table is prepared once per (table, DDL text) on this pool, not per call, and whoever
 * shares the pool: the first call runs CREATE TABLE / CREATE INDEX IF NOT EXISTS and later calls
 * wait for that same outcome. A DDL statement the server refuses (for example a user with INSERT
 * but no CREATE privilege on a table the DBA made) is logged once and the insert is tried anyway;
 * a DDL failure without an answer (connection lost) is forgotten so the next call prepares again.
 * An insert that finds no table (it was dropped) also forgets the preparation.
 *
 * <p>Used from the owning verticle's event loop only.
 */
public final class SqlLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(SqlLink.class);

  /** SQLSTATE of a missing table: PostgreSQL's, and the ODBC one MySQL uses. */
  private static final Set<String> UNDEFINED_TABLE = Set.of("42P01", "42S02");

  private final String name;
  private final SqlDialect dialect;
  private final String product;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private final Pool pool;
  /** Preparation by DDL text; a completed future means "prepared or refused, do not repeat". */
  private final Map<String, Future<Void>> prepared = new HashMap<>();

  /**
   * @param connection the connection object (a changed object gets a new link)
   * @param builder the driver's pool builder ({@code PgBuilder.pool()}, {@code MySQLBuilder.pool()})
   */
  public SqlLink(Vertx vertx, String name, JsonObject connection, SqlDialect dialect, ClientBuilder<Pool> builder,
      SqlConnectOptions connectOptions, PoolOptions poolOptions) {
    super(connection);
    this.name = name;
    this.dialect = dialect;
    this.product = dialect.product();
    this.pool = builder
        .with(poolOptions)
        .with(new NetClientOptions().setConnectTimeout(SqlConnections.CONNECT_TIMEOUT_MILLIS))
        .connectingTo(connectOptions)
        .using(vertx)
        .build();
  }

  /** Prepares the table (first use on this pool) and inserts one row. */
  public Future<Void> write(PreparedTarget target, Tuple row) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, product + " pool is closed"));
    }
    String table = target.target().table();
    SqlStatements sql = target.sql();
    String key = sql.ddlKey();
    return counted(() -> prepare(table, key, sql.ddl())
        .compose(ready -> pool.preparedQuery(sql.insert()).execute(row))
        .<Void>mapEmpty()
        .recover(failure -> {
          if (failure instanceof DatabaseException answered && UNDEFINED_TABLE.contains(answered.getSqlState())) {
            prepared.remove(key);
          }
          ModuleFailure typed = dialect.classify(failure);
          LOG.warn("[connection: {}, table: {}] {} insert failed: {} ({}, {})", name, table, product,
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
        LOG.info("[connection: {}, table: {}] {} table ready", name, table, product);
      } else if (done.cause() instanceof DatabaseException) {
        LOG.warn("[connection: {}, table: {}] {} refused to create the table or an index ({}); inserting anyway",
            name, table, product, dialect.classify(done.cause()).getMessage());
      } else {
        LOG.warn("[connection: {}, table: {}] could not prepare the {} table: {}", name, table, product,
            dialect.classify(done.cause()).getMessage());
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
