package io.cwm.module.postgres;

import io.cwm.testing.ModuleServerContract;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The module contract (receiver, connector, chain, server down) for postgresql on the machine's PostgreSQL. */
class PostgresContractTest extends ModuleServerContract {
  private final String table = "cwm_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private Vertx vertx;
  private Pool reader;

  @Override
  protected String module() {
    return "postgresql";
  }

  @Override
  protected void startServer() {
    vertx = Vertx.vertx();
    reader = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(serverHost()).setPort(serverPort())
        .setDatabase("test").setUser("postgres")).using(vertx).build();
  }

  @Override
  protected void stopServer() throws Exception {
    reader.query("DROP TABLE IF EXISTS \"" + table + "\"").execute().toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected String serverHost() {
    return PostgresModuleTest.HOST;
  }

  @Override
  protected int serverPort() {
    return PostgresModuleTest.PORT;
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("table", table).put("storage_mode", "json");
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "postgresql").put("host", host).put("port", port).put("database", "test")
        .put("user", "postgres");
  }

  @Override
  protected Set<String> markersReceived() throws Exception {
    Set<String> markers = new HashSet<>();
    try {
      for (Row row : reader.query("SELECT payload->>'marker' AS marker FROM \"" + table + "\"").execute()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
        markers.add(row.getString("marker"));
      }
    } catch (java.util.concurrent.ExecutionException noTableYet) {
      return markers;
    }
    return markers;
  }
}
