package io.cwm.module.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Failure classification (retryable or not) and the producer settings, without a broker. */
class KafkaLinkClassifyTest {
  private final KafkaLink link = new KafkaLink(null, "c", new JsonObject(), "kafka.example.com:9092");

  private Category category(Throwable failure) {
    return link.classify(failure).category();
  }

  @Test
  void brokerNotAnsweringIsRetryable() {
    assertEquals(Category.CONNECTION, category(new TimeoutException("Topic t not present in metadata after 5000 ms.")));
    assertEquals(Category.TIMEOUT, category(new TimeoutException("Expiring 1 record(s) for t-0: 15000 ms has passed")));
    assertEquals(Category.CONNECTION, category(new NetworkException("disconnected")));
    assertEquals(Category.UNAVAILABLE, category(new NotEnoughReplicasException("isr")));
    assertEquals(Category.UNAVAILABLE, category(new NotLeaderOrFollowerException("moved")));
    assertEquals(Category.UNAVAILABLE, category(new KafkaException("Producer closed while send in progress")));
    // wrapped, as futures deliver them
    assertEquals(Category.CONNECTION, category(new CompletionException(new NetworkException("x"))));
  }

  @Test
  void refusalsAreNotRetryable() {
    assertEquals(Category.REJECTED, category(new RecordTooLargeException("too large")));
    assertEquals(Category.REJECTED, category(new PolicyViolationException("policy")));
    assertEquals(Category.CONFIG, category(new InvalidTopicException("bad")));
    assertEquals(Category.PERMISSION, category(new TopicAuthorizationException("no")));
    assertEquals(Category.AUTH, category(new SaslAuthenticationException("no")));
    assertEquals(Category.VALIDATION, category(new SerializationException("no")));
    assertEquals(Category.INTERNAL, category(new NullPointerException()));
    for (Throwable failure : new Throwable[] {new RecordTooLargeException("x"), new InvalidTopicException("x")}) {
      assertFalse(link.classify(failure).retryable());
    }
  }

  @Test
  void failureMessagesNameNoHostOrTopic() {
    ModuleFailure failure = link.classify(new TimeoutException("Topic secret-topic not present in metadata after 5000 ms."));
    assertFalse(failure.getMessage().contains("secret-topic"));
    assertFalse(link.classify(new NetworkException("kafka.example.com:9092")).getMessage().contains("example"));
  }

  @Test
  void producerWaitsForAllReplicasAndGivesUpWithinSeconds() {
    Map<String, String> config = KafkaLink.producerConfig("kafka.example.com:9092", "orders/eu");
    assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
    assertEquals("true", config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    assertEquals("5000", config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    assertEquals("15000", config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    assertEquals("10000", config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    assertEquals("kafka.example.com:9092", config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    assertEquals(true, config.get(ProducerConfig.CLIENT_ID_CONFIG).matches("cwm-kafka-orders_eu-\\d+"));
  }
}
