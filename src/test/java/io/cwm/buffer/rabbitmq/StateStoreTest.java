package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.cwm.buffer.TokenState;
import io.cwm.buffer.rabbitmq.CounterRecord.Counts;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ buffer's {@link StateStore} against the machine's broker: sequence blocks that
 * receivers never share, token state through the state queue, and counters that add up over
 * receiver processes, earlier versions' counts and compactions.
 */
class StateStoreTest {
  private final String name = "state-" + UUID.randomUUID().toString().substring(0, 8);
  private final ChannelSpec spec = new ChannelSpec(name, "ch_tok_configured",
      Map.of("hook-a", new ChannelSpec.Queue("hook-a", 3600, 100)), 10, 100, 120, 30, 3);
  private final List<RabbitParts> receivers = new ArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void declareQueues() throws Exception {
    vertx = Vertx.vertx();
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      RabbitBroker.declareStateQueues(amqp, name);
    }
  }

  @AfterEach
  void deleteQueues() throws Exception {
    receivers.forEach(RabbitParts::close);
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueues(List.of(name), List.of());
    }
    await(vertx.close());
  }

  private RabbitParts receiver() {
    RabbitParts receiver = new RabbitParts(vertx);
    receivers.add(receiver);
    return receiver;
  }

  /** A receiver with the channel registered and aligned, as after the buffer's open. */
  private StateStore.Entry opened(RabbitParts receiver) {
    StateStore.Entry entry = receiver.on(() -> io.vertx.core.Future.succeededFuture(receiver.store.register(name)));
    receiver.on(() -> receiver.store.align(entry, spec));
    return entry;
  }

  private static void put(String queue, String body) throws Exception {
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.confirmSelect();
      amqp.basicPublish("", queue, RabbitLayout.stateProperties(), body.getBytes(StandardCharsets.UTF_8));
      amqp.waitForConfirmsOrDie(5000);
    }
  }

  private static JsonObject peek(String queue) throws Exception {
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      GetResponse got = amqp.basicGet(queue, false);
      assertNotNull(got, "a message in " + queue);
      amqp.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
      return new JsonObject(new String(got.getBody(), StandardCharsets.UTF_8));
    }
  }

  private static long ready(String queue) throws Exception {
    try (RabbitBroker broker = new RabbitBroker()) {
      return broker.ready(queue);
    }
  }

  @Test
  void receiversReserveBlocksOfSequenceNumbersTheyNeverShare() {
    RabbitParts first = receiver();
    RabbitParts second = receiver();
    StateStore.Entry a = opened(first);
    StateStore.Entry b = opened(second);
    int block = StateStore.SEQUENCE_BLOCK;
    assertEquals(1, first.on(() -> first.store.nextSequence(a)));
    assertEquals(block + 1, second.on(() -> second.store.nextSequence(b)));
    for (int sequence = 2; sequence <= block; sequence++) {
      assertEquals(sequence, first.on(() -> first.store.nextSequence(a)));
    }
    assertEquals(2L * block + 1, first.on(() -> first.store.nextSequence(a)), "the next block after the second's");
    assertEquals(block + 2, second.on(() -> second.store.nextSequence(b)), "the second's block is its own");
  }

  @Test
  void aRotationReachesAnotherReceiverOnceItsCachedStateIsASecondOld() {
    RabbitParts first = receiver();
    RabbitParts second = receiver();
    StateStore.Entry a = opened(first);
    StateStore.Entry b = opened(second);
    TokenState before = second.on(() -> second.store.tokenState(b, spec));
    assertEquals(TokenState.initial("ch_tok_configured"), before);
    TokenState rotated = first.on(() -> first.store.rotateToken(a, spec, TokenState.hash("ch_tok_new"), 60_000));
    assertEquals(before, second.on(() -> second.store.tokenState(b, spec)), "served from the cache for a second");
    second.advance(1001);
    assertEquals(rotated, second.on(() -> second.store.tokenState(b, spec)));
    assertEquals(TokenState.Match.PREVIOUS, rotated.match(TokenState.hash("ch_tok_configured"),
        System.currentTimeMillis()));
  }

  @Test
  void aLostStateMessageIsWrittenAgainFromTheConfiguredToken() throws Exception {
    RabbitParts receiver = receiver();
    StateStore.Entry entry = opened(receiver);
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.queuePurge(RabbitLayout.stateQueue(name));
    }
    receiver.advance(1001);
    assertEquals(TokenState.initial("ch_tok_configured"), receiver.on(() -> receiver.store.tokenState(entry, spec)));
    assertEquals(1, ready(RabbitLayout.stateQueue(name)), "written again");
  }

  @Test
  void anUnreadableStateMessageIsReplacedAtOpen() throws Exception {
    put(RabbitLayout.stateQueue(name), "not json");
    RabbitParts receiver = receiver();
    StateStore.Entry entry = opened(receiver);
    assertEquals(1, receiver.on(() -> receiver.store.nextSequence(entry)));
    JavaState written = JavaState.fromJson(peek(RabbitLayout.stateQueue(name)));
    assertEquals(TokenState.initial("ch_tok_configured"), written.token());
    assertEquals(StateStore.SEQUENCE_BLOCK, written.sequence());
  }

  @Test
  void countersOfEveryProcessAddUpOnTopOfThoseAnEarlierVersionLeftInTheStateMessage() throws Exception {
    put(RabbitLayout.stateQueue(name), new JavaState(null, 0, 5, 1, 0).toJson().encode());
    RabbitParts first = receiver();
    RabbitParts second = receiver();
    StateStore.Entry a = opened(first);
    StateStore.Entry b = opened(second);
    first.run(() -> {
      first.store.countDelivered(a);
      first.store.countDelivered(a);
      first.store.countDelivered(a);
      first.store.countDeadLetter(a, "expired");
    });
    assertEquals(new Counts(8, 2, 0), first.on(() -> first.store.counters(a)), "its own, written or not, included");
    second.run(() -> {
      second.store.countDeadLetter(b, "rejected");
      second.store.countDeadLetter(b, "max_deliveries");
    });
    first.close();
    second.close();
    receivers.clear();
    RabbitParts reader = receiver();
    StateStore.Entry entry = opened(reader);
    assertEquals(new Counts(8, 2, 2), reader.on(() -> reader.store.counters(entry)));
  }

  @Test
  void aCompactionLeavesOneRecordWithTheSameTotals() throws Exception {
    String counts = RabbitLayout.countsQueue(name);
    put(counts, CounterRecord.of("p1", new Counts(1, 0, 0)).toJson().encode());
    put(counts, CounterRecord.of("p1", new Counts(4, 0, 0)).toJson().encode());
    CounterRecord other = CounterRecord.of("p2", new Counts(0, 2, 1));
    put(counts, other.toJson().encode());
    put(counts, other.toJson().encode()); // a copy a crashed compaction left behind
    RabbitParts receiver = receiver();
    StateStore.Entry entry = opened(receiver);
    receiver.on(() -> receiver.store.compact(entry));
    assertEquals(1, ready(counts));
    assertEquals(CounterRecord.of("p1", new Counts(4, 0, 0)).merge(other), CounterRecord.fromJson(peek(counts)));
    assertEquals(new Counts(4, 2, 1), receiver.on(() -> receiver.store.counters(entry)));
  }

  @Test
  void anUnreadableCounterMessageStopsTheCompactionNotTheCount() throws Exception {
    String counts = RabbitLayout.countsQueue(name);
    put(counts, CounterRecord.of("p1", new Counts(4, 0, 0)).toJson().encode());
    put(counts, "{\"not\": \"a counter record\"}");
    put(counts, CounterRecord.of("p2", new Counts(0, 2, 1)).toJson().encode());
    RabbitParts receiver = receiver();
    StateStore.Entry entry = opened(receiver);
    receiver.on(() -> receiver.store.compact(entry));
    assertEquals(3, ready(counts), "left alone");
    assertEquals(new Counts(4, 2, 1), receiver.on(() -> receiver.store.counters(entry)));
  }
}
