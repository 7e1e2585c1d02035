package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.OrderingContractTest;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;

/**
 * Ordering per key on the RabbitMQ buffer: the receiver holds the deliveries of its consumers and
 * hands out one per key; the broker keeps the queue order (and requeues in place) across restarts.
 */
class RabbitMqOrderingTest extends OrderingContractTest {

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), false);
  }

  @Override
  protected void cleanUp(String channelName) throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(List.of(channelName), List.of("hook-a", "hook-b"));
    }
  }
}
