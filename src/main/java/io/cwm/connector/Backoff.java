package io.cwm.connector;

import java.util.function.DoubleSupplier;

/**
 * Reconnect back-off (spec §8.8): waits {@code delay + random(0, 0.3 × delay)}, then
 * {@code delay = min(delay × multiplier, max)}; starts at the initial delay. The connector resets
 * it only after a connection proved stable (Python resets on every handshake, so an
 * accept-then-close receiver is retried every second forever).
 */
final class Backoff {
  private final double initialSeconds;
  private final double maxSeconds;
  private final double multiplier;
  private final DoubleSupplier random;
  private double delaySeconds;

  Backoff(double initialSeconds, double maxSeconds, double multiplier, DoubleSupplier random) {
    this.initialSeconds = initialSeconds;
    this.maxSeconds = maxSeconds;
    this.multiplier = multiplier;
    this.random = random;
    this.delaySeconds = initialSeconds;
  }

  /** The wait before the next attempt, in milliseconds; grows the delay for the one after. */
  long next() {
    double wait = delaySeconds + random.getAsDouble() * 0.3 * delaySeconds;
    delaySeconds = Math.min(delaySeconds * multiplier, maxSeconds);
    return Math.max(1, Math.round(wait * 1000));
  }

  void reset() {
    delaySeconds = initialSeconds;
  }
}
