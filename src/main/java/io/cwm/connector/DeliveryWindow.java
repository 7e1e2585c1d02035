package io.cwm.connector;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
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
 * delayed nacks go without waiting. Used on the connector's event loop only.
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

  private record Queued(StreamLink link, Delivery delivery) {}

  /** A retry nack waiting for its back-off, and the link to send it on. */
  private record DelayedNack(long timer, StreamLink link) {}

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

  /**
   * @param tag log prefix naming the channel
   * @param maxConcurrent deliveries running at once ({@code max_concurrent_requests})
   * @param onDelivered told after each successful delivery
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered) {
    this(tag, maxConcurrent, deliverer, timers, delivered, onDelivered, Screen.NONE);
  }

  /**
   * @param screen the messages acked at once without delivery (filtered): they take no slot
   */
  DeliveryWindow(String tag, int maxConcurrent, Deliverer deliverer, Timers timers, RecentDeliveries delivered,
      Runnable onDelivered, Screen screen) {
    this.screen = screen;
    this.tag = tag;
    this.maxConcurrent = maxConcurrent;
    this.deliverer = deliverer;
    this.timers = timers;
    this.delivered = delivered;
    this.onDelivered = onDelivered;
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
      LOG.info("{} message {} (webhook {}) was delivered by this connector a moment ago: acked again, not "
          + "delivered again", tag, messageId, delivery.webhookId());
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
    queue.add(new Queued(source, delivery));
    startDeliveries();
    return true;
  }

  /** How many more messages the connector wants: twice the limit, less those in hand; 0 once stopped. */
  int room() {
    return stopped ? 0 : Math.max(0, maxConcurrent * 2 - running - queue.size());
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
  }

  /**
   * Stops, nacks queued messages for redelivery at once, waits for running deliveries up to
   * {@code graceMillis}, then sends the delayed nacks without waiting. Running deliveries still
   * unfinished are left to the receiver's redelivery.
   */
  Future<Void> drain(long graceMillis) {
    stop();
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
    while (!stopped && running < maxConcurrent && !queue.isEmpty()) {
      Queued next = queue.poll();
      running++;
      deliverer.deliver(next.delivery())
          .recover(failure -> Future.succeededFuture(
              Outcome.retry("internal error: " + failure, INTERNAL_ERROR_BACKOFF_MILLIS)))
          .onComplete(outcome -> finished(next, outcome.result()));
    }
  }

  private void finished(Queued done, Outcome outcome) {
    running--;
    String messageId = done.delivery().messageId();
    StreamLink latest = inHand.remove(messageId);
    StreamLink link = latest != null ? latest : done.link();
    switch (outcome.verdict()) {
      case ACK -> {
        delivered.delivered(messageId);
        link.ack(messageId);
        onDelivered.run();
      }
      case NACK_DROP -> {
        LOG.warn("{} message {} (webhook {}) not deliverable: {}; nack without retry (dead letter)", tag, messageId,
            done.delivery().webhookId(), outcome.reason());
        link.nack(messageId, false);
      }
      case NACK_RETRY -> {
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
          delayedNacks.put(messageId, new DelayedNack(timer, link));
        }
      }
    }
    if (stopped) {
      if (running == 0 && drained != null) {
        drained.tryComplete();
      }
      return;
    }
    startDeliveries();
  }
}
