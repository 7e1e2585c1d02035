package io.cwm.buffer.rabbitmq;

import io.cwm.connector.CircuitOutageTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** {@link CircuitOutageTest} (issue 16, target outage) on the RabbitMQ buffer (the machine's broker). */
class RabbitMqCircuitOutageTest extends CircuitOutageTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL);
  }

  /** Leaves nothing behind on the shared broker: the queues of this run's channels. */
  @AfterAll
  void deleteQueues() throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueuesContaining(suffix);
    }
  }
}
