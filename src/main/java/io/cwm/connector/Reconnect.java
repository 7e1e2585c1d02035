package io.cwm.connector;

import io.cwm.retry.RetryCurve;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * When the connector tries to connect again (spec §8.8). After a failed attempt or an ended
 * connection it waits the next delay of the reconnect curve ({@code reconnect_delay} ×
 * {@code reconnect_backoff_multiplier} per attempt, up to {@code max_reconnect_delay}) plus up to
 * {@link #JITTER} of it at random, so connectors restarted together do not reconnect in step.
 *
 * <p>The curve starts over only once a connection proved itself: it stayed up
 * {@link #STABLE_MILLIS}, or delivered a message. A receiver that accepts and closes at once is
 * retried ever more slowly, not every second.
 */
final class Reconnect {
  /** A connection that stayed up this long resets the curve. */
  static final long STABLE_MILLIS = 30_000;
  /** Up to this fraction of each delay is added at random. */
  static final double JITTER = 0.3;

  private final RetryCurve curve;
  private final LongSupplier clock;
  private final DoubleSupplier random;
  private int attempt;
  /** When the current connection was established; 0 while not connected. */
  private long connectedAt;

  /**
   * @param clock milliseconds, for the stable-connection rule
   * @param random 0 to 1, where in the jitter band each delay falls
   */
  Reconnect(double initialSeconds, double maxSeconds, double multiplier, LongSupplier clock, DoubleSupplier random) {
    this.curve = RetryCurve.ofSeconds(initialSeconds, multiplier, maxSeconds).withJitter(JITTER);
    this.clock = clock;
    this.random = random;
  }

  /** The reconnect curve, jitter included (the long-poll link spaces its polls with it too). */
  RetryCurve curve() {
    return curve;
  }

  /** A connection was established. */
  void connected() {
    connectedAt = clock.getAsLong();
  }

  boolean isConnected() {
    return connectedAt > 0;
  }

  /** A message was delivered: the connection works, the curve starts over. */
  void delivered() {
    if (isConnected()) {
      attempt = 0;
    }
  }

  /** The connection ended (or was never established); one that was stable resets the curve. */
  void ended() {
    if (isConnected() && clock.getAsLong() - connectedAt >= STABLE_MILLIS) {
      attempt = 0;
    }
    connectedAt = 0;
  }

  /** The wait before the next attempt, in milliseconds (at least 1); the one after is longer. */
  long nextDelayMillis() {
    long wait = Math.max(1, curve.delayMillis(attempt, random.getAsDouble()));
    if (attempt < Integer.MAX_VALUE) {
      attempt++;
    }
    return wait;
  }
}
