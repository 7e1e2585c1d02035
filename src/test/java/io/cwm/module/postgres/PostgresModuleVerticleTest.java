package io.cwm.module.postgres;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.PreparedTarget;
import io.cwm.testing.TestConnector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The postgresql verticle on the event bus against the machine's PostgreSQL: pool lifecycle per
 * named connection (reuse, swap on change, close on stop), table preparation once per pool, and
 * failures that come from the server at connect time.
 */
@ExtendWith(VertxExtension.class)
class PostgresModuleVerticleTest {
  static final String HOST = PostgresModuleTest.HOST;
  static final int PORT = PostgresModuleTest.PORT;

  private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String table = "cwm_test_verticle_" + suffix;
  private Pool reader;
  private String deployment;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    reader = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT)
        .setDatabase("test").setUser("postgres")).using(vertx).build();
    Launcher.registerCodecs(vertx);
    deployment = await(vertx.deployVerticle(new PostgresModuleVerticle(Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true")))));
  }

  @AfterEach
  void cleanUp() throws Exception {
    await(reader.query("DROP TABLE IF EXISTS \"" + table + "\"").execute());
    await(reader.close());
  }


  private JsonObject connection(String applicationName) {
    return new JsonObject().put("type", "postgresql").put("connection_string",
        "postgresql://postgres@" + HOST + ":" + PORT + "/test?application_name=" + applicationName);
  }

  private JsonObject config() {
    return new JsonObject().put("table", table).put("schema", new JsonObject().put("indexes",
        new JsonObject().put("idx_" + suffix, new JsonObject().put("columns", new io.vertx.core.json.JsonArray().add("webhook_id")))));
  }

  private static Future<Object> call(Vertx vertx, JsonObject config, String connectionName, JsonObject connection, Object payload) {
    PreparedTarget target = PostgresModuleVerticle.TYPE.target(config, new JsonObject(), Env.of(Map.of()));
    ModuleCall call = new ModuleCall("hook", "postgresql", target, connectionName, connection, payload,
        Map.of("x-test", "1"), null);
    return vertx.eventBus().request(Addresses.module("postgresql"), call).map(reply -> reply.body());
  }

  private static ModuleFailure failureOf(Future<Object> call) throws Exception {
    Throwable failure = call.toCompletionStage().toCompletableFuture().handle((ok, error) -> error).get(15, TimeUnit.SECONDS);
    return ModuleFailure.from(failure);
  }

  private long sessions(String applicationName) throws Exception {
    return await(reader.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
        .execute(Tuple.of(applicationName))).iterator().next().getLong(0);
  }

  private long rows() throws Exception {
    return await(reader.query("SELECT count(*) FROM \"" + table + "\"").execute()).iterator().next().getLong(0);
  }

  private boolean indexExists() throws Exception {
    return await(reader.preparedQuery("SELECT count(*) FROM pg_indexes WHERE indexname = $1")
        .execute(Tuple.of("idx_" + suffix))).iterator().next().getLong(0) == 1;
  }

  private boolean eventually(Check check) throws Exception {
    return TestConnector.await(10_000, () -> {
      try {
        return check.holds();
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** A condition read from the database. */
  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }

  @Test
  void aChangedConnectionGetsANewPoolAndTheOldOneIsClosedAndStopClosesAll(Vertx vertx) throws Exception {
    String first = "cwm_test_a_" + suffix;
    String second = "cwm_test_b_" + suffix;
    for (int i = 0; i < 3; i++) {
      await(call(vertx, config(), "db", connection(first), new JsonObject().put("i", i)));
    }
    assertEquals(1, sessions(first), "one pool, one session for sequential calls");

    await(call(vertx, config(), "db", connection(second).put("pool_max_size", 2), new JsonObject().put("i", 3)));
    assertTrue(eventually(() -> sessions(first) == 0), "the old pool is closed");
    assertEquals(1, sessions(second));
    assertEquals(4, rows());

    await(vertx.undeploy(deployment));
    assertTrue(eventually(() -> sessions(second) == 0), "stop closes the pools");
  }

  @Test
  void theTableIsPreparedOncePerPoolAndAgainWhenItDisappears(Vertx vertx) throws Exception {
    JsonObject connection = connection("cwm_test_ddl_" + suffix);
    await(call(vertx, config(), "db", connection, new JsonObject().put("n", 1)));
    assertTrue(indexExists());
    await(reader.query("DROP INDEX \"idx_" + suffix + "\"").execute());

    await(call(vertx, config(), "db", connection, new JsonObject().put("n", 2)));
    assertFalse(indexExists(), "no DDL on the second call");
    assertEquals(2, rows());

    await(reader.query("DROP TABLE \"" + table + "\"").execute());
    ModuleFailure missing = failureOf(call(vertx, config(), "db", connection, new JsonObject().put("n", 3)));
    assertEquals(Category.CONFIG, missing.category(), missing.getMessage());
    assertFalse(missing.retryable());
    await(call(vertx, config(), "db", connection, new JsonObject().put("n", 4)));
    assertEquals(1, rows());
    assertTrue(indexExists(), "prepared again after the table went away");
  }

  @Test
  void concurrentFirstCallsShareOneTablePreparation(Vertx vertx) throws Exception {
    JsonObject connection = connection("cwm_test_burst_" + suffix);
    java.util.List<Future<Object>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(call(vertx, config(), "db", connection, new JsonObject().put("i", i)));
    }
    await(Future.all(calls));
    assertEquals(20, rows());
  }

  @Test
  void aMissingDatabaseIsANonRetryableConfigFailure(Vertx vertx) throws Exception {
    JsonObject connection = new JsonObject().put("type", "postgresql").put("host", HOST).put("port", PORT)
        .put("database", "cwm_no_such_db_" + suffix);
    ModuleFailure failure = failureOf(call(vertx, config(), "nodb", connection, new JsonObject()));
    assertEquals(Category.CONFIG, failure.category(), failure.getMessage());
    assertTrue(failure.getMessage().contains("3D000"), failure.getMessage());
  }

  @Test
  void sslAgainstAServerWithoutTlsIsANonRetryableConfigFailure(Vertx vertx) throws Exception {
    JsonObject connection = new JsonObject().put("type", "postgresql").put("host", HOST).put("port", PORT)
        .put("database", "test").put("ssl", true);
    ModuleFailure failure = failureOf(call(vertx, config(), "tls", connection, new JsonObject()));
    assertEquals(Category.CONFIG, failure.category(), failure.getMessage());
  }

  @Test
  void aCallWithoutAConnectionIsAConfigFailure(Vertx vertx) throws Exception {
    ModuleFailure failure = failureOf(call(vertx, config(), null, null, new JsonObject()));
    assertEquals(Category.CONFIG, failure.category());
  }

  @Test
  void aRefusedHostIsAConfigFailure(Vertx vertx) throws Exception {
    JsonObject connection = new JsonObject().put("type", "postgresql").put("host", "169.254.169.254").put("port", 5432);
    ModuleFailure failure = failureOf(call(vertx, config(), "meta", connection, new JsonObject()));
    assertEquals(Category.CONFIG, failure.category());
    assertFalse(failure.getMessage().contains("169.254"), failure.getMessage());
  }
}
