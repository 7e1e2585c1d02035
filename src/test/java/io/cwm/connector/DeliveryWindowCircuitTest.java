package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The window with circuits (issue 16): an open target's messages are held, never nacked; with a
 * receiver that takes flow requests the session is paused (flow 0) and one message is asked for
 * (flow 1) when a probe is due; without (a Python receiver) a held message is the probe.
 */
class DeliveryWindowCircuitTest {
  /** Opens after 2 failures in a row; probes after 1 s, doubling to 4 s. */
  private static final CircuitSettings SETTINGS = new CircuitSettings(2, 1, 4, 2);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ClockTimers timers = new ClockTimers();
  private final FakeDeliverer deliverer = new FakeDeliverer();
  private final Circuit fallback = new Circuit("default_target", SETTINGS, now::get);

  private DeliveryWindow window(int maxConcurrent, Circuits circuits) {
    return new DeliveryWindow("[channel: test]", maxConcurrent, deliverer, timers, new RecentDeliveries(now::get),
        () -> { }, circuits, now::get);
  }

  private Circuits defaultOnly() {
    return new Circuits(Map.of(), fallback);
  }

  private static Delivery message(String id, String webhookId) {
    return new Delivery(id, webhookId, new JsonObject(), new JsonObject().put("n", id), 1);
  }

  private static Delivery message(String id) {
    return message(id, "hook");
  }

  @Test
  void withOurReceiverTheSessionIsPausedItsMessagesHandedBackAndOneProbeAskedForAtEachStep() {
    DeliveryWindow window = window(2, defaultOnly());
    Link link = new Link(true);
    window.linkUp(link);
    for (String id : List.of("m1", "m2", "m3", "m4")) {
      window.offer(link, message(id));
    }
    assertEquals(List.of("m1", "m2"), deliverer.started);
    deliverer.finish("m1", Outcome.retry("connection refused", 4000));
    assertEquals(List.of("m1", "m2", "m3"), deliverer.started, "one failure: still closed");
    deliverer.finish("m2", Outcome.retry("connection refused", 4000));
    assertEquals(Circuit.State.OPEN, fallback.state());
    // m1's retry nack was waiting: held instead; m2 held; m4 queued: all handed back in one flow 0
    assertEquals(List.of("flow 0"), link.sent);
    assertEquals(0, window.held());
    assertEquals(0, window.queued());
    assertEquals(0, window.room(), "paused: nothing more asked for");
    assertEquals(1, window.pollSize(), "a poll of one keeps a paused poll session alive");
    assertEquals(List.of(1000L), timers.pendingDelays());

    deliverer.finish("m3", Outcome.retry("connection refused", 4000)); // started before it opened
    assertEquals(List.of("flow 0", "flow 0"), link.sent, "handed back as well, not nacked");

    timers.advance(1000);
    assertEquals(List.of("flow 0", "flow 0", "flow 1"), link.sent, "probe due: one message");
    assertEquals(1, window.room());
    window.offer(link, message("m1"));
    assertEquals(List.of("m1"), deliverer.probes);
    deliverer.finish("m1", Outcome.retry("connection refused", 4000));
    assertEquals(List.of("flow 0", "flow 0", "flow 1", "flow 0"), link.sent, "a failed probe is handed back");
    assertEquals(List.of(2000L), timers.pendingDelays(), "the next step of the curve");

    timers.advance(2000);
    window.offer(link, message("m1"));
    assertEquals(List.of("m1", "m1"), deliverer.probes);
    deliverer.finish("m1", Outcome.ack());
    assertEquals(Circuit.State.CLOSED, fallback.state());
    assertEquals(List.of("flow 0", "flow 0", "flow 1", "flow 0", "flow 1", "ack m1", "flow null"), link.sent);
    assertEquals(4, window.room(), "full speed again");
    window.offer(link, message("m2"));
    window.offer(link, message("m3"));
    assertEquals(List.of("m1", "m2", "m3", "m1", "m1", "m2", "m3"), deliverer.started);
    assertTrue(link.sent.stream().noneMatch(sent -> sent.startsWith("nack")), "nothing nacked: " + link.sent);
    assertEquals(2, fallback.probesSent());
  }

  @Test
  void withAPythonReceiverTheMessagesAreHeldUnsettledAndAHeldOneIsTheProbe() {
    DeliveryWindow window = window(2, defaultOnly());
    Link link = new Link(false);
    window.linkUp(link);
    for (String id : List.of("m1", "m2", "m3")) {
      window.offer(link, message(id));
    }
    deliverer.finish("m1", Outcome.retry("HTTP 503", 4000));
    deliverer.finish("m2", Outcome.retry("HTTP 503", 4000));
    deliverer.finish("m3", Outcome.retry("HTTP 503", 4000));
    assertEquals(List.of(), link.sent, "no flow request, no nack: held in hand");
    assertEquals(3, window.held());
    assertEquals(1, window.room(), "held messages take room");
    assertFalse(window.offer(link, message("m2")), "a held message sent again is the same one");

    timers.advance(1000);
    assertEquals(List.of("m1"), deliverer.probes, "the first held message is the probe");
    deliverer.finish("m1", Outcome.retry("HTTP 503", 4000));
    timers.advance(1999);
    assertEquals(1, deliverer.probes.size());
    timers.advance(1);
    assertEquals(List.of("m1", "m2"), deliverer.probes, "a failed probe goes to the back: the next probe is another");
    deliverer.finish("m2", Outcome.ack());
    assertEquals(Circuit.State.CLOSED, fallback.state());
    assertEquals(List.of("m3", "m1"), deliverer.started.subList(deliverer.started.size() - 2, deliverer.started.size()));
    deliverer.finish("m3", Outcome.ack());
    deliverer.finish("m1", Outcome.ack());
    assertEquals(List.of("ack m2", "ack m3", "ack m1"), link.sent);
    assertEquals(0, window.held());
  }

  @Test
  void withoutFlowRequestsAnOpenTargetHoldsOnlyItsOwnMessages() {
    Circuit down = new Circuit("targets.down", SETTINGS, now::get);
    DeliveryWindow window = window(4, new Circuits(Map.of("down", down), fallback));
    Link link = new Link(false);
    window.linkUp(link);
    window.offer(link, message("d1", "down"));
    window.offer(link, message("d2", "down"));
    deliverer.finish("d1", Outcome.retry("timeout", 4000));
    deliverer.finish("d2", Outcome.retry("timeout", 4000));
    assertEquals(Circuit.State.OPEN, down.state());
    window.offer(link, message("d3", "down"));
    window.offer(link, message("u1", "up"));
    assertEquals(List.of("d1", "d2", "u1"), deliverer.started, "the other target's message goes on");
    deliverer.finish("u1", Outcome.ack());
    assertEquals(Circuit.State.CLOSED, fallback.state());
    assertEquals(3, window.held());
    assertEquals(List.of("ack u1"), link.sent);
  }

  @Test
  void aTargetWithoutACircuitIsNackedAsBefore() {
    Map<String, Circuit> off = new HashMap<>();
    off.put("hook", null);
    DeliveryWindow window = window(1, new Circuits(off, fallback));
    Link link = new Link(true);
    window.linkUp(link);
    for (int i = 0; i < 3; i++) {
      window.offer(link, message("m" + i));
      deliverer.finish("m" + i, Outcome.retry("HTTP 500", 0));
    }
    assertEquals(List.of("nack m0 retry=true", "nack m1 retry=true", "nack m2 retry=true"), link.sent);
  }

  @Test
  void aFinalAnswerOfTheTargetIsNotAnOutage() {
    DeliveryWindow window = window(1, defaultOnly());
    Link link = new Link(true);
    window.linkUp(link);
    window.offer(link, message("m1"));
    deliverer.finish("m1", Outcome.retry("HTTP 500", 0));
    window.offer(link, message("m2"));
    deliverer.finish("m2", Outcome.drop("HTTP 400 from target"));
    window.offer(link, message("m3"));
    deliverer.finish("m3", Outcome.retry("HTTP 500", 0));
    assertEquals(Circuit.State.CLOSED, fallback.state(), "the 400 broke the run of failures");
    assertEquals(List.of("nack m1 retry=true", "nack m2 retry=false", "nack m3 retry=true"), link.sent);
  }

  @Test
  void aNewSessionWhileOpenIsPausedAtOnce() {
    DeliveryWindow window = window(1, defaultOnly());
    Link first = new Link(true);
    window.linkUp(first);
    window.offer(first, message("m1"));
    deliverer.finish("m1", Outcome.retry("refused", 1000));
    window.offer(first, message("m2"));
    deliverer.finish("m2", Outcome.retry("refused", 1000));
    assertEquals(List.of("flow 0"), first.sent);
    Link second = new Link(true);
    window.linkUp(second);
    assertEquals(List.of("flow 0"), second.sent);
  }

  // ---------------------------------------------------------------- fakes

  /** Timers on the test's clock: {@link #advance} runs those due, in time order. */
  private final class ClockTimers implements DeliveryWindow.Timers {
    private final TreeMap<Long, List<Long>> byTime = new TreeMap<>();
    private final Map<Long, Runnable> actions = new HashMap<>();
    private final Map<Long, Long> delays = new LinkedHashMap<>();
    private long nextId = 1;

    @Override
    public long schedule(long delayMillis, Runnable action) {
      long id = nextId++;
      actions.put(id, action);
      delays.put(id, delayMillis);
      byTime.computeIfAbsent(now.get() + delayMillis, at -> new ArrayList<>()).add(id);
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

    void advance(long millis) {
      long until = now.get() + millis;
      while (!byTime.isEmpty() && byTime.firstKey() <= until) {
        Map.Entry<Long, List<Long>> next = byTime.pollFirstEntry();
        now.set(next.getKey());
        for (Long id : next.getValue()) {
          Runnable action = actions.remove(id);
          delays.remove(id);
          if (action != null) {
            action.run();
          }
        }
      }
      now.set(until);
    }
  }

  private static final class FakeDeliverer implements Deliverer {
    final List<String> started = new ArrayList<>();
    final List<String> probes = new ArrayList<>();
    private final Map<String, Promise<Outcome>> running = new LinkedHashMap<>();

    @Override
    public Future<Outcome> deliver(Delivery delivery) {
      started.add(delivery.messageId());
      Promise<Outcome> outcome = Promise.promise();
      running.put(delivery.messageId(), outcome);
      return outcome.future();
    }

    @Override
    public Future<Outcome> probe(Delivery delivery) {
      probes.add(delivery.messageId());
      return deliver(delivery);
    }

    void finish(String messageId, Outcome outcome) {
      running.remove(messageId).complete(outcome);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /** A link that records what was sent on it; {@code flow}: whether the receiver advertised flow requests. */
  private static final class Link extends StreamLink {
    final List<String> sent = new ArrayList<>();

    Link(boolean flow) {
      super(new Listener() {
        @Override
        public boolean onMessage(Delivery delivery) {
          return true;
        }

        @Override
        public void onAlive() {
        }
      });
      if (flow) {
        features(new JsonArray().add("flow"));
      }
    }

    @Override
    Future<Void> open() {
      return Future.succeededFuture();
    }

    @Override
    void ack(String messageId) {
      sent.add("ack " + messageId);
    }

    @Override
    void nack(String messageId, boolean retry) {
      sent.add("nack " + messageId + " retry=" + retry);
    }

    @Override
    void flow(Integer maxInFlight, JsonArray circuits) {
      sent.add("flow " + maxInFlight);
    }

    @Override
    void close(int code, String reason) {
    }
  }
}
