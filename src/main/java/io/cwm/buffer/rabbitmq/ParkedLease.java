package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Deque;
import java.util.List;

/**
 * A lease of the RabbitMQ buffer that found nothing waiting while the channel's consumers run: it
 * waits for the next push, at most {@value #WAIT_MILLIS} ms (then it answers what it has: nothing).
 * Fed by a push that leaves it short of its size, it lingers {@value #LINGER_MILLIS} ms for the
 * rest of the burst (the broker pushes one message at a time), so what a session has room for
 * goes out in one batch. Used on the buffer's context only.
 */
final class ParkedLease {
  /** How long a lease waits for a push. */
  static final long WAIT_MILLIS = 100;
  /** How long a lease fed short of its size waits for the rest of a burst. */
  static final long LINGER_MILLIS = 2;

  private final Vertx vertx;
  private final Deque<ParkedLease> parked;
  private final int max;
  private final List<Envelope> leased;
  private final List<Future<?>> deadLetters;
  private final Runnable take;
  private final Promise<Void> done = Promise.promise();
  private long timer;
  private boolean lingering;

  /**
   * Parks in {@code parked} (the channel's waiting leases).
   *
   * @param take leases what waits now into {@code leased} (dead-lettering into {@code deadLetters})
   */
  ParkedLease(Vertx vertx, Deque<ParkedLease> parked, int max, List<Envelope> leased, List<Future<?>> deadLetters,
      Runnable take) {
    this.vertx = vertx;
    this.parked = parked;
    this.max = max;
    this.leased = leased;
    this.deadLetters = deadLetters;
    this.take = take;
    this.timer = vertx.setTimer(WAIT_MILLIS, id -> complete());
    parked.add(this);
  }

  /** Completes when the lease answers (its envelopes are in the list it was given). */
  Future<Void> answered() {
    return done.future();
  }

  /** Messages were pushed: takes what waits; answers when full, else lingers (once) for more. */
  void feed() {
    take.run();
    if (leased.size() >= max) {
      complete();
    } else if (!lingering && (!leased.isEmpty() || !deadLetters.isEmpty())) {
      lingering = true;
      vertx.cancelTimer(timer);
      timer = vertx.setTimer(LINGER_MILLIS, id -> {
        take.run();
        complete();
      });
    }
  }

  private void complete() {
    vertx.cancelTimer(timer);
    parked.remove(this);
    done.tryComplete();
  }

  /** Answers now with what it has (the buffer closes). */
  void abandon() {
    vertx.cancelTimer(timer);
    done.tryComplete();
  }
}
