package io.cwm.module.clickhouse;

import io.cwm.testing.ClickHouseServer;
import io.cwm.testing.ModuleServerContract;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The module contract (receiver, connector, chain, server down) for clickhouse on the test's own
 * ClickHouse server ({@link ClickHouseServer}), in a database of its own.
 */
class ClickHouseContractTest extends ModuleServerContract {
  private final String table = "cwm_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private ClickHouseServer clickhouse;
  private String database;

  @Override
  protected String module() {
    return "clickhouse";
  }

  @Override
  protected void startServer() throws Exception {
    clickhouse = ClickHouseServer.shared();
    database = clickhouse.createDatabase("cwm_contract");
  }

  @Override
  protected void stopServer() {
    clickhouse.dropDatabase(database);
  }

  @Override
  protected Map<String, String> env() {
    Map<String, String> env = new java.util.HashMap<>(super.env());
    env.put("CWM_CLICKHOUSE_EVENT_LOG", "false"); // the event log has its own tests
    return env;
  }

  @Override
  protected String serverHost() {
    return "127.0.0.1";
  }

  @Override
  protected int serverPort() {
    return clickhouse.httpPort();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("table", table);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "clickhouse").put("host", host).put("port", port).put("database", database)
        .put("user", ClickHouseServer.USER).put("password", ClickHouseServer.PASSWORD);
  }

  @Override
  protected Set<String> markersReceived() throws Exception {
    Set<String> markers = new HashSet<>();
    try {
      markers.addAll(clickhouse.lines("SELECT visitParamExtractString(payload, 'marker') FROM "
          + database + "." + table));
    } catch (IOException noTableYet) {
      return markers;
    }
    return markers;
  }
}
