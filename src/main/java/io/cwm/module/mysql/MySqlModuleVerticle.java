package io.cwm.module.mysql;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.sql.PreparedTarget;
import io.cwm.module.sql.SqlLink;
import io.cwm.module.sql.SqlModuleVerticle;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import java.util.Set;

/**
 * The {@code mysql} / {@code mariadb} module (modules.md §3.17): inserts one row per webhook into a
 * MySQL or MariaDB table it creates on first use — the whole payload as JSON ({@code json}),
 * schema fields as typed columns ({@code relational}) or both ({@code hybrid}), optionally as an
 * upsert ({@code ON DUPLICATE KEY UPDATE}). The module-config, row building and table preparation
 * are the postgresql module's ({@link io.cwm.module.sql}); what differs is the
 * {@link MySqlDialect}, the connection ({@link MySqlConnection}) and the error numbers
 * ({@link MySqlFailures}).
 *
 * <p>One pool per named connection ({@link SqlLink}), created on first use and shared by every
 * webhook, chain item and connector delivery that names it; a call never closes it (Python's
 * teardown closed the shared registry pool, connections-json.md §6.4): only a changed connection
 * object (the old pool closes after its calls in flight) or undeploy does. The table is created
 * once per pool and table, also when the pool is shared (Python skipped table creation then). A
 * webhook answers only after the row is committed (autocommit INSERT); an unreachable, restarting
 * or overloaded server is a retryable failure (503 with Retry-After on the direct path), while
 * constraint, value, credential, permission and unknown-database errors are not. A call without a
 * {@code connection} is refused (CONFIG) instead of silently trying {@code localhost}.
 *
 * <p>Blob payloads ({@code data_type: blob}): json and hybrid storage keep the bytes as a JSON
 * string of their base64; relational storage refuses blob entries at load.
 */
public final class MySqlModuleVerticle extends SqlModuleVerticle {
  /** The module's registry name (event-bus address {@code cwm.module.mysql}). */
  public static final String NAME = "mysql";
  /** The module as the catalogue sees it; {@code mariadb} is an alias. */
  public static final ModuleType<PreparedTarget> TYPE = ModuleType.served(NAME, Set.of("mariadb"),
      (moduleConfig, entry, env) -> PreparedTarget.check(MySqlDialect.INSTANCE, moduleConfig, entry),
      MySqlModuleVerticle::new);

  public MySqlModuleVerticle(Env env) {
    super(MySqlDialect.INSTANCE, env);
  }

  @Override
  protected SqlLink newLink(String name, JsonObject connection) {
    MySqlConnection settings = MySqlConnection.of(connection, env);
    return new SqlLink(vertx, name, connection.copy(), MySqlDialect.INSTANCE, MySQLBuilder.pool(),
        settings.connectOptions(), settings.poolOptions());
  }
}
