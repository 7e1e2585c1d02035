package io.cwm.retry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A capped exponential back-off: the delay before retry {@code attempt} (counted from 0) is
 * {@code min(initial × multiplier^attempt, cap)}, plus, with jitter, a random extra of up to
 * {@code jitter × that delay} (so a jittered delay may exceed the cap by that fraction).
 *
 * <p>An immutable value: callers keep their own attempt counts and read their settings into a
 * curve; what a delay of 0 means (retry at once, or wait a minimum) is theirs to decide.
 *
 * @param initialMillis delay before the first retry, ≥ 0
 * @param multiplier growth per attempt, &gt; 0 (below 1 the delays shrink)
 * @param capMillis longest delay before jitter, ≥ 0
 * @param jitter extra random fraction on top, 0 (none) to 1
 */
public record RetryCurve(double initialMillis, double multiplier, double capMillis, double jitter) {

  public RetryCurve {
    if (!(initialMillis >= 0) || !(capMillis >= 0) || !(multiplier > 0) || !(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("invalid retry curve: initial " + initialMillis + " ms, multiplier "
          + multiplier + ", cap " + capMillis + " ms, jitter " + jitter);
    }
  }

  /** A curve without jitter, in milliseconds. */
  public static RetryCurve ofMillis(double initialMillis, double multiplier, double capMillis) {
    return new RetryCurve(initialMillis, multiplier, capMillis, 0);
  }

  /** A curve without jitter, in seconds (as the config files give them). */
  public static RetryCurve ofSeconds(double initialSeconds, double multiplier, double capSeconds) {
    return new RetryCurve(initialSeconds * 1000, multiplier, capSeconds * 1000, 0);
  }

  /** The same curve with up to {@code fraction} of each delay added at random. */
  public RetryCurve withJitter(double fraction) {
    return new RetryCurve(initialMillis, multiplier, capMillis, fraction);
  }

  /** The delay before retry {@code attempt} (from 0; a negative one counts as 0), jitter drawn at random. */
  public long delayMillis(int attempt) {
    return delayMillis(attempt, jitter > 0 ? ThreadLocalRandom.current().nextDouble() : 0);
  }

  /**
   * The delay before retry {@code attempt}, with {@code random} (0 to 1) choosing where in the
   * jitter band it falls: 0 is the plain curve, 1 the most jitter adds.
   */
  public long delayMillis(int attempt, double random) {
    double delay = Math.min(initialMillis * Math.pow(multiplier, Math.max(0, attempt)), capMillis);
    return Math.round(delay + delay * jitter * random);
  }
}
