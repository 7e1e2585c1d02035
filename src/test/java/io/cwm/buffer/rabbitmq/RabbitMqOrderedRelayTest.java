package io.cwm.buffer.rabbitmq;

import io.cwm.stream.OrderedRelayTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** Ordering per key end to end on the RabbitMQ buffer, over long-poll. */
class RabbitMqOrderedRelayTest extends OrderedRelayTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL);
  }

  @Override
  protected String protocol() {
    return "long_poll";
  }

  @AfterEach
  void deleteQueues() throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(List.of(channel), List.of("ordered"));
    }
  }
}
