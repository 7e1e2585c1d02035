package io.cwm.module.postgres;

import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.SqlLink;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;

/** The {@link SqlLink} of one {@code postgresql} connection: a Vert.x PostgreSQL pool. */
final class PostgresLink extends SqlLink {
  private static final String UNDEFINED_TABLE = "42P01";

  PostgresLink(Vertx vertx, String name, JsonObject connection, PostgresConnection settings) {
    super(connection, name, PostgresDialect.INSTANCE.product(), PgBuilder.pool()
        .with(settings.poolOptions())
        .with(new NetClientOptions().setConnectTimeout(PostgresConnection.CONNECT_TIMEOUT_MILLIS))
        .connectingTo(settings.connectOptions())
        .using(vertx)
        .build());
  }

  @Override
  protected ModuleFailure classify(Throwable failure) {
    return PostgresFailures.classify(failure);
  }

  @Override
  protected boolean answeredByServer(Throwable failure) {
    return failure instanceof PgException;
  }

  @Override
  protected boolean tableMissing(Throwable failure) {
    return failure instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState());
  }
}
