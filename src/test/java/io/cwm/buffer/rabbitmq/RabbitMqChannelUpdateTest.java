package io.cwm.buffer.rabbitmq;

import io.cwm.stream.ChannelUpdateTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Channels at run time on the machine's RabbitMQ, with one channel verticle per instance. */
class RabbitMqChannelUpdateTest extends ChannelUpdateTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL);
  }

  @Override
  protected boolean channelVerticles() {
    return true;
  }

  /** Leaves nothing behind on the shared broker: the queues of this run's channels. */
  @AfterAll
  void deleteQueues() throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueuesContaining(suffix);
    }
  }
}
