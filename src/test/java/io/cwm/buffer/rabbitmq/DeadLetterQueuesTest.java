package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.cwm.buffer.rabbitmq.CounterRecord.Counts;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ buffer's {@link DeadLetterQueues} against the machine's broker: what a dead letter
 * carries and when it is counted, the adoption of the broker's dead letters (counted once, also
 * over receivers), and the bookkeeping of replay and delete over copies of one message.
 */
class DeadLetterQueuesTest {
  private final String name = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
  private final ChannelSpec spec = new ChannelSpec(name, "token",
      Map.of("hook-a", new ChannelSpec.Queue("hook-a", 3600, 2)), 10, 100, 120, 30, 3);
  private final String queue = RabbitLayout.queue(name, "hook-a");
  private final String deadLetterQueue = RabbitLayout.deadLetterQueue(name, "hook-a");
  private final List<RabbitParts> receivers = new ArrayList<>();
  private Vertx vertx;
  private int sequence;

  /** The channel's objects as the buffer's open declares them. */
  @BeforeEach
  void declare() throws Exception {
    vertx = Vertx.vertx();
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.exchangeDeclare(RabbitLayout.EXCHANGE, RabbitLayout.EXCHANGE_TYPE, true);
      amqp.exchangeDeclare(RabbitLayout.DEAD_LETTER_EXCHANGE, RabbitLayout.EXCHANGE_TYPE, true);
      amqp.queueDeclare(deadLetterQueue, true, false, false, RabbitLayout.deadLetterQueueArguments().getMap());
      amqp.queueBind(deadLetterQueue, RabbitLayout.DEAD_LETTER_EXCHANGE, RabbitLayout.routingKey(name, "hook-a"));
      amqp.queueDeclare(queue, true, false, false,
          RabbitLayout.queueArguments(name, "hook-a", 3600, false, 2).getMap());
      amqp.queueBind(queue, RabbitLayout.EXCHANGE, RabbitLayout.routingKey(name, "hook-a"));
      RabbitBroker.declareStateQueues(amqp, name);
    }
  }

  @AfterEach
  void deleteQueues() throws Exception {
    receivers.forEach(RabbitParts::close);
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(List.of(name), List.of("hook-a"));
    }
    await(vertx.close());
  }

  private RabbitParts receiver() {
    RabbitParts receiver = new RabbitParts(vertx);
    receivers.add(receiver);
    return receiver;
  }

  private Envelope envelope(String messageId) {
    Envelope fresh = Envelope.create(name, "hook-a", new JsonObject(), new JsonObject().put("n", messageId),
        Instant.now(), 3600);
    return new Envelope(messageId, fresh.channel(), fresh.webhookId(), fresh.timestamp(), fresh.expiresAt(),
        fresh.headers(), fresh.payload(), ++sequence, 3);
  }

  /** A dead letter made by Java (the original already settled). */
  private void deadLetter(RabbitParts receiver, ChannelState channel, String messageId, String reason) {
    QueueState hookA = channel.queues.get("hook-a");
    receiver.on(() -> receiver.deadLetterQueues.add(channel, hookA, envelope(messageId), reason,
        Future::succeededFuture));
  }

  private static long ready(String queue) throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      return broker.ready(queue);
    }
  }

  /** Every message of a queue (got, then put back). */
  private static List<GetResponse> browse(String queue) throws Exception {
    List<GetResponse> messages = new ArrayList<>();
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      for (GetResponse got = amqp.basicGet(queue, false); got != null; got = amqp.basicGet(queue, false)) {
        messages.add(got);
      }
      if (!messages.isEmpty()) {
        amqp.basicNack(messages.get(messages.size() - 1).getEnvelope().getDeliveryTag(), true, true);
      }
    }
    return messages;
  }

  private static String messageId(GetResponse message) {
    return message.getProps().getMessageId();
  }

  @Test
  void aDeadLetterIsInTheDlqWithItsReasonBeforeTheOriginalIsSettledAndIsCountedAfter() throws Exception {
    RabbitParts receiver = receiver();
    ChannelState channel = receiver.channel(spec);
    QueueState hookA = channel.queues.get("hook-a");
    long[] inDlqAtSettle = {-1};
    receiver.on(() -> receiver.deadLetterQueues.add(channel, hookA, envelope("msg_1"), "max_deliveries", () -> {
      try {
        inDlqAtSettle[0] = browse(deadLetterQueue).size();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
      return Future.succeededFuture();
    }));
    assertEquals(1, inDlqAtSettle[0], "published (confirmed) before the original is settled");
    GetResponse dead = browse(deadLetterQueue).get(0);
    assertEquals("msg_1", messageId(dead));
    assertEquals("max_deliveries", dead.getProps().getHeaders().get(RabbitLayout.REASON_HEADER).toString());
    assertNotNull(Envelope.parse(dead.getProps().getHeaders().get(RabbitLayout.DEAD_LETTERED_AT_HEADER).toString()));
    assertEquals(3, new JsonObject(new String(dead.getBody(), StandardCharsets.UTF_8)).getInteger("delivery_count"));
    deadLetter(receiver, channel, "msg_2", "expired");
    assertEquals(new Counts(0, 1, 1), receiver.on(() -> receiver.store.counters(channel.stored)));
  }

  @Test
  void aFailedSettleCountsNothing() {
    RabbitParts receiver = receiver();
    ChannelState channel = receiver.channel(spec);
    QueueState hookA = channel.queues.get("hook-a");
    Throwable failure = receiver.on(() -> receiver.deadLetterQueues.add(channel, hookA, envelope("msg_1"), "rejected",
        () -> Future.failedFuture("connection lost")).transform(done -> Future.succeededFuture(done.cause())));
    assertEquals("connection lost", failure.getMessage());
    assertEquals(Counts.ZERO, receiver.on(() -> receiver.store.counters(channel.stored)));
  }

  @Test
  void deadLettersTheBrokerMadeAreAdoptedAndCountedOnceOverReceivers() throws Exception {
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.confirmSelect();
      amqp.basicPublish(RabbitLayout.EXCHANGE, RabbitLayout.routingKey(name, "hook-a"),
          new AMQP.BasicProperties.Builder().messageId("msg_py").deliveryMode(2).build(),
          envelope("msg_py").toJson().encode().getBytes(StandardCharsets.UTF_8));
      amqp.waitForConfirmsOrDie(5000);
      GetResponse got = amqp.basicGet(queue, false);
      amqp.basicReject(got.getEnvelope().getDeliveryTag(), false); // as a Python receiver's nack without retry
    }
    assertTrue(io.cwm.testing.TestConnector.await(5000, () -> {
      try {
        return ready(deadLetterQueue) == 1;
      } catch (Exception e) {
        return false;
      }
    }), "the broker dead-lettered it");
    RabbitParts first = receiver();
    ChannelState channel = first.channel(spec);
    first.on(() -> first.deadLetterQueues.adoptNew(channel));
    assertEquals(1, channel.queues.get("hook-a").deadLettersKnown);
    assertEquals("rejected", browse(deadLetterQueue).get(0).getProps().getHeaders()
        .get(RabbitLayout.REASON_HEADER).toString(), "now in Java's format");
    first.on(() -> first.deadLetterQueues.adoptNew(channel));
    assertEquals(new Counts(0, 0, 1), first.on(() -> first.store.counters(channel.stored)), "once");
    first.close(); // its count written
    receivers.remove(first);

    RabbitParts second = receiver();
    ChannelState seenBySecond = second.channel(spec);
    second.on(() -> second.deadLetterQueues.adoptNew(seenBySecond));
    assertEquals(1, seenBySecond.queues.get("hook-a").deadLettersKnown, "looked");
    assertEquals(new Counts(0, 0, 1), second.on(() -> second.store.counters(seenBySecond.stored)),
        "not counted again by the second receiver");
  }

  @Test
  void replayQueuesOneCopyOfAMessageAndStopsAtTheFirstFullQueue() throws Exception {
    RabbitParts receiver = receiver();
    ChannelState channel = receiver.channel(spec);
    deadLetter(receiver, channel, "msg_1", "rejected");
    deadLetter(receiver, channel, "msg_1", "rejected"); // a second copy (a dead-lettering retried)
    deadLetter(receiver, channel, "msg_2", "rejected");
    deadLetter(receiver, channel, "msg_3", "rejected");
    assertEquals(List.of("msg_1", "msg_2"), receiver.on(() -> receiver.deadLetterQueues.replay(channel, null)),
        "max_queue_size 2");
    assertEquals(List.of("msg_1", "msg_2"), browse(queue).stream().map(DeadLetterQueuesTest::messageId).toList());
    assertEquals(List.of("msg_3"), browse(deadLetterQueue).stream().map(DeadLetterQueuesTest::messageId).toList(),
        "the copy is dropped, the rest stays");
  }

  @Test
  void deleteDropsEveryCopyOfTheMessageAndKeepsTheKnownCountInStep() throws Exception {
    RabbitParts receiver = receiver();
    ChannelState channel = receiver.channel(spec);
    receiver.on(() -> receiver.deadLetterQueues.adoptNew(channel));
    assertEquals(0, channel.queues.get("hook-a").deadLettersKnown);
    deadLetter(receiver, channel, "msg_1", "rejected");
    deadLetter(receiver, channel, "msg_1", "rejected");
    deadLetter(receiver, channel, "msg_2", "rejected");
    assertEquals(3, channel.queues.get("hook-a").deadLettersKnown, "counted up as they are made");
    assertTrue(receiver.on(() -> receiver.deadLetterQueues.delete(channel, "msg_1")));
    assertFalse(receiver.on(() -> receiver.deadLetterQueues.delete(channel, "msg_1")), "already gone");
    assertEquals(1, channel.queues.get("hook-a").deadLettersKnown);
    assertEquals(List.of("msg_2"), receiver.on(() -> receiver.deadLetterQueues.list(channel, 10)).stream()
        .map(item -> item.getString("message_id")).toList());
  }
}
