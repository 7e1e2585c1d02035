package io.cwm.module.mysql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.SqlConnections;
import io.cwm.module.sql.SqlLink;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLException;

/** The {@link SqlLink} of one {@code mysql} connection: a Vert.x MySQL pool. */
final class MySqlLink extends SqlLink {
  /** ER_NO_SUCH_TABLE. */
  private static final int NO_SUCH_TABLE = 1146;

  MySqlLink(Vertx vertx, String name, JsonObject connection, MySqlConnection settings) {
    super(connection, name, MySqlDialect.INSTANCE.product(), MySQLBuilder.pool()
        .with(settings.poolOptions())
        .with(new NetClientOptions().setConnectTimeout(SqlConnections.CONNECT_TIMEOUT_MILLIS))
        .connectingTo(settings.connectOptions())
        .using(vertx)
        .build());
  }

  @Override
  protected ModuleFailure classify(Throwable failure) {
    return MySqlFailures.classify(failure);
  }

  @Override
  protected boolean answeredByServer(Throwable failure) {
    return failure instanceof MySQLException;
  }

  @Override
  protected boolean tableMissing(Throwable failure) {
    return failure instanceof MySQLException mysql && mysql.getErrorCode() == NO_SUCH_TABLE;
  }
}
