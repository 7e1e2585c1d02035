package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeliveryWindowTest {
  private final FakeTimers timers = new FakeTimers();
  private final FakeDeliverer deliverer = new FakeDeliverer();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final AtomicInteger deliveredCalls = new AtomicInteger();
  private final FakeLink link = new FakeLink();

  private DeliveryWindow window(int maxConcurrent) {
    return new DeliveryWindow("[channel: test]", maxConcurrent, deliverer, timers, new RecentDeliveries(now::get),
        deliveredCalls::incrementAndGet);
  }

  private static Delivery message(String id) {
    return new Delivery(id, "hook", new JsonObject(), new JsonObject().put("n", id), 1);
  }

  @Test
  void messagesBeyondTheLimitWaitInTheQueueUntilASlotIsFree() {
    DeliveryWindow window = window(2);
    assertTrue(window.offer(link, message("m1")));
    assertTrue(window.offer(link, message("m2")));
    assertTrue(window.offer(link, message("m3")));

    assertEquals(List.of("m1", "m2"), deliverer.started());
    assertEquals(2, window.running());
    assertEquals(1, window.queued());
    assertEquals(1, window.room()); // twice the limit, less the three in hand

    deliverer.finish("m1", Outcome.ack());

    assertEquals(List.of("m1", "m2", "m3"), deliverer.started());
    assertEquals(2, window.running());
    assertEquals(0, window.queued());
    assertEquals(List.of("ack m1"), link.settled);
    assertEquals(1, deliveredCalls.get());
  }

  @Test
  void aDeliveryThatFailsWithoutAnOutcomeIsNackedWithRetryAfterASecond() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.fail("m1", new IllegalStateException("bug"));

    assertEquals(List.of(), link.settled);
    assertEquals(List.of(DeliveryWindow.INTERNAL_ERROR_BACKOFF_MILLIS), timers.pendingDelays());
  }

  @Test
  void aNotDeliverableMessageIsNackedWithoutRetryAtOnce() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.drop("no target"));
    assertEquals(List.of("nack m1 retry=false"), link.settled);
    assertEquals(0, deliveredCalls.get());
  }

  @Test
  void theLogLinesAboutADeliverysOutcomeCarryItsMessageIdInTheMdcAndLeaveNothingBehind() {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        DeliveryWindow.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      DeliveryWindow window = window(1);
      window.offer(link, message("m1"));
      deliverer.finish("m1", Outcome.drop("HTTP 422"));
      ch.qos.logback.classic.spi.ILoggingEvent line = lines.list.stream()
          .filter(event -> event.getFormattedMessage().contains("dead letter")).findFirst().orElseThrow();
      assertEquals("m1", line.getMDCPropertyMap().get("message_id"));
      assertEquals("hook", line.getMDCPropertyMap().get("webhook_id"));
      assertEquals(null, org.slf4j.MDC.get("message_id"), "the MDC is restored after the line");
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void withTracingOffTheFramesTraceparentReachesTheDelivererUnchanged() {
    DeliveryWindow window = window(1);
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    window.offer(link, message("m1").withTraceparent(traceparent));
    assertEquals(traceparent, deliverer.traceparents.get("m1"));
  }

  @Test
  void aFilteredMessageIsAckedAtOnceWithoutTakingASlotNorCountingAsDelivered() {
    DeliveryWindow window = new DeliveryWindow("[channel: test]", 1, deliverer, timers, new RecentDeliveries(now::get),
        deliveredCalls::incrementAndGet, delivery -> delivery.messageId().startsWith("skip") ? "drop[0]" : null);
    assertTrue(window.offer(link, message("m1")));
    assertTrue(window.offer(link, message("skip1")), "a new message, even though filtered");
    assertEquals(List.of("ack skip1"), link.settled);
    assertEquals(List.of("m1"), deliverer.started());
    assertEquals(0, window.queued());
    deliverer.finish("m1", Outcome.ack());
    assertEquals(List.of("ack skip1", "ack m1"), link.settled);
    assertEquals(1, deliveredCalls.get());
  }

  @Test
  void aRetryNackWaitsItsBackOff() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.retry("HTTP 503", 5000));

    assertEquals(List.of(), link.settled);
    assertEquals(List.of(5000L), timers.pendingDelays());
    timers.fireAll();
    assertEquals(List.of("nack m1 retry=true"), link.settled);
  }

  @Test
  void aRetryNackWithoutBackOffGoesAtOnce() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.retry("HTTP 503", 0));
    assertEquals(List.of("nack m1 retry=true"), link.settled);
    assertEquals(List.of(), timers.pendingDelays());
  }

  @Test
  void aDelayedNackIsCancelledWhenTheMessageComesBackAndTheNewDeliverySettlesIt() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.retry("HTTP 503", 5000));
    FakeLink next = new FakeLink();

    assertTrue(window.offer(next, message("m1"))); // its lease ran out: the receiver handed it out again

    assertEquals(List.of(), timers.pendingDelays());
    assertEquals(List.of("m1", "m1"), deliverer.started());
    deliverer.finish("m1", Outcome.ack());
    timers.fireAll();
    assertEquals(List.of(), link.settled);
    assertEquals(List.of("ack m1"), next.settled);
  }

  @Test
  void aMessageHandedOutAgainWhileInHandIsSettledOnceOnTheLatestLink() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    FakeLink next = new FakeLink();

    assertFalse(window.offer(next, message("m1")));

    assertEquals(List.of("m1"), deliverer.started());
    deliverer.finish("m1", Outcome.ack());
    assertEquals(List.of(), link.settled);
    assertEquals(List.of("ack m1"), next.settled);
  }

  @Test
  void aMessageDeliveredAMomentAgoIsAckedAgainNotDelivered() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.ack());

    assertFalse(window.offer(link, message("m1")));

    assertEquals(List.of("m1"), deliverer.started());
    assertEquals(List.of("ack m1", "ack m1"), link.settled);
  }

  @Test
  void drainNacksQueuedMessagesAtOnceAndWaitsForRunningOnes() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    window.offer(link, message("m2"));

    Future<Void> drained = window.drain(30_000);

    assertEquals(List.of("nack m2 retry=true"), link.settled);
    assertFalse(drained.isComplete());
    assertEquals(0, window.room());
    assertTrue(window.offer(link, message("m3"))); // not taken: the receiver requeues it
    assertEquals(List.of("m1"), deliverer.started());

    deliverer.finish("m1", Outcome.ack());

    assertTrue(drained.succeeded());
    assertEquals(List.of("nack m2 retry=true", "ack m1"), link.settled);
    assertEquals(List.of(), timers.pendingDelays()); // the grace timer is cancelled
  }

  @Test
  void drainStopsWaitingAfterTheGracePeriod() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));

    Future<Void> drained = window.drain(30_000);
    assertEquals(List.of(30_000L), timers.pendingDelays());
    timers.fireAll();

    assertTrue(drained.succeeded());
    assertEquals(1, window.running());
  }

  @Test
  void drainSendsDelayedNacksWithoutWaitingAndLaterRetriesAtOnce() {
    DeliveryWindow window = window(2);
    window.offer(link, message("m1"));
    window.offer(link, message("m2"));
    deliverer.finish("m1", Outcome.retry("HTTP 503", 5000));

    Future<Void> drained = window.drain(30_000);
    assertEquals(List.of(), link.settled); // m1's nack waits for the running m2
    deliverer.finish("m2", Outcome.retry("HTTP 503", 5000));

    assertTrue(drained.succeeded());
    assertEquals(List.of("nack m2 retry=true", "nack m1 retry=true"), link.settled);
    assertEquals(List.of(), timers.pendingDelays());
  }

  @Test
  void drainWithNothingRunningIsDoneAtOnce() {
    assertTrue(window(1).drain(30_000).succeeded());
    assertEquals(List.of(), timers.pendingDelays());
  }

  @Test
  void stopStartsNoMoreDeliveriesAndSendsRetryNacksAtOnce() {
    DeliveryWindow window = window(1);
    window.offer(link, message("m1"));
    window.offer(link, message("m2"));

    window.stop();
    deliverer.finish("m1", Outcome.retry("HTTP 503", 5000));

    assertEquals(List.of("m1"), deliverer.started());
    assertEquals(List.of("nack m1 retry=true"), link.settled);
    assertEquals(1, window.queued()); // nacked by drain
  }

  /** Timers that fire only when the test says so. */
  private static final class FakeTimers implements DeliveryWindow.Timers {
    private final Map<Long, Runnable> actions = new LinkedHashMap<>();
    private final Map<Long, Long> delays = new LinkedHashMap<>();
    private long nextId = 1;

    @Override
    public long schedule(long delayMillis, Runnable action) {
      long id = nextId++;
      actions.put(id, action);
      delays.put(id, delayMillis);
      return id;
    }

    @Override
    public void cancel(long timerId) {
      actions.remove(timerId);
      delays.remove(timerId);
    }

    List<Long> pendingDelays() {
      return List.copyOf(delays.values());
    }

    void fireAll() {
      for (Long id : List.copyOf(actions.keySet())) {
        Runnable action = actions.remove(id);
        delays.remove(id);
        if (action != null) {
          action.run();
        }
      }
    }
  }

  /** A deliverer whose deliveries end when the test says so. */
  private static final class FakeDeliverer implements Deliverer {
    private final List<String> started = new ArrayList<>();
    private final Map<String, Promise<Outcome>> running = new LinkedHashMap<>();

    private final Map<String, String> traceparents = new LinkedHashMap<>();

    @Override
    public Future<Outcome> deliver(Delivery delivery) {
      started.add(delivery.messageId());
      traceparents.put(delivery.messageId(), delivery.traceparent());
      Promise<Outcome> outcome = Promise.promise();
      running.put(delivery.messageId(), outcome);
      return outcome.future();
    }

    List<String> started() {
      return List.copyOf(started);
    }

    void finish(String messageId, Outcome outcome) {
      running.remove(messageId).complete(outcome);
    }

    void fail(String messageId, Throwable failure) {
      running.remove(messageId).fail(failure);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /** A link that records how its messages were settled. */
  private static final class FakeLink extends StreamLink {
    final List<String> settled = new ArrayList<>();

    FakeLink() {
      super(null);
    }

    @Override
    Future<Void> open() {
      return Future.succeededFuture();
    }

    @Override
    void ack(String messageId) {
      settled.add("ack " + messageId);
    }

    @Override
    void nack(String messageId, boolean retry) {
      settled.add("nack " + messageId + " retry=" + retry);
    }

    @Override
    void flow(Integer maxInFlight, io.vertx.core.json.JsonArray circuits) {
      settled.add("flow " + maxInFlight);
    }

    @Override
    void close(int code, String reason) {
    }
  }
}
