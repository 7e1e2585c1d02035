package io.cwm.buffer;

import io.cwm.testing.TestConnector;
import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.buffer.MessageBuffer.NackOutcome;
import io.cwm.bus.Addresses;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link BufferClient} through a deployed {@link ChannelBufferVerticle} to a scripted backend:
 * every {@link BufferCall} record reaches its backend method with its arguments (and has its
 * codec), results come back unchanged, failures come back as the same {@link BufferException},
 * and the calls that made messages ready wake the streams.
 */
@ExtendWith(VertxExtension.class)
class BufferClientTest {
  private static final ChannelSpec CHANNEL = new ChannelSpec("orders", "token",
      Map.of("hook-a", new ChannelSpec.Queue("hook-a", 60, 10)), 10, 100, 120, 30, 3);
  private static final Envelope ENVELOPE = Envelope.create("orders", "hook-a", new JsonObject(),
      new JsonObject().put("n", 1), Instant.parse("2026-01-01T00:00:00Z"), 60);

  private Vertx vertx;
  private ScriptedBuffer backend;
  private BufferClient client;
  private final List<String> wakeUps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    Launcher.registerCodecs(vertx);
    backend = new ScriptedBuffer();
    client = new BufferClient(vertx);
  }

  /** Deploys the verticle on the scripted backend, then listens for wake-ups (the open's are not seen). */
  private void deploy() {
    await(vertx.deployVerticle(new ChannelBufferVerticle(() -> backend, List.of(CHANNEL))));
    await(vertx.eventBus().<String>localConsumer(Addresses.STREAM_READY, notice -> wakeUps.add(notice.body()))
        .completion());
  }

  @Test
  void everyCallReachesItsBackendMethodWithItsArgumentsAndAnswersItsResult() {
    deploy();
    Envelope stored = ENVELOPE.withSequence(7);
    ChannelStats stats = new ChannelStats("orders", 1, 2, 3, 4, 5, Map.of("hook-a", 1L));
    TokenState token = TokenState.initial("token");
    JsonObject dead = new JsonObject().put("message_id", "msg_1");
    backend.answers = method -> Future.succeededFuture(switch (method) {
      case "publish" -> stored;
      case "lease" -> List.of(stored);
      case "ack", "deleteDeadLetter", "ping" -> true;
      case "nack" -> NackOutcome.DEAD_LETTERED;
      case "release" -> 0;
      case "leaseOwner" -> null;
      case "stats" -> stats;
      case "deadLetters" -> List.of(dead);
      case "replayDeadLetters" -> List.of("msg_1");
      case "tokenState", "rotateToken" -> token;
      default -> throw new AssertionError(method);
    });

    assertEquals(stored, await(client.publish(CHANNEL, ENVELOPE)));
    assertEquals(List.of(stored), await(client.lease(CHANNEL, "conn-1", 5, 30_000)));
    assertTrue(await(client.ack(CHANNEL, "msg_1")));
    assertEquals(NackOutcome.DEAD_LETTERED, await(client.nack(CHANNEL, "msg_2", true)));
    assertEquals(0, await(client.release(CHANNEL, "conn-1")));
    assertNull(await(client.leaseOwner(CHANNEL, "msg_3")));
    assertEquals(stats, await(client.stats(CHANNEL)));
    assertEquals(List.of(dead), await(client.deadLetters(CHANNEL, 25)));
    assertEquals(List.of("msg_1"), await(client.replayDeadLetters(CHANNEL, List.of("msg_1"))));
    assertEquals(List.of("msg_1"), await(client.replayDeadLetters(CHANNEL, null)));
    assertTrue(await(client.deleteDeadLetter(CHANNEL, "msg_4")));
    assertEquals(token, await(client.tokenState(CHANNEL)));
    assertEquals(token, await(client.rotateToken(CHANNEL, "hash", 60_000)));
    assertTrue(await(client.ping()));

    assertEquals(List.of(
        "publish orders " + ENVELOPE.messageId(),
        "lease orders conn-1 5 30000",
        "ack orders msg_1",
        "nack orders msg_2 true",
        "release orders conn-1",
        "leaseOwner orders msg_3",
        "stats orders",
        "deadLetters orders 25",
        "replayDeadLetters orders [msg_1]",
        "replayDeadLetters orders null",
        "deleteDeadLetter orders msg_4",
        "tokenState orders",
        "rotateToken orders hash 60000",
        "ping"), backend.calls.subList(1, backend.calls.size()), "after open");
  }

  @Test
  void everyCallRecordHasALocalCodec() {
    Set<Class<?>> records = Set.of(BufferCall.class.getPermittedSubclasses());
    assertEquals(13, records.size(), "one record per operation");
    assertTrue(BufferCall.messageTypes().containsAll(records));
    assertTrue(BufferCall.messageTypes().contains(BufferCall.Reply.class));
  }

  @Test
  void aBufferExceptionArrivesAsTheSameTypedFailure() {
    deploy();
    for (BufferException.Reason reason : BufferException.Reason.values()) {
      backend.answers = method -> Future.failedFuture(new BufferException(reason, "refused: " + reason));
      BufferException failure = assertInstanceOf(BufferException.class, failure(client.publish(CHANNEL, ENVELOPE)));
      assertEquals(reason, failure.reason());
      assertEquals("refused: " + reason, failure.getMessage());
    }
  }

  @Test
  void anyOtherBackendFailureArrivesAsUnavailable() {
    deploy();
    backend.answers = method -> Future.failedFuture(new IllegalStateException("connection reset"));
    BufferException failure = assertInstanceOf(BufferException.class, failure(client.ack(CHANNEL, "msg_1")));
    assertEquals(BufferException.Reason.UNAVAILABLE, failure.reason());
  }

  @Test
  void withoutAConsumerACallFailsUnavailable() {
    BufferException failure = assertInstanceOf(BufferException.class, failure(client.stats(CHANNEL)));
    assertEquals(BufferException.Reason.UNAVAILABLE, failure.reason());
    assertFalse(await(client.ping()));
  }

  @Test
  void whileTheBackendCannotOpenCallsFailUnavailableAndPingAnswersFalse() {
    backend.opening = Future.failedFuture(new IllegalStateException("broker down"));
    deploy(); // deploys anyway: the verticle opens again in the background
    BufferException failure = assertInstanceOf(BufferException.class, failure(client.publish(CHANNEL, ENVELOPE)));
    assertEquals(BufferException.Reason.UNAVAILABLE, failure.reason());
    assertFalse(await(client.ping()));
    assertEquals(List.of("open [orders]"), backend.calls, "no call reached the backend");
  }

  @Test
  void callsThatMadeMessagesReadyWakeTheChannelsStreams() throws Exception {
    deploy();
    List<Object> released = new ArrayList<>(List.of(0, 2));
    List<Object> replayed = new ArrayList<>(List.of(List.of(), List.of("msg_1")));
    backend.answers = method -> Future.succeededFuture(switch (method) {
      case "publish" -> ENVELOPE;
      case "release" -> released.remove(0);
      case "replayDeadLetters" -> replayed.remove(0);
      default -> true;
    });
    await(client.ack(CHANNEL, "msg_1"));
    await(client.release(CHANNEL, "conn-1"));
    await(client.replayDeadLetters(CHANNEL, null));
    await(client.publish(CHANNEL, ENVELOPE));
    await(client.release(CHANNEL, "conn-1"));
    await(client.replayDeadLetters(CHANNEL, null));
    // the buffer publishes its notices before it replies: a notice published now arrives after them
    vertx.eventBus().publish(Addresses.STREAM_READY, "sentinel");
    assertTrue(TestConnector.await(10_000, () -> wakeUps.contains("sentinel")), "the sentinel notice arrived");
    assertEquals(List.of("orders", "orders", "orders", "sentinel"), wakeUps,
        "publish, a release that moved messages, a replay that moved messages; nothing else");
  }



  /** Records each call as "method args..." and answers what {@link #answers} says for the method. */
  private static final class ScriptedBuffer implements MessageBuffer {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile Future<Void> opening = Future.succeededFuture();
    volatile Function<String, Future<?>> answers = method -> Future.succeededFuture();

    @SuppressWarnings("unchecked")
    private <T> Future<T> answer(String method, Object... arguments) {
      StringBuilder call = new StringBuilder(method);
      for (Object argument : arguments) {
        call.append(' ').append(argument instanceof ChannelSpec spec ? spec.name() : argument);
      }
      calls.add(call.toString());
      return (Future<T>) answers.apply(method);
    }

    @Override
    public Future<Void> open(Collection<ChannelSpec> channels) {
      calls.add("open " + channels.stream().map(ChannelSpec::name).collect(Collectors.toList()));
      return opening;
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Envelope> publish(ChannelSpec channel, Envelope envelope) {
      return answer("publish", channel, envelope.messageId());
    }

    @Override
    public Future<List<Envelope>> lease(ChannelSpec channel, String owner, int max, long leaseMillis) {
      return answer("lease", channel, owner, max, leaseMillis);
    }

    @Override
    public Future<Boolean> ack(ChannelSpec channel, String messageId) {
      return answer("ack", channel, messageId);
    }

    @Override
    public Future<NackOutcome> nack(ChannelSpec channel, String messageId, boolean retry) {
      return answer("nack", channel, messageId, retry);
    }

    @Override
    public Future<Integer> release(ChannelSpec channel, String owner, java.util.Set<String> uncounted) {
      return uncounted.isEmpty() ? answer("release", channel, owner) : answer("release", channel, owner, uncounted);
    }

    @Override
    public Future<Integer> reclaimExpiredLeases(ChannelSpec channel) {
      return Future.succeededFuture(0); // the verticle's timer: not recorded
    }

    @Override
    public Future<String> leaseOwner(ChannelSpec channel, String messageId) {
      return answer("leaseOwner", channel, messageId);
    }

    @Override
    public Future<ChannelStats> stats(ChannelSpec channel) {
      return answer("stats", channel);
    }

    @Override
    public Future<List<JsonObject>> deadLetters(ChannelSpec channel, int limit) {
      return answer("deadLetters", channel, limit);
    }

    @Override
    public Future<List<String>> replayDeadLetters(ChannelSpec channel, List<String> messageIds) {
      return answer("replayDeadLetters", channel, messageIds);
    }

    @Override
    public Future<Boolean> deleteDeadLetter(ChannelSpec channel, String messageId) {
      return answer("deleteDeadLetter", channel, messageId);
    }

    @Override
    public Future<TokenState> tokenState(ChannelSpec channel) {
      return answer("tokenState", channel);
    }

    @Override
    public Future<TokenState> rotateToken(ChannelSpec channel, String newTokenHash, long graceMillis) {
      return answer("rotateToken", channel, newTokenHash, graceMillis);
    }

    @Override
    public Future<Boolean> ping() {
      return answer("ping");
    }
  }
}
