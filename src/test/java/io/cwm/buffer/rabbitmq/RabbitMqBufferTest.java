package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.cwm.buffer.BufferException;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBufferContractTest;
import io.cwm.buffer.TokenState;
import io.cwm.testing.TestConnector;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The buffer contract against the machine's RabbitMQ ({@link RabbitBroker#URL}), plus what only
 * the RabbitMQ backend promises: Python's layout, message properties and dead letters, so both
 * receivers can share one broker. Each test deletes the queues of its channels (never the shared
 * exchanges).
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

  private ChannelSpec extraChannel(String prefix, int maxQueueSize, long ttlSeconds) {
    ChannelSpec spec = spec(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), maxQueueSize, ttlSeconds, 10);
    extraChannels.add(spec.name());
    return spec;
  }

  private MessageBuffer extraBuffer(boolean brokerLimits, ChannelSpec... specs) {
    MessageBuffer extra = new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), brokerLimits);
    extraBuffers.add(extra);
    await(extra.open(List.of(specs)));
    return extra;
  }

  /** Python's main-queue arguments (spec §5.1), as pika sends them. */
  private static Map<String, Object> pythonQueueArguments(String channel, String webhookId, long ttlSeconds) {
    Map<String, Object> arguments = new HashMap<>();
    arguments.put("x-dead-letter-exchange", "webhook_connect.dlx");
    arguments.put("x-dead-letter-routing-key", channel + "." + webhookId);
    arguments.put("x-message-ttl", (int) (ttlSeconds * 1000));
    arguments.put("x-queue-type", "classic");
    return arguments;
  }

  /** What Python does when a webhook registers: DLQ first, then the queue, with their bindings. */
  private static void declareThePythonWay(Channel amqp, String channel, String webhookId, long ttlSeconds)
      throws IOException {
    String queue = "webhook_connect." + channel + "." + webhookId;
    amqp.exchangeDeclare("webhook_connect", "topic", true);
    amqp.exchangeDeclare("webhook_connect.dlx", "topic", true);
    amqp.queueDeclare(queue + ".dlq", true, false, false, Map.of("x-queue-type", "classic"));
    amqp.queueBind(queue + ".dlq", "webhook_connect.dlx", channel + "." + webhookId);
    amqp.queueDeclare(queue, true, false, false, pythonQueueArguments(channel, webhookId, ttlSeconds));
    amqp.queueBind(queue, "webhook_connect", channel + "." + webhookId);
  }

  /** Python's publish: §5.1 properties, body = the envelope JSON. */
  private static void publishThePythonWay(Channel amqp, JsonObject envelope) throws IOException {
    String channel = envelope.getString("channel");
    String webhookId = envelope.getString("webhook_id");
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .messageId(envelope.getString("message_id"))
        .timestamp(new Date(System.currentTimeMillis() / 1000 * 1000))
        .deliveryMode(2)
        .headers(Map.of("channel", channel, "webhook_id", webhookId))
        .build();
    amqp.basicPublish("webhook_connect", channel + "." + webhookId, properties,
        envelope.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void exchangesQueuesAndBindingsAreExactlyPythons() throws Exception {
    String name = channel.name();
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.exchangeDeclarePassive("webhook_connect");
      amqp.exchangeDeclarePassive("webhook_connect.dlx");
      // a re-declare with exactly Python's arguments succeeds (a different argument would fail: 406)
      declareThePythonWay(amqp, name, "hook-a", 3600);
      declareThePythonWay(amqp, name, "hook-b", 3600);
      amqp.exchangeDeclare("webhook_connect", "topic", true);
      Channel doomed = broker.channel(); // a 406 closes the channel it happens on
      assertThrows(IOException.class, () -> doomed.queueDeclare("webhook_connect." + name + ".hook-a", true, false,
          false, pythonQueueArguments(name, "hook-a", 60)), "the TTL really is 3600 s");
    }
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.confirmSelect();
      amqp.basicPublish("webhook_connect", name + ".hook-b", null, "{}".getBytes(StandardCharsets.UTF_8));
      amqp.basicPublish("webhook_connect.dlx", name + ".hook-b", null, "{}".getBytes(StandardCharsets.UTF_8));
      amqp.waitForConfirmsOrDie(5000);
      assertEquals(1, broker.ready("webhook_connect." + name + ".hook-b"), "bound to webhook_connect");
      assertEquals(1, broker.ready("webhook_connect." + name + ".hook-b.dlq"), "DLQ bound to webhook_connect.dlx");
      assertEquals(0, broker.ready("webhook_connect." + name + ".hook-a"));
      assertTrue(broker.exists("webhook_connect.j.state." + name), "Java-only state under webhook_connect.j.");
    }
  }

  @Test
  void publishedMessageCarriesPythonsPropertiesAndHeaders() throws Exception {
    Envelope sent = publish(channel, "hook-b", 7);
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      GetResponse got = amqp.basicGet("webhook_connect." + channel.name() + ".hook-b", false);
      assertNotNull(got, "published to webhook_connect with routing key {channel}.{webhook_id}");
      AMQP.BasicProperties properties = got.getProps();
      assertEquals(sent.messageId(), properties.getMessageId());
      assertEquals(2, properties.getDeliveryMode());
      assertNull(properties.getContentType(), "no content type, as Python");
      assertEquals(Envelope.parse(sent.timestamp()).getEpochSecond(), properties.getTimestamp().getTime() / 1000);
      Map<String, String> headers = new HashMap<>();
      properties.getHeaders().forEach((key, value) -> headers.put(key, value.toString()));
      assertEquals(Map.of("channel", channel.name(), "webhook_id", "hook-b"), headers);
      JsonObject body = new JsonObject(new String(got.getBody(), StandardCharsets.UTF_8));
      assertEquals(sent.toJson(), body, "body = the envelope, sequence stamped, delivery_count 0, state pending");
      assertEquals(0, body.getInteger("delivery_count"));
      amqp.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
    }
    assertEquals(List.of(sent.messageId()), ids(await(buffer.lease(channel, "s1", 10, 60_000))));
  }

  @Test
  void aMessagePublishedThePythonWayIsLeasedAndAcked() throws Exception {
    ChannelSpec shared = extraChannel("py", 100, 600);
    JsonObject example = new JsonObject("""
        {"message_id": "msg_f8b51a26173d4d8b", "channel": "test-channel", "webhook_id": "relay_a",
         "timestamp": "2026-11-28T22:44:56.988106+00:00", "expires_at": "2026-11-28T22:54:56.988112+00:00",
         "metadata": {"source": "webhook_connect_module"},
         "headers": {"host": "127.0.0.1:8790", "x-stripe-signature": "t=1,v1=x", "authorization": "***REDACTED***",
                     "accept": "*/*", "user-agent": "curl/7.88.1", "content-length": "22", "content-type": "application/json"},
         "payload": {"n": 0, "event": "a"}, "sequence": 1, "delivery_count": 0, "state": "pending"}""");
    Instant now = Instant.now();
    example.put("channel", shared.name()).put("webhook_id", "hook-a")
        .put("timestamp", Envelope.format(now)).put("expires_at", Envelope.format(now.plusSeconds(600)));
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      declareThePythonWay(amqp, shared.name(), "hook-a", 600); // Python was there first
      declareThePythonWay(amqp, shared.name(), "hook-b", 600);
      publishThePythonWay(amqp, example);
    }
    MessageBuffer ours = extraBuffer(false, shared); // declares the same objects without a 406
    List<Envelope> leased = await(ours.lease(shared, "s1", 10, 60_000));
    assertEquals(1, leased.size());
    Envelope got = leased.get(0);
    assertEquals("msg_f8b51a26173d4d8b", got.messageId());
    assertEquals(1, got.sequence());
    assertEquals(1, got.deliveryCount());
    assertEquals(new JsonObject().put("n", 0).put("event", "a"), got.payload());
    assertEquals("***REDACTED***", got.headers().getString("authorization"));
    assertEquals(example.getJsonObject("headers"), got.headers());
    assertEquals(example.getString("timestamp"), got.timestamp());
    assertTrue(await(ours.ack(shared, got.messageId())));
    try (RabbitBroker broker = new RabbitBroker()) {
      assertEquals(0, broker.ready("webhook_connect." + shared.name() + ".hook-a"), "settled at the broker");
    }
  }

  @Test
  void deadLettersMadeByTheBrokerAreListedWithTheirReasonAndCanBeReplayed() throws Exception {
    ChannelSpec shortLived = extraChannel("ttl", 100, 1);
    MessageBuffer ours = extraBuffer(false, shortLived);
    Envelope expired = await(ours.publish(shortLived, message(shortLived, "hook-a", 1)));
    Envelope rejected = await(ours.publish(shortLived, message(shortLived, "hook-b", 2)));
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      GetResponse got = amqp.basicGet("webhook_connect." + shortLived.name() + ".hook-b", false);
      amqp.basicReject(got.getEnvelope().getDeliveryTag(), false); // as Python's nack without retry
    }
    // the broker's TTL (x-message-ttl 1000) moves the other one to its DLQ after about a second
    List<List<JsonObject>> listed = new ArrayList<>(List.of(List.of()));
    assertTrue(TestConnector.await(10_000, () -> {
      listed.set(0, await(ours.deadLetters(shortLived, 10)));
      return listed.get(0).size() == 2;
    }), () -> "dead letters: " + listed.get(0));
    Map<String, JsonObject> byId = new HashMap<>();
    listed.get(0).forEach(item -> byId.put(item.getString("message_id"), item));
    assertEquals("expired", byId.get(expired.messageId()).getString("reason"), "x-death reason expired");
    assertEquals("rejected", byId.get(rejected.messageId()).getString("reason"), "x-death reason rejected");
    assertEquals("hook-a", byId.get(expired.messageId()).getString("webhook_id"));
    assertNotNull(Envelope.parse(byId.get(expired.messageId()).getString("dead_lettered_at")));
    assertEquals(expired.payload(), byId.get(expired.messageId()).getJsonObject("envelope").getValue("payload"));
    assertEquals(2, await(ours.deadLetters(shortLived, 10)).size(), "listing leaves them in the DLQs");
    io.cwm.buffer.ChannelStats stats = await(ours.stats(shortLived));
    assertEquals(1, stats.expired(), "the broker's TTL expiry is counted");
    assertEquals(1, stats.deadLettered(), "Python's reject is counted");
    assertEquals(stats.expired(), await(ours.stats(shortLived)).expired(), "once");
    assertEquals(2, await(ours.deadLetters(shortLived, 10)).size(), "and still listed");

    assertEquals(List.of(rejected.messageId()), await(ours.replayDeadLetters(shortLived, List.of(rejected.messageId()))));
    List<Envelope> again = await(ours.lease(shortLived, "s1", 10, 60_000));
    assertEquals(List.of(rejected.messageId()), ids(again));
    assertEquals(rejected.sequence(), again.get(0).sequence());
    assertTrue(await(ours.deleteDeadLetter(shortLived, expired.messageId())));
    assertTrue(await(ours.deadLetters(shortLived, 10)).isEmpty());
  }

  @Test
  void javaDeadLettersCarryTheReasonHeadersInTheWebhooksDlq() throws Exception {
    Envelope sent = publish(channel, "hook-b", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    await(buffer.nack(channel, sent.messageId(), false));
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      assertEquals(0, broker.ready("webhook_connect." + channel.name() + ".hook-b"), "acked in the main queue");
      GetResponse got = amqp.basicGet("webhook_connect." + channel.name() + ".hook-b.dlq", false);
      assertNotNull(got);
      assertEquals(sent.messageId(), got.getProps().getMessageId());
      assertEquals("rejected", got.getProps().getHeaders().get("x-cwm-reason").toString());
      assertNotNull(Envelope.parse(got.getProps().getHeaders().get("x-cwm-dead-lettered-at").toString()));
      assertEquals(1, new JsonObject(new String(got.getBody(), StandardCharsets.UTF_8)).getInteger("delivery_count"));
      amqp.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
    }
  }

  /** Issue 7 point 4: Python loses every later message after a TTL change; we keep the old queue. */
  @Test
  void aChangedTtlKeepsTheExistingQueueAndStillNeverDeliversExpiredMessages() throws Exception {
    ChannelSpec changed = extraChannel("ttlchange", 100, 1); // configured now: 1 s
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      declareThePythonWay(amqp, changed.name(), "hook-a", 3600); // declared by an older config: 3600 s
    }
    MessageBuffer ours = extraBuffer(false, changed); // the 406 on hook-a does not stop the open
    Envelope old = await(ours.publish(changed, message(changed, "hook-a", 1)));
    long publishedAt = System.currentTimeMillis();
    assertTrue(TestConnector.await(3000, () -> System.currentTimeMillis() - publishedAt > 1100), "the configured 1 s passes");
    Envelope fresh = await(ours.publish(changed, message(changed, "hook-a", 2)));
    assertEquals(List.of(fresh.messageId()), ids(await(ours.lease(changed, "s1", 10, 60_000))),
        "publishing still works; the expired one is not delivered although the queue's TTL is an hour");
    assertEquals("expired", await(ours.deadLetters(changed, 10)).get(0).getString("reason"));
    assertEquals(old.messageId(), await(ours.deadLetters(changed, 10)).get(0).getString("message_id"));
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.queueDeclare("webhook_connect." + changed.name() + ".hook-a", true, false, false,
          pythonQueueArguments(changed.name(), "hook-a", 3600)); // still the old arguments: no 406
    }
  }

  @Test
  void brokerQueueLimitsRejectOverflowAtTheBroker() throws Exception {
    ChannelSpec limited = extraChannel("limits", 2, 3600);
    MessageBuffer first = extraBuffer(true, limited);
    MessageBuffer second = extraBuffer(true, limited);
    String queue = "webhook_connect." + limited.name() + ".hook-a";
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      Map<String, Object> arguments = pythonQueueArguments(limited.name(), "hook-a", 3600);
      arguments.put("x-max-length", 2);
      arguments.put("x-overflow", "reject-publish");
      amqp.queueDeclare(queue, true, false, false, arguments); // declared with the broker's limit
    }
    // two receivers publish at once: each sees room, the broker takes exactly max_queue_size
    List<io.vertx.core.Future<Envelope>> attempts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      attempts.add((i % 2 == 0 ? first : second).publish(limited, message(limited, "hook-a", i)));
    }
    int stored = 0;
    for (io.vertx.core.Future<Envelope> attempt : attempts) {
      try {
        await(attempt);
        stored++;
      } catch (AssertionError refused) {
        assertEquals(BufferException.Reason.QUEUE_FULL,
            assertInstanceOf(BufferException.class, refused.getCause()).reason());
      }
    }
    assertEquals(2, stored);
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      assertEquals(2, broker.ready(queue));
      amqp.confirmSelect();
      amqp.basicPublish("webhook_connect", limited.name() + ".hook-a", null, "{}".getBytes(StandardCharsets.UTF_8));
      assertTrue(!amqp.waitForConfirms(5000), "the broker itself nacks a publish to the full queue");
    }
    assertEquals(BufferException.Reason.QUEUE_FULL, assertInstanceOf(BufferException.class,
        failure(first.publish(limited, message(limited, "hook-a", 9)))).reason());
  }

  /** A lost deliveries connection: the broker requeues its unacked messages; at-least-once holds. */
  @Test
  void leasesOfALostDeliveriesConnectionGoBackToTheBrokerAndTheirAcksAnswerFalse() throws Exception {
    Envelope sent = publish(channel, "hook-a", 1);
    assertEquals(1, await(buffer.lease(channel, "s1", 10, 60_000)).get(0).deliveryCount());
    String queue = "webhook_connect." + channel.name() + ".hook-a";
    try (RabbitBroker broker = new RabbitBroker()) {
      assertEquals(0, broker.ready(queue), "leased: unacked at the broker");
      assertTrue(RabbitBroker.closeConnection(((RabbitMqBuffer) buffer).connectionName("deliveries")));
      assertTrue(TestConnector.await(10_000, () -> {
        try {
          return broker.ready(queue) == 1;
        } catch (Exception e) {
          return false;
        }
      }), "the broker requeued it");
    }
    assertFalse(await(buffer.ack(channel, sent.messageId())), "the lease went with the connection");
    List<Envelope> again = await(buffer.lease(channel, "s2", 10, 60_000));
    assertEquals(List.of(sent.messageId()), ids(again), "delivered again after a reconnect");
    assertEquals(2, again.get(0).deliveryCount(), "the lost delivery still counts");
    assertTrue(await(buffer.ack(channel, sent.messageId())));
    assertEquals(1, await(buffer.stats(channel)).delivered());
  }

  /**
   * Issue 12 point 2.1: a link whose channel failed while its connection stayed open (here a
   * passive declare of a queue deleted behind the receiver's back: 404) and whose connection is
   * lost later still reconnects. Before, such a link kept handing out its dead connection forever
   * (the attempt that had completed at once was stored after its completion handler ran).
   */
  @Test
  void aLinkReconnectsAfterAChannelErrorFollowedByALostConnection() throws Exception {
    String queue = "webhook_connect." + channel.name() + ".hook-b";
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      amqp.queueDelete(queue);
      assertInstanceOf(BufferException.class, failure(buffer.stats(channel)), "404 on the admin channel");
      declareThePythonWay(amqp, channel.name(), "hook-b", 3600);
    }
    assertTrue(TestConnector.await(10_000, () -> buffer.stats(channel).toCompletionStage().toCompletableFuture()
        .handle((stats, failed) -> failed == null).join()), "the admin link works again on a new channel");
    assertTrue(RabbitBroker.closeConnection(((RabbitMqBuffer) buffer).connectionName("admin")));
    assertTrue(TestConnector.await(10_000, () -> buffer.stats(channel).toCompletionStage().toCompletableFuture()
        .handle((stats, failed) -> failed == null).join()), "the admin link reconnects after losing its connection");
    Envelope sent = publish(channel, "hook-a", 1);
    assertEquals(List.of(sent.messageId()), ids(await(buffer.lease(channel, "s1", 10, 60_000))));
  }

  private boolean publishes(MessageBuffer receiver, ChannelSpec spec) {
    return receiver.publish(spec, message(spec, "hook-a", 0)).toCompletionStage().toCompletableFuture()
        .handle((stored, failed) -> failed == null).join();
  }

  /**
   * Issue 12 point 2.1, the reported case: the broker goes away just when the channel's block of
   * sequence numbers is used up. The reservation of the next block failed at once (the admin link
   * answered "unreachable" without waiting), was stored after its own clean-up had run, and every
   * later publish of the channel failed on it: 503 for good, and the publish link, never asked
   * again, never reconnected.
   */
  @Test
  void publishesResumeWhenTheSequenceBlockRanOutWhileTheBrokerWasAway() throws Exception {
    java.net.URI broker = java.net.URI.create(RabbitBroker.URL);
    try (io.cwm.testing.TcpProxy proxy = new io.cwm.testing.TcpProxy(broker.getHost(), broker.getPort())) {
      MessageBuffer viaProxy = new RabbitMqBuffer(vertx, "amqp://guest:guest@127.0.0.1:" + proxy.port() + "/",
          Clock.systemUTC(), false);
      extraBuffers.add(viaProxy);
      ChannelSpec spec = extraChannel("seq", 10_000, 3600);
      await(viaProxy.open(List.of(spec)));
      for (int batch = 0; batch < StateStore.SEQUENCE_BLOCK / 100; batch++) {
        List<io.vertx.core.Future<Envelope>> publishes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          publishes.add(viaProxy.publish(spec, message(spec, "hook-a", i)));
        }
        await(io.vertx.core.Future.all(publishes));
      }
      proxy.cut();
      long cutAt = System.nanoTime();
      int[] refused = {0};
      assertTrue(TestConnector.await(20_000, () -> {
        if (!publishes(viaProxy, spec)) {
          refused[0]++;
        }
        return refused[0] >= 20 && System.nanoTime() - cutAt > 2_000_000_000L;
      }), "publishes fail while the broker is away");
      proxy.restore();
      assertTrue(TestConnector.await(15_000, () -> publishes(viaProxy, spec)), "publishes resume");
      Envelope next = await(viaProxy.publish(spec, message(spec, "hook-a", 1)));
      assertTrue(next.sequence() > StateStore.SEQUENCE_BLOCK, "from the next block: " + next.sequence());
    }
  }

  /**
   * Issue 12 point 2.3: receivers counting on one channel at once lose nothing (the counters were
   * one last-writer-wins message: two receivers writing at once lost the other's increments).
   */
  @Test
  void countersOfReceiversWritingAtOnceAddUpExactly() throws Exception {
    ChannelSpec shared = extraChannel("count", 1000, 3600);
    List<MessageBuffer> receivers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      receivers.add(new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), false));
    }
    await(io.vertx.core.Future.all(receivers.stream().map(receiver -> receiver.open(List.of(shared))).toList()));
    // each receiver has a session: its consumers start, and the broker shares the messages out among them
    for (MessageBuffer receiver : receivers) {
      assertEquals(List.of(), await(receiver.lease(shared, "s", 10, 60_000)));
    }
    assertTrue(TestConnector.await(10_000, () -> receivers.stream()
        .allMatch(receiver -> ((RabbitMqBuffer) receiver).consuming(shared.name()))));
    for (int i = 0; i < 40; i++) {
      await(receivers.get(0).publish(shared, message(shared, "hook-a", i)));
    }
    List<List<Envelope>> leased = new ArrayList<>();
    receivers.forEach(receiver -> leased.add(new ArrayList<>()));
    assertTrue(TestConnector.await(10_000, () -> {
      for (int i = 0; i < receivers.size(); i++) {
        leased.get(i).addAll(await(receivers.get(i).lease(shared, "s", 100, 60_000)));
      }
      return leased.stream().mapToInt(List::size).sum() == 40;
    }));
    int acked = 0;
    int rejected = 0;
    for (int r = 0; r < receivers.size(); r++) {
      MessageBuffer receiver = receivers.get(r);
      assertFalse(leased.get(r).isEmpty(), "every receiver's consumer got a share");
      for (int i = 0; i < leased.get(r).size(); i++) {
        if (i % 5 != 4) {
          assertTrue(await(receiver.ack(shared, leased.get(r).get(i).messageId())));
          acked++;
        } else {
          assertEquals(MessageBuffer.NackOutcome.DEAD_LETTERED, await(receiver.nack(shared,
              leased.get(r).get(i).messageId(), false)));
          rejected++;
        }
      }
    }
    assertEquals(40, acked + rejected);
    await(io.vertx.core.Future.all(receivers.stream().map(MessageBuffer::close).toList())); // all write at once
    MessageBuffer reader = extraBuffer(false, shared);
    var stats = await(reader.stats(shared));
    assertEquals(acked, stats.delivered());
    assertEquals(rejected, stats.deadLettered());
  }

  /**
   * A receiver that dies (kill -9: its connections drop, nothing is flushed at close) loses at most
   * the counter changes of its last {@value StateStore#FLUSH_DELAY_MILLIS} ms: what it counted
   * earlier is on the broker.
   */
  @Test
  void countersOfAReceiverThatDiesAreKeptUpToItsLastFlush() throws Exception {
    ChannelSpec shared = extraChannel("died", 1000, 3600);
    Vertx own = Vertx.vertx();
    RabbitMqBuffer dying = new RabbitMqBuffer(own, RabbitBroker.URL, Clock.systemUTC(), false);
    await(dying.open(List.of(shared)));
    for (int i = 0; i < 20; i++) {
      await(dying.publish(shared, message(shared, "hook-a", i)));
    }
    for (Envelope envelope : await(dying.lease(shared, "s", 20, 60_000))) {
      assertTrue(await(dying.ack(shared, envelope.messageId())));
    }
    long ackedAt = System.nanoTime();
    MessageBuffer observer = extraBuffer(false, shared);
    assertTrue(TestConnector.await(5000, () -> await(observer.stats(shared)).delivered() == 20),
        "written by the receiver within its flush window");
    long writtenAfterMillis = (System.nanoTime() - ackedAt) / 1_000_000;
    for (String link : List.of("publish", "deliveries", "admin")) {
      RabbitBroker.closeConnection(dying.connectionName(link));
    }
    await(own.close()); // dead: never closed, never flushed again
    MessageBuffer after = extraBuffer(false, shared);
    assertEquals(20, await(after.stats(shared)).delivered(), "counted before it died");
    assertTrue(writtenAfterMillis < 3000, "written " + writtenAfterMillis + " ms after the acks");
  }

  /**
   * Issue 14 part 3: while a session here wants the channel, the broker pushes its messages
   * (basic.consume): one published by another receiver wakes this one ({@link MessageBuffer#onReady})
   * without any lease polling for it, and the next lease takes it from memory.
   */
  @Test
  void aConsumingReceiverHearsOfAMessagePublishedElsewhere() throws Exception {
    List<String> woken = new java.util.concurrent.CopyOnWriteArrayList<>();
    buffer.onReady(woken::add);
    assertEquals(List.of(), await(buffer.lease(channel, "s1", 10, 60_000)), "nothing yet: the consumers start");
    MessageBuffer other = extraBuffer(false, channel);
    Envelope sent = await(other.publish(channel, message(channel, "hook-a", 1)));
    assertTrue(TestConnector.await(5_000, () -> woken.contains(channel.name())), "the push woke the stream");
    List<Envelope> leased = await(buffer.lease(channel, "s1", 10, 60_000));
    assertEquals(List.of(sent.messageId()), ids(leased));
    assertEquals(1, leased.get(0).deliveryCount());
    assertTrue(await(buffer.ack(channel, sent.messageId())));
  }

  /**
   * What a receiver's consumers took ahead goes back to the broker once no session of that
   * receiver wants the channel, so another receiver's connector gets it (pushed messages must not
   * sit on a receiver nobody streams from). The other receiver counts one delivery more: the
   * broker marks the message redelivered, and only the receiver that gave it back knows it was
   * never leased.
   */
  @Test
  void messagesPushedToAReceiverWhoseSessionsLeftGoToAnotherReceiver() throws Exception {
    assertEquals(List.of(), await(buffer.lease(channel, "s1", 10, 60_000)));
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(publish(channel, "hook-a", i).messageId());
    }
    MessageBuffer other = extraBuffer(false, channel);
    List<Envelope> elsewhere = new ArrayList<>();
    assertTrue(TestConnector.await(15_000, () -> {
      elsewhere.addAll(await(other.lease(channel, "s2", 10, 60_000)));
      return elsewhere.size() == sent.size();
    }), "given back within the idle period and the housekeeping: " + ids(elsewhere));
    assertEquals(sent, ids(elsewhere), "in publish order");
    elsewhere.forEach(envelope -> assertEquals(2, envelope.deliveryCount()));
  }

  /** Every link reconnects by itself, also one nobody calls while it is down. */
  @Test
  void everyLinkReconnectsByItselfAfterTheBrokerClosedIt() throws Exception {
    Envelope first = publish(channel, "hook-a", 1);
    assertEquals(1, await(buffer.lease(channel, "s1", 10, 60_000)).size());
    RabbitMqBuffer rabbit = (RabbitMqBuffer) buffer;
    for (String link : List.of("publish", "deliveries", "admin")) {
      assertTrue(RabbitBroker.closeConnection(rabbit.connectionName(link)), link);
    }
    assertTrue(TestConnector.await(10_000, () -> {
      try {
        String listing = RabbitBroker.connectionNames();
        return List.of("publish", "deliveries", "admin").stream()
            .allMatch(link -> listing.contains(rabbit.connectionName(link)));
      } catch (Exception e) {
        return false;
      }
    }), "all three connections are back without any call");
    Envelope second = publish(channel, "hook-a", 2);
    List<Envelope> again = await(buffer.lease(channel, "s2", 10, 60_000));
    assertEquals(Set.of(first.messageId(), second.messageId()), Set.copyOf(ids(again)));
  }

  @Test
  void aSecondReceiverSeesTheRotatedTokenAndContinuesTheSequence() throws Exception {
    Envelope first = publish(channel, "hook-a", 1);
    TokenState rotated = await(buffer.rotateToken(channel, TokenState.hash("ch_tok_shared"), 60_000));
    MessageBuffer second = extraBuffer(false, channel, tiny);
    assertEquals(rotated, await(second.tokenState(channel)), "through the state queue");
    Envelope next = await(second.publish(channel, message(channel, "hook-a", 2)));
    assertTrue(next.sequence() > first.sequence() + StateStore.SEQUENCE_BLOCK - 1,
        "the second receiver reserved the next block: " + first.sequence() + " then " + next.sequence());
    List<Envelope> leased = await(second.lease(channel, "s2", 10, 60_000));
    assertEquals(List.of(first.messageId(), next.messageId()), ids(leased), "both receivers feed one queue");
    assertNull(await(buffer.leaseOwner(channel, first.messageId())), "leases are per receiver");
  }

  /**
   * The dedup records are claimed in the cluster's map, and journaled in the broker: after every
   * receiver stopped (the map is gone with them), the first to open the channel reads the journal
   * back, so a provider's retry is still answered as a duplicate.
   */
  @Test
  void aDedupRecordOutlivesEveryReceiverThroughTheJournal() throws Exception {
    ChannelSpec dedup = deduplicating(extraChannel("journal", 100, 3600), 3600);
    Vertx first = Vertx.vertx();
    MessageBuffer before = new RabbitMqBuffer(first, RabbitBroker.URL, Clock.systemUTC(), false);
    await(before.open(List.of(dedup)));
    Envelope stored = await(before.publish(dedup, keyed(dedup, "hook-a", 1, "evt_journal")));
    await(before.close());
    await(first.close());
    Vertx second = Vertx.vertx();
    try {
      MessageBuffer after = new RabbitMqBuffer(second, RabbitBroker.URL, Clock.systemUTC(), false);
      await(after.open(List.of(dedup)));
      Envelope retry = keyed(dedup, "hook-a", 2, "evt_journal");
      assertEquals(stored.messageId(), await(after.publish(dedup, retry)).messageId());
      Envelope other = keyed(dedup, "hook-a", 3, "evt_other");
      assertFalse(MessageBuffer.isDuplicate(other, await(after.publish(dedup, other))));
      await(after.close());
    } finally {
      await(second.close());
    }
  }
}
