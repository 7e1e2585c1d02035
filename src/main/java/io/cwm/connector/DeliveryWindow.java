package io.cwm.connector;

import io.cwm.trace.MessageLog;
import io.cwm.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages a connector has in hand and its delivery limit. A message taken from the receiver
 * waits in a queue until one of the {@code max_concurrent_requests} slots is free, runs through
 * the {@link Deliverer}, and is settled by its {@link Outcome}: ack, nack without retry, or nack
 * with retry after the outcome's back-off (a delayed nack; dropped if the message comes back
 * first, since that delivery settles it).
 *
 * <p>Each message is settled once, on the link it came on last. One already in hand is not taken
 * again; one delivered a moment ago ({@link RecentDeliveries}) is acked again, not delivered.
 * {@link #drain} ends it: queued messages are nacked at once, running ones get a grace period,
 * delayed nacks go without waiting.
 *
 * <p>Issue 16, circuits ({@link Circuits}): a retryable failure counts against the circuit of the
 * message's target; once it opens, the target's messages are not delivered (nor nacked: that would
 * spend their attempts) but <em>held</em>. With a receiver that takes flow requests (ours,
 * {@link StreamLink#flowSupported}) the window asks it for 0 messages, which hands back everything
 * not being delivered with its delivery given back, and drops those messages here; when a probe is
 * due it asks for 1: the next message of an open circuit is that circuit's probe (one attempt);
 * its success closes the circuit and the window asks for the channel's full window again. With a
 * receiver that does not (Python), held messages stay in hand unsettled (Python has no ack timeout:
 * they stay leased to this connection) and a held one is the probe when it is due.
 * Used on the connector's event loop only.
 */
final class DeliveryWindow {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWindow.class);
  /** Back-off of the nack when the deliverer itself failed (it should answer with an Outcome). */
  static final long INTERNAL_ERROR_BACKOFF_MILLIS = 1000;

  /** One-shot timers: the verticle's Vert.x timers, a fake in tests. */
  interface Timers {
    long schedule(long delayMillis, Runnable action);

    void cancel(long timerId);

    static Timers of(Vertx vertx) {
      return new Timers() {
        @Override
        public long schedule(long delayMillis, Runnable action) {
          return vertx.setTimer(delayMillis, id -> action.run());
        }

        @Override
        public void cancel(long timerId) {
          vertx.cancelTimer(timerId);
        }
      };
    }
  }

  /** Which messages are acked without delivery (the targets' {@code filters}). */
  interface Screen {
    /** Delivers everything. */
    Screen NONE = delivery -> null;

    /** Why {@code delivery} is not delivered (it is acked), or null to deliver it. */
    String dropReason(Delivery delivery);
  }

  /**
   * A message in hand, the link it came on, and how many flow-0 requests had gone to the receiver
   * when it came ({@link #handBacks}): one that came before the latest was handed back there.
   */
  private record Queued(StreamLink link, Delivery delivery, long epoch) {}

  /** A retry nack waiting for its back-off, the link to send it on, and its message. */
  private record DelayedNack(long timer, StreamLink link, Delivery delivery) {}

  /** {@link #flowSent}: nothing asked of the current link yet. */
  private static final int NO_FLOW = -2;
  /** {@link #flowSent}: the channel's window (a flow request with max_in_flight null). */
  private static final int FULL_FLOW = -1;

  private final String tag;
  private final int maxConcurrent;
  private final Deliverer deliverer;
  private final Timers timers;
  private final RecentDeliveries delivered;
  private final Runnable onDelivered;
  private final Screen screen;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  /** Messages queued or being delivered → the link to settle them on (the latest they came on). */
  private final Map<String, StreamLink> inHand = new HashMap<>();
  private final Map<String, DelayedNack> delayedNacks = new HashMap<>();
  private int running;
  private boolean stopped;
  private Promise<Void> drained;
  private final Circuits circuits;
  private final LongSupplier clock;
  /** Messages of open circuits, not delivered and not settled (still in {@link #inHand}). */
  private final Map<String, Queued> held = new LinkedHashMap<>();
  /** Deliveries running as probes: message id → its circuit. */
  private final Map<String, Circuit> probes = new HashMap<>();
  /** The link flow requests go to: the latest one established. */
  private StreamLink current;
  /** What was last asked of {@link #current}: {@link #NO_FLOW}, {@link #FULL_FLOW}, 0 or 1. */
  private int flowSent = NO_FLOW;
  private long probeTimer = -1;
  private long probeTimerAt = -1;
  /** Flow-0 requests sent (each hands back what the session held at the receiver). */
  private long handBacks;
  /** Issue 19: the span of each delivery running, by message id (tracing on only). */
  private final Map<String, Span> spans = new HashMap<>();
  private Tracing tracing = Tracing.OFF;

  /**
   * @param tag log prefix naming the channel
   * @param maxConcurrent deliveries running at once ({@code max_concurrent_requests})
   * @param onDelivered told after each successful delivery
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered) {
    this(tag, maxConcurrent, deliverer, timers, delivered, onDelivered, Screen.NONE, Circuits.NONE,
        System::currentTimeMillis);
  }

  /**
   * @param screen the messages acked at once without delivery (filtered): they take no slot
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered, Screen screen) {
    this(tag, maxConcurrent, deliverer, timers, delivered, onDelivered, screen, Circuits.NONE,
        System::currentTimeMillis);
  }

  /**
   * @param circuits the circuits of the targets (issue 16); {@link Circuits#NONE} for none
   * @param clock the clock of the circuits (epoch ms), for the probe timer
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered, Circuits circuits, LongSupplier clock) {
    this(tag, maxConcurrent, deliverer, timers, delivered, onDelivered, Screen.NONE, circuits, clock);
  }

  /**
   * @param screen the messages acked at once without delivery (filtered): they take no slot
   * @param circuits the circuits of the targets (issue 16); {@link Circuits#NONE} for none
   * @param clock the clock of the circuits (epoch ms), for the probe timer
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered, Screen screen, Circuits circuits, LongSupplier clock) {
    this.screen = screen;
    this.circuits = circuits;
    this.clock = clock;
    this.tag = tag;
    this.maxConcurrent = maxConcurrent;
    this.deliverer = deliverer;
    this.timers = timers;
    this.delivered = delivered;
    this.onDelivered = onDelivered;
  }

  /** Traces each delivery with {@code value} (issue 19). Before the first offer. */
  void tracing(Tracing value) {
    this.tracing = value;
  }

  /**
   * Takes a message for delivery from {@code source}; false when it is one the connector already
   * has (in hand: settled once, on {@code source}; delivered a moment ago: acked again). After
   * {@link #stop()} nothing is taken (true: the receiver requeues it when the connection ends).
   */
  boolean offer(StreamLink source, Delivery delivery) {
    if (stopped) {
      return true;
    }
    String messageId = delivery.messageId();
    if (inHand.containsKey(messageId)) {
      inHand.put(messageId, source); // settled once, where the receiver now expects it
      LOG.debug("{} message {} handed out again while being delivered: settled once", tag, messageId);
      return false;
    }
    if (delivered.wasDelivered(messageId)) {
      try (MessageLog scope = MessageLog.of(messageId, delivery.webhookId())) {
        LOG.info("{} message {} (webhook {}) was delivered by this connector a moment ago: acked again, not "
            + "delivered again", tag, messageId, delivery.webhookId());
      }
      source.ack(messageId);
      return false;
    }
    DelayedNack delayed = delayedNacks.remove(messageId);
    if (delayed != null) { // back already (its lease ran out): this delivery settles it
      timers.cancel(delayed.timer());
    }
    if (screen != Screen.NONE && screen.dropReason(delivery) != null) {
      source.ack(messageId); // filtered: it leaves the receiver's buffer, counted by the screen
      return true;
    }
    inHand.put(messageId, source);
    queue.add(new Queued(source, delivery, handBacks));
    startDeliveries();
    return true;
  }

  /**
   * How many more messages the connector wants: twice the limit, less those in hand (held ones too);
   * 0 once stopped; while a circuit is open and the receiver takes flow requests, what was asked of
   * it (0, or 1 for a probe).
   */
  int room() {
    if (stopped) {
      return 0;
    }
    int room = Math.max(0, maxConcurrent * 2 - running - queue.size() - held.size());
    if (flowSent == 0) {
      return 0;
    }
    return flowSent == 1 ? Math.min(1, room) : room;
  }

  /**
   * The size of the next long poll: {@link #room}, except that while the session is paused a poll
   * of 1 keeps it alive at the receiver (which holds the poll: the session's window is 0) so the
   * admin view keeps showing it paused.
   */
  int pollSize() {
    return !stopped && flowSent == 0 ? 1 : room();
  }

  /** Held messages (of open circuits), for tests. */
  int held() {
    return held.size();
  }

  /** Issue 16: {@code link} is established: flow requests go there (a new session starts with the full window). */
  void linkUp(StreamLink link) {
    current = link;
    flowSent = NO_FLOW;
    updateFlow();
  }

  /** Issue 16: {@code link} said it takes flow requests. */
  void flowSupported(StreamLink link) {
    if (link == current) {
      flowSent = NO_FLOW;
      updateFlow();
    }
  }

  int running() {
    return running;
  }

  int queued() {
    return queue.size();
  }

  /** No delivery starts from now on; retry nacks are sent at once. Queued messages stay until {@link #drain}. */
  void stop() {
    stopped = true;
    timers.cancel(probeTimer);
    probeTimer = -1;
  }

  /**
   * Stops, nacks queued messages for redelivery at once, waits for running deliveries up to
   * {@code graceMillis}, then sends the delayed nacks without waiting. Running deliveries still
   * unfinished are left to the receiver's redelivery.
   */
  Future<Void> drain(long graceMillis) {
    stop();
    queue.addAll(held.values()); // held for an open circuit: back to the receiver like the queued
    held.clear();
    for (Queued queued; (queued = queue.poll()) != null; ) {
      StreamLink latest = inHand.remove(queued.delivery().messageId());
      (latest != null ? latest : queued.link()).nack(queued.delivery().messageId(), true);
    }
    drained = Promise.promise();
    if (running == 0) {
      drained.tryComplete();
    } else {
      LOG.info("{} stopping: waiting up to {} s for {} running deliveries", tag, graceMillis / 1000.0, running);
      long grace = timers.schedule(graceMillis, drained::tryComplete);
      drained.future().onComplete(done -> timers.cancel(grace));
    }
    return drained.future().map(done -> {
      if (running > 0) {
        LOG.warn("{} {} deliveries still running after the grace period: left to the receiver's redelivery", tag,
            running);
      }
      delayedNacks.forEach((messageId, delayed) -> {
        timers.cancel(delayed.timer());
        delayed.link().nack(messageId, true);
      });
      delayedNacks.clear();
      return null;
    });
  }

  private void startDeliveries() {
    Iterator<Queued> next = queue.iterator();
    while (!stopped && running < maxConcurrent && next.hasNext()) {
      Queued queued = next.next();
      Circuit circuit = circuits.of(queued.delivery());
      next.remove();
      if (circuit == null || circuit.allows()) {
        run(queued, null);
      } else if (circuit.state() == Circuit.State.OPEN && mayProbe()) {
        circuit.startProbe();
        LOG.info("{} circuit of {} open since {}: probe {} with message {} (webhook {})", tag, circuit.target(),
            java.time.Instant.ofEpochMilli(circuit.openedAt()), circuit.probesSent(), queued.delivery().messageId(),
            queued.delivery().webhookId());
        run(queued, circuit);
      } else {
        held.put(queued.delivery().messageId(), queued);
      }
    }
    updateFlow();
  }

  /**
   * Whether a message of an open circuit may go now as its probe: no probe is under way, and a
   * circuit's wait is over or the receiver was asked for one message (any open circuit's message it
   * sends is then that circuit's probe, so one target's message at the head cannot starve another).
   */
  private boolean mayProbe() {
    return !circuits.probing() && (circuits.probeDue() || flowSent == 1);
  }

  private void run(Queued queued, Circuit probeOf) {
    running++;
    Delivery delivery = queued.delivery();
    if (probeOf != null) {
      probes.put(delivery.messageId(), probeOf);
    }
    if (tracing.on()) {
      delivery = traced(delivery, probeOf != null);
    }
    (probeOf != null ? deliverer.probe(delivery) : deliverer.deliver(delivery))
        .recover(failure -> Future.succeededFuture(
            Outcome.retry("internal error: " + failure, INTERNAL_ERROR_BACKOFF_MILLIS)))
        .onComplete(outcome -> finished(queued, outcome.result()));
  }

  // ---------------------------------------------------------------- circuits (issue 16)

  /**
   * Asks the current link for what the circuits need, when it takes flow requests: the channel's
   * window when none is open; 0 when one is (first handing back what is held: everything of the
   * session not being delivered goes back, uncounted, and is dropped here); 1 while a probe is due
   * or running. Schedules the timer of the next probe.
   */
  private void updateFlow() {
    if (circuits.isEmpty() || stopped) {
      return;
    }
    StreamLink link = current;
    if (link != null && link.flowSupported()) {
      if (!circuits.anyOpen()) {
        if (flowSent != FULL_FLOW && flowSent != NO_FLOW) {
          LOG.info("{} every circuit closed: asking the receiver for the full window again", tag);
          link.flow(null, null);
        }
        flowSent = FULL_FLOW;
      } else {
        if (!circuits.probing() && (!held.isEmpty() || flowSent != 0 && flowSent != 1)) {
          handBack(link);
        }
        if (flowSent == 0 && circuits.probeDue() && !circuits.probing()) {
          link.flow(1, circuits.report());
          flowSent = 1;
        }
      }
    }
    scheduleProbe();
  }

  /** Flow 0: the receiver takes back what the session holds (not counted); what is held or queued here goes. */
  private void handBack(StreamLink link) {
    int back = held.size() + queue.size();
    held.keySet().forEach(inHand::remove);
    held.clear();
    queue.forEach(queued -> inHand.remove(queued.delivery().messageId()));
    queue.clear();
    delayedNacks.forEach((messageId, delayed) -> timers.cancel(delayed.timer()));
    back += delayedNacks.size();
    delayedNacks.clear();
    link.flow(0, circuits.report());
    flowSent = 0;
    handBacks++;
    LOG.info("{} circuit open ({}): session paused at the receiver, {} message(s) handed back there (their "
        + "deliveries not counted)", tag, circuits.report().encode(), back);
  }

  /** A timer for the earliest probe due, while a circuit waits for one. */
  private void scheduleProbe() {
    long at = circuits.probing() || flowSent == 1 ? -1 : circuits.nextProbeAt();
    if (at == probeTimerAt) {
      return;
    }
    timers.cancel(probeTimer);
    probeTimer = -1;
    probeTimerAt = at;
    if (at >= 0) {
      probeTimer = timers.schedule(Math.max(1, at - clock.getAsLong()), this::probeDue);
    }
  }

  /** An open circuit's wait is over: ask the receiver for one message, or (no flow requests) probe with a held one. */
  private void probeDue() {
    probeTimer = -1;
    probeTimerAt = -1;
    if (stopped) {
      return;
    }
    StreamLink link = current;
    if (link == null || !link.flowSupported()) {
      for (Iterator<Queued> each = held.values().iterator(); each.hasNext(); ) {
        Queued queued = each.next();
        Circuit circuit = circuits.of(queued.delivery());
        if (circuit != null && circuit.probeDue()) {
          each.remove();
          queue.addFirst(queued);
          break;
        }
      }
    }
    startDeliveries();
  }

  /**
   * A probe succeeded: the held messages of {@code circuit} go first in the queue, in the order they
   * came; those that came before the latest hand-back are the receiver's again and are dropped.
   */
  private void closed(Circuit circuit) {
    LOG.info("{} circuit of {} closed: probe delivered after {} probe(s); resuming at full speed", tag,
        circuit.target(), circuit.probesSent());
    List<Queued> again = new ArrayList<>();
    for (Iterator<Queued> each = held.values().iterator(); each.hasNext(); ) {
      Queued queued = each.next();
      if (circuits.of(queued.delivery()) == circuit) {
        each.remove();
        if (queued.epoch() < handBacks) {
          inHand.remove(queued.delivery().messageId());
        } else {
          again.add(queued);
        }
      }
    }
    for (int i = again.size() - 1; i >= 0; i--) {
      queue.addFirst(again.get(i));
    }
  }

  /** {@code circuit} just opened: its retry nacks waiting for their back-off are held instead (not counted). */
  private void opened(Circuit circuit) {
    LOG.warn("{} circuit of {} open after {} failed deliveries in a row: its messages wait in the receiver's "
        + "buffer (not dead-lettered, not counted); probing with one message at a growing interval", tag,
        circuit.target(), circuit.failuresInARow());
    for (Iterator<Map.Entry<String, DelayedNack>> each = delayedNacks.entrySet().iterator(); each.hasNext(); ) {
      Map.Entry<String, DelayedNack> entry = each.next();
      DelayedNack delayed = entry.getValue();
      if (circuits.of(delayed.delivery()) == circuit) {
        timers.cancel(delayed.timer());
        each.remove();
        inHand.put(entry.getKey(), delayed.link());
        held.put(entry.getKey(), new Queued(delayed.link(), delayed.delivery(), handBacks));
      }
    }
  }

  /**
   * Issue 19: the delivery's span, child of the receiver's delivery attempt (the frame's
   * {@code traceparent}; a new trace when the receiver sent none, e.g. a Python receiver); the
   * deliverer sends its context on ({@code traceparent} to an HTTP target).
   */
  private Delivery traced(Delivery delivery, boolean probe) {
    Span span = tracing.span("connector.deliver", SpanKind.CONSUMER, Tracing.parent(delivery.traceparent(), null))
        .startSpan();
    if (span.isRecording()) { // an unsampled delivery only passes its context on
      span.setAttribute(Tracing.MESSAGE_ID, delivery.messageId())
          .setAttribute(Tracing.WEBHOOK_ID, String.valueOf(delivery.webhookId()))
          .setAttribute(Tracing.ATTEMPT, (long) delivery.deliveryCount())
          .setAttribute("cwm.probe", probe);
      Span previous = spans.put(delivery.messageId(), span);
      if (previous != null) {
        previous.end();
      }
    }
    return delivery.withTraceparent(Tracing.traceparent(span));
  }

  private void finished(Queued done, Outcome outcome) {
    try (MessageLog scope = MessageLog.of(done.delivery().messageId(), done.delivery().webhookId())) {
      settle(done, outcome);
    }
  }

  private void settle(Queued done, Outcome outcome) {
    running--;
    String messageId = done.delivery().messageId();
    Span span = spans.remove(messageId);
    if (span != null) {
      span.setAttribute(Tracing.OUTCOME, outcome.verdict().name().toLowerCase(java.util.Locale.ROOT));
      if (outcome.verdict() != Outcome.Verdict.ACK) {
        span.setStatus(StatusCode.ERROR, String.valueOf(outcome.reason()));
      }
      span.end();
    }
    Circuit probeOf = probes.remove(messageId);
    StreamLink latest = inHand.remove(messageId);
    StreamLink link = latest != null ? latest : done.link();
    Circuit circuit = circuits.of(done.delivery());
    switch (outcome.verdict()) {
      case ACK -> {
        delivered.delivered(messageId);
        link.ack(messageId);
        onDelivered.run();
        if (circuit != null && circuit.succeeded()) {
          closed(circuit);
        }
      }
      case NACK_DROP -> {
        LOG.warn("{} message {} (webhook {}) not deliverable: {}; nack without retry (dead letter)", tag, messageId,
            done.delivery().webhookId(), outcome.reason());
        link.nack(messageId, false);
        if (circuit != null && circuit.succeeded()) { // the target answered: it is up
          closed(circuit);
        }
      }
      case NACK_RETRY -> {
        if (circuit != null) {
          if (circuit.failed()) {
            opened(circuit);
          } else if (probeOf != null) {
            LOG.info("{} probe of {} failed: {}; next probe in {} ms", tag, circuit.target(), outcome.reason(),
                Math.max(0, circuit.nextProbeAt() - clock.getAsLong()));
          }
          if (circuit.state() != Circuit.State.CLOSED && !stopped) {
            // not the message's fault: held (handed back uncounted where the receiver takes it), not nacked
            inHand.put(messageId, link);
            held.put(messageId, done);
            break;
          }
        }
        LOG.info("{} message {} (webhook {}) failed: {}; nack with retry in {} ms", tag, messageId,
            done.delivery().webhookId(), outcome.reason(), outcome.backoffMillis());
        if (stopped || outcome.backoffMillis() <= 0) {
          link.nack(messageId, true);
        } else {
          long timer = timers.schedule(outcome.backoffMillis(), () -> {
            DelayedNack due = delayedNacks.remove(messageId);
            if (due != null) {
              due.link().nack(messageId, true);
            }
          });
          delayedNacks.put(messageId, new DelayedNack(timer, link, done.delivery()));
        }
      }
    }
    if (stopped) {
      if (probeOf != null) {
        probeOf.probeAbandoned();
      }
      if (running == 0 && drained != null) {
        drained.tryComplete();
      }
      return;
    }
    startDeliveries();
  }
}
