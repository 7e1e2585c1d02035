package io.cwm.module.postgres;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.sql.PreparedTarget;
import io.cwm.module.sql.SqlLink;
import io.cwm.module.sql.SqlModuleVerticle;
import io.cwm.module.sql.SqlTarget;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import java.util.Set;

/**
 * The {@code postgresql} / {@code postgres} module (modules.md §3.16): inserts one row per webhook
 * into a table it creates on first use — the whole payload as JSONB ({@code json}), schema fields
 * as typed columns ({@code relational}) or both ({@code hybrid}), optionally as an upsert
 * ({@code ON CONFLICT (<upsert_key column>) DO UPDATE}). Config: {@link SqlTarget}; SQL:
 * {@link io.cwm.module.sql.SqlStatements} in the {@link PostgresDialect}; values and blob payloads:
 * {@link io.cwm.module.sql.SqlRow}; connection settings and host rules: {@link PostgresConnection};
 * failure types: {@link PostgresFailures}.
 *
 * <p>One pool per named connection ({@link SqlLink}), created on first use and reused; a
 * changed connection object under the same name gets a new pool and the old one closes after its
 * calls in flight; all closed on stop. The table is prepared once per pool, not per call. A webhook
 * answers only after the row is committed, and an unreachable or restarting database is a retryable
 * failure (503 with Retry-After on the direct path), while constraint, data, permission and config
 * errors are not. Values that cannot fit a typed column are refused before the database is asked. A
 * call without a {@code connection} is refused (CONFIG) instead of silently trying
 * {@code localhost}.
 *
 * <p>Blob payloads ({@code data_type: blob}): json and hybrid storage keep the bytes as a JSON
 * string of their base64; relational storage refuses blob entries at load.
 *
 * <p>Table preparation: a CREATE TABLE / CREATE INDEX the server refuses is logged and the insert
 * is still tried, so a user with only INSERT on a table the DBA created works; the insert's own
 * failure is what the caller sees.
 */
public final class PostgresModuleVerticle extends SqlModuleVerticle {
  /** The module's registry name (event-bus address {@code cwm.module.postgresql}). */
  public static final String NAME = "postgresql";
  /**
   * The module as the catalogue sees it. Its target is the {@link SqlTarget} with its SQL
   * ({@link PreparedTarget}).
   */
  public static final ModuleType<PreparedTarget> TYPE = ModuleType.served(NAME, Set.of("postgres"),
      (moduleConfig, entry, env) -> PreparedTarget.check(PostgresDialect.INSTANCE, moduleConfig, entry),
      PostgresModuleVerticle::new);

  public PostgresModuleVerticle(Env env) {
    super(PostgresDialect.INSTANCE, env);
  }

  @Override
  protected SqlLink newLink(String name, JsonObject connection) {
    PostgresConnection settings = PostgresConnection.of(connection, env);
    return new SqlLink(vertx, name, connection.copy(), PostgresDialect.INSTANCE, PgBuilder.pool(),
        settings.connectOptions(), settings.poolOptions());
  }
}
