package io.cwm.module.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure rules: topic names, key/partition/forward_headers values, bootstrap hosts. */
class KafkaTargetTest {
  private static final Env NO_FLAGS = Env.of(Map.of());
  private static final Env LOCAL_OK = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private static KafkaTarget resolve(JsonObject moduleConfig) {
    return KafkaTarget.resolve(moduleConfig, new JsonObject());
  }

  private static ConfigException refused(JsonObject moduleConfig) {
    return assertThrows(ConfigException.class, () -> KafkaModuleVerticle.TYPE.target(moduleConfig, new JsonObject(), NO_FLAGS));
  }

  @Test
  void moduleConfigWinsOverTheEntryAndIsTrimmed() {
    assertEquals("orders", KafkaTarget.resolve(new JsonObject().put("topic", " orders "),
        new JsonObject().put("topic", "other")).topic());
  }

  @Test
  void entryTopicIsTheFallback() {
    assertEquals("webhook_events", KafkaTarget.resolve(new JsonObject(),
        new JsonObject().put("topic", "webhook_events")).topic());
  }

  @Test
  void missingOrNonStringTopicIsAConfigErrorNamingTopic() {
    assertEquals("topic", refused(new JsonObject()).key());
    assertEquals("topic", refused(new JsonObject().put("topic", 42)).key());
  }

  @Test
  void topicLengthIsTwoTo249() {
    assertNotNull(KafkaTarget.topicProblem("a"));
    assertNull(KafkaTarget.topicProblem("ab"));
    assertNull(KafkaTarget.topicProblem("t".repeat(249)));
    assertNotNull(KafkaTarget.topicProblem("t".repeat(250)));
    assertEquals("topic", refused(new JsonObject().put("topic", "t".repeat(300))).key());
  }

  @Test
  void malformedTopicsAreRejected() {
    assertNotNull(KafkaTarget.topicProblem("with space"));
    assertNotNull(KafkaTarget.topicProblem("slash/name"));
    assertNotNull(KafkaTarget.topicProblem("colon:name"));
    assertNotNull(KafkaTarget.topicProblem("a..b"));
    assertNotNull(KafkaTarget.topicProblem("a--b"));
    assertNotNull(KafkaTarget.topicProblem(".."));
    assertNotNull(KafkaTarget.topicProblem("ünicode"));
    assertEquals("topic", refused(new JsonObject().put("topic", "my topic")).key());
    assertNull(KafkaTarget.topicProblem("billing.v1_created-events"));
  }

  @Test
  void pythonsKeywordPrefixesAreNotRefused() {
    // Python refuses these innocent names (modules.md §5.6); Kafka accepts them and so do we
    for (String topic : new String[] {"list-updates", "config_changes", "delete.events", "create", "kafka-topics"}) {
      assertNull(KafkaTarget.topicProblem(topic), topic);
    }
  }

  @Test
  void keyIsStringifiedLikePython() {
    assertEquals("tenant-1", resolve(new JsonObject().put("topic", "t1").put("key", "tenant-1")).key());
    assertEquals("42", resolve(new JsonObject().put("topic", "t1").put("key", 42)).key());
    assertEquals("True", resolve(new JsonObject().put("topic", "t1").put("key", true)).key());
    assertNull(resolve(new JsonObject().put("topic", "t1").put("key", "")).key());
    assertNull(resolve(new JsonObject().put("topic", "t1")).key());
    assertEquals("key", refused(new JsonObject().put("topic", "t1").put("key", new JsonObject())).key());
  }

  @Test
  void partitionIsANonNegativeInteger() {
    assertEquals(3, resolve(new JsonObject().put("topic", "t1").put("partition", 3)).partition());
    assertEquals(2, resolve(new JsonObject().put("topic", "t1").put("partition", "2")).partition());
    assertNull(resolve(new JsonObject().put("topic", "t1")).partition());
    assertEquals("partition", refused(new JsonObject().put("topic", "t1").put("partition", -1)).key());
    assertEquals("partition", refused(new JsonObject().put("topic", "t1").put("partition", "one")).key());
    assertEquals("partition", refused(new JsonObject().put("topic", "t1").put("partition", 1.5)).key());
  }

  @Test
  void forwardHeadersDefaultsToFalse() {
    assertFalse(resolve(new JsonObject().put("topic", "t1")).forwardHeaders());
    assertTrue(resolve(new JsonObject().put("topic", "t1").put("forward_headers", "true")).forwardHeaders());
    assertEquals("forward_headers", refused(new JsonObject().put("topic", "t1").put("forward_headers", "yes")).key());
  }

  @Test
  void bootstrapDefaultsToLocalhostWhichNeedsTheTestFlag() {
    assertEquals("localhost:9092", KafkaBootstrap.check(new JsonObject(), LOCAL_OK));
    ConfigException e = assertThrows(ConfigException.class, () -> KafkaBootstrap.check(new JsonObject(), NO_FLAGS));
    assertEquals("bootstrap_servers", e.key());
    assertTrue(e.getMessage().contains("ALLOW_LOCALHOST_FOR_TESTS"), e.getMessage());
  }

  @Test
  void everyBootstrapHostPassesTheHostRules() {
    assertEquals("kafka-1.example.com:9092,kafka-2.example.com:9093", KafkaBootstrap.check(
        new JsonObject().put("bootstrap_servers", " kafka-1.example.com:9092 , kafka-2.example.com:9093"), NO_FLAGS));
    assertEquals("k1.example.com:9092,k2.example.com:9092", KafkaBootstrap.check(new JsonObject()
        .put("bootstrap_servers", new JsonArray().add("k1.example.com:9092").add("k2.example.com:9092")), NO_FLAGS));
    for (String bad : new String[] {"kafka.example.com:9092,169.254.169.254:9092", "10.0.0.5:9092",
        "metadata.google.internal:80", "kafka.example.com", "kafka.example.com:0", "kafka.example.com:x",
        "kafka;rm.example.com:9092", "::1:9092", ""}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> KafkaBootstrap.check(new JsonObject().put("bootstrap_servers", bad), NO_FLAGS), bad);
      assertEquals("bootstrap_servers", e.key());
    }
    assertEquals("[::1]:9092", KafkaBootstrap.check(new JsonObject().put("bootstrap_servers", "[::1]:9092"), LOCAL_OK));
  }
}
