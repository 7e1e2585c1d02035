package io.cwm.buffer.rabbitmq;

import io.cwm.stream.StreamDeliveryTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The delivery semantics suite (spec §4) through a real receiver on the machine's RabbitMQ. */
class RabbitMqStreamDeliveryTest extends StreamDeliveryTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL);
  }

  /** Deliveries from RabbitMQ still go through basic.get loops: 33-40 ms measured, 93 ms with one instance. */
  @Override
  protected long isolationP99BoundMillis() {
    return 80;
  }

  /** Leaves nothing behind on the shared broker: the queues of this run's channels. */
  @AfterAll
  void deleteQueues() throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueuesContaining(suffix);
    }
  }
}
