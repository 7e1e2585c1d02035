package io.cwm.module.sql;

import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Base of the SQL module verticles: one {@link SqlLink} (pool) per named connection, built by the
 * subclass from the connection object, and per call one row ({@link SqlRow}) inserted into the
 * call's prepared table ({@link SqlLink#write}). A call without a {@code connection} is refused
 * (CONFIG) instead of silently trying {@code localhost}.
 */
public abstract class SqlModuleVerticle extends LinkedModuleVerticle<PreparedTarget, SqlLink> {
  private final SqlDialect dialect;

  protected SqlModuleVerticle(SqlDialect dialect, Env env) {
    super(dialect.module(), PreparedTarget.class, null, env);
    this.dialect = dialect;
  }

  @Override
  protected final Future<Void> deliver(ModuleCall call, PreparedTarget prepared, SqlLink link) {
    if (prepared.dialect() != dialect) {
      throw new ModuleFailure(Category.CONFIG, dialect.module() + " call carries the target of another SQL module");
    }
    Tuple row = SqlRow.of(dialect, prepared.target(), call.webhookId(), call.payload(), call.headers(),
        OffsetDateTime.now(ZoneOffset.UTC));
    return link.write(prepared, row);
  }
}
