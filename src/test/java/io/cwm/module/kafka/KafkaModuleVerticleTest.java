package io.cwm.module.kafka;

import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.bus.Addresses;
import io.cwm.bus.LocalCodec;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.testing.KafkaBroker;
import io.cwm.testing.TestConnector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deployed kafka verticle on its own (event-bus calls, no receiver): producer lifecycle per
 * named connection and call-time refusals.
 */
class KafkaModuleVerticleTest {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String TOPIC = "cwm-kafka-verticle-" + RUN;
  static final Env LOCAL_OK = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private Vertx vertx;

  private void deploy(Env env) throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(ModuleCall.class, new LocalCodec<>(ModuleCall.class));
    await(vertx.deployVerticle(new KafkaModuleVerticle(env)));
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @AfterAll
  static void cleanup() {
    KafkaBroker.deleteTopics(TOPIC);
  }


  private Future<Object> call(JsonObject moduleConfig, String connectionName, JsonObject connection, Object payload) {
    KafkaTarget target = KafkaModuleVerticle.TYPE.target(moduleConfig, new JsonObject(), Env.of(Map.of()));
    ModuleCall call = new ModuleCall("hook", "kafka", target, connectionName, connection, payload,
        Map.of("x-event", "push"), null);
    return vertx.eventBus().request(Addresses.module("kafka"), call).map(reply -> reply.body());
  }

  private ModuleFailure failureOf(Future<Object> call) {
    return ModuleFailure.from(failure(call));
  }

  @Test
  void aChangedConnectionGetsANewProducerAndTheOldOneIsClosedAsAreAllOnStop() throws Exception {
    deploy(LOCAL_OK);
    String name = "swap-" + RUN;
    JsonObject v1 = new JsonObject().put("type", "kafka").put("bootstrap_servers", KafkaBroker.bootstrapServers());
    JsonObject v2 = v1.copy().put("note", "edited");
    JsonObject config = new JsonObject().put("topic", TOPIC);

    await(call(config, name, v1, new JsonObject().put("n", 1)));
    await(call(config, name, v1.copy(), new JsonObject().put("n", 2))); // equal content: same producer
    assertEquals(1, KafkaLink.producersCreated(name));
    assertEquals(0, KafkaLink.producersClosed(name));

    await(call(config, name, v2, new JsonObject().put("n", 3)));
    assertEquals(2, KafkaLink.producersCreated(name));
    assertTrue(TestConnector.await(10_000, () -> KafkaLink.producersClosed(name) == 1), "old producer not closed");

    await(vertx.close());
    vertx = null;
    assertEquals(2, KafkaLink.producersClosed(name));

    List<ConsumerRecord<byte[], byte[]>> records = KafkaBroker.read(TOPIC, 3, 15_000);
    assertEquals(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}"),
        records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
  }

  @Test
  void withoutTheTestFlagTheDefaultLocalhostBootstrapIsRefusedAsConfig() throws Exception {
    deploy(Env.of(Map.of()));
    ModuleFailure failure = failureOf(call(new JsonObject().put("topic", TOPIC), null, null, new JsonObject()));
    assertEquals(Category.CONFIG, failure.category());
    assertFalse(failure.retryable());
    assertTrue(failure.getMessage().contains("bootstrap_servers"), failure.getMessage());
    assertFalse(failure.getMessage().contains("9092"), failure.getMessage());
  }

  @Test
  void anUnresolvableBootstrapHostIsARetryableConnectionFailure() throws Exception {
    deploy(LOCAL_OK);
    String name = "nodns-" + RUN;
    JsonObject connection = new JsonObject().put("bootstrap_servers", "cwm-kafka-test.invalid:9092");
    for (int i = 0; i < 2; i++) { // the failed creation is not cached: the next call tries again
      ModuleFailure failure = failureOf(call(new JsonObject().put("topic", TOPIC), name, connection, 1));
      assertEquals(Category.CONNECTION, failure.category());
      assertFalse(failure.getMessage().contains("invalid"), failure.getMessage());
    }
    assertEquals(0, KafkaLink.producersCreated(name));
  }

  @Test
  void aBadTopicIsRefusedAtLoadBeforeAnyProducerExists() throws Exception {
    deploy(LOCAL_OK);
    String name = "badtopic-" + RUN;
    JsonObject connection = new JsonObject().put("bootstrap_servers", KafkaBroker.bootstrapServers());
    ConfigException refused = assertThrows(ConfigException.class,
        () -> call(new JsonObject().put("topic", "bad topic"), name, connection, 1));
    assertEquals("topic", refused.key());
    assertEquals(0, KafkaLink.producersCreated(name));
  }
}
