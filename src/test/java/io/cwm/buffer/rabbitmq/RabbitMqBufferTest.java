package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBufferContractTest;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The buffer contract against the machine's RabbitMQ ({@link RabbitBroker#URL}), plus what only
 * the RabbitMQ backend promises: Python's layout, messages and dead letters. Each test deletes the
 * queues of its channels (never the shared exchanges).
 */
class RabbitMqBufferTest extends MessageBufferContractTest {
  private final List<MessageBuffer> extraBuffers = new ArrayList<>();
  private final List<String> extraChannels = new ArrayList<>();

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), false);
  }

  @Override
  protected MessageBuffer reopen(Vertx vertx) {
    return create(vertx);
  }

  @AfterEach
  void deleteTestQueues() throws Exception {
    extraBuffers.forEach(extra -> await(extra.close()));
    List<String> names = new ArrayList<>(List.of(channel.name(), tiny.name(), channel.name() + "-ttl"));
    names.addAll(extraChannels);
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(names, List.of("hook-a", "hook-b"));
    }
  }
}
