package io.cwm.module.mysql;

import static io.cwm.testing.Futures.await;

import io.cwm.testing.ModuleServerContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** The module contract (receiver, connector, chain, server down) for mysql on the machine's MariaDB. */
class MySqlContractTest extends ModuleServerContract {
  private static final int NO_SUCH_TABLE = 1146;
  private final String table = "cwm_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private Vertx vertx;
  private Pool reader;

  @Override
  protected String module() {
    return "mysql";
  }

  @Override
  protected void startServer() {
    vertx = Vertx.vertx();
    reader = MySqlModuleTest.reader(vertx);
  }

  @Override
  protected void stopServer() {
    await(reader.query("DROP TABLE IF EXISTS `" + table + "`").execute());
    await(vertx.close());
  }

  @Override
  protected String serverHost() {
    return MySqlModuleTest.HOST;
  }

  @Override
  protected int serverPort() {
    return MySqlModuleTest.PORT;
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("table", table).put("storage_mode", "json");
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "mysql").put("host", host).put("port", port).put("database", "test")
        .put("user", "root");
  }

  @Override
  protected Set<String> markersReceived() {
    Set<String> markers = new HashSet<>();
    RowSet<Row> rows = await(reader.query("SELECT JSON_VALUE(payload, '$.marker') AS marker FROM `" + table + "`")
        .execute().recover(failure -> failure instanceof MySQLException mysql && mysql.getErrorCode() == NO_SUCH_TABLE
            ? Future.succeededFuture(null) : Future.failedFuture(failure)));
    if (rows != null) {
      rows.forEach(row -> markers.add(row.getString("marker")));
    }
    return markers;
  }
}
