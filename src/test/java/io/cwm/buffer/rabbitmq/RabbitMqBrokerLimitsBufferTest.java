package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBufferContractTest;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The buffer contract with WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS=broker: the queues also carry
 * x-max-length / reject-publish, and the contract holds unchanged.
 */
class RabbitMqBrokerLimitsBufferTest extends MessageBufferContractTest {
  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), true);
  }

  @Override
  protected MessageBuffer reopen(Vertx vertx) {
    return create(vertx);
  }

  @AfterEach
  void deleteTestQueues() throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(List.of(channel.name(), tiny.name(), channel.name() + "-ttl"), List.of("hook-a", "hook-b"));
    }
  }
}
