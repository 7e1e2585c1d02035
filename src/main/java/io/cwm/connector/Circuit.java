package io.cwm.connector;

import io.cwm.retry.RetryCurve;
import java.util.function.LongSupplier;

/**
 * The circuit breaker of one target, as plain logic on a clock (issue 16, point 4). CLOSED:
 * deliveries run; {@code failure_threshold} retryable failures in a row open it. OPEN: nothing is
 * delivered to the target until the next probe is due ({@link #probeDue}); then one message is let
 * through ({@link #startProbe}, state PROBING). The probe's success closes the circuit; its failure
 * opens it again with the next, longer wait of the probe curve (1 s doubling to 60 s by default).
 *
 * <p>Why not {@code io.vertx:vertx-circuit-breaker}: its breaker wraps a call and fails the calls
 * made while it is open (its fallback runs at once), so messages would still have to be taken and
 * handed back one by one; its half-open state lets the next call through after a fixed
 * {@code resetTimeout}, not after a growing wait, and its failure count is a rolling window, not
 * "in a row". What we need is a gate in front of a queue (messages wait, untouched, in the
 * receiver's buffer) and one probe at a capped back-off: this class, on {@link RetryCurve}, with a
 * clock that tests can drive.
 *
 * <p>Not thread-safe: used on the connector's event loop.
 */
public final class Circuit {
  public enum State { CLOSED, OPEN, PROBING }

  private final String target;
  private final CircuitSettings settings;
  private final RetryCurve probes;
  private final LongSupplier clock;
  private State state = State.CLOSED;
  private int failuresInARow;
  /** Failed probes since the circuit opened: the step of the probe curve for the next wait. */
  private int failedProbes;
  private long openedAt;
  private long nextProbeAt;
  private long probesSent;
  private long timesOpened;

  /** @param target the target's name in connector.json ({@code default_target}, {@code targets.<id>}) */
  public Circuit(String target, CircuitSettings settings, LongSupplier clock) {
    this.target = target;
    this.settings = settings;
    this.probes = settings.curve();
    this.clock = clock;
  }

  public String target() {
    return target;
  }

  public State state() {
    return state;
  }

  /** Whether a delivery to this target may start now without being a probe (the circuit is closed). */
  public boolean allows() {
    return state == State.CLOSED;
  }

  /** Open, and the wait before the next probe is over. */
  public boolean probeDue() {
    return state == State.OPEN && clock.getAsLong() >= nextProbeAt;
  }

  /** When the next probe is due (epoch ms), or -1 when the circuit is not waiting for one. */
  public long nextProbeAt() {
    return state == State.OPEN ? nextProbeAt : -1;
  }

  /** When the circuit opened (epoch ms; it stays the same while probes fail), or -1 when closed. */
  public long openedAt() {
    return state == State.CLOSED ? -1 : openedAt;
  }

  public long probesSent() {
    return probesSent;
  }

  public long timesOpened() {
    return timesOpened;
  }

  public int failuresInARow() {
    return failuresInARow;
  }

  /** One message goes to the target as the probe: the circuit waits for its result. Only when {@link #probeDue}. */
  public void startProbe() {
    if (state != State.OPEN) {
      throw new IllegalStateException("no probe is due: the circuit is " + state);
    }
    state = State.PROBING;
    probesSent++;
  }

  /**
   * A delivery to the target succeeded (or the target answered for good, e.g. a 4xx): it is up.
   * That closes an open circuit: the probe's success, or a delivery that started before the circuit
   * opened and got through after all.
   *
   * @return true when this closed an open circuit
   */
  public boolean succeeded() {
    failuresInARow = 0;
    if (state != State.CLOSED) {
      state = State.CLOSED;
      failedProbes = 0;
      return true;
    }
    return false;
  }

  /**
   * A delivery to the target failed with a retryable failure.
   *
   * @return true when this opened the circuit (the threshold was reached); false when it was
   *     already open (a failed probe, or a delivery that started before it opened) or stays closed
   */
  public boolean failed() {
    failuresInARow++;
    long now = clock.getAsLong();
    switch (state) {
      case CLOSED -> {
        if (failuresInARow >= settings.failureThreshold()) {
          state = State.OPEN;
          openedAt = now;
          failedProbes = 0;
          nextProbeAt = now + probes.delayMillis(0);
          timesOpened++;
          return true;
        }
        return false;
      }
      case PROBING -> {
        failedProbes++;
        state = State.OPEN;
        nextProbeAt = now + probes.delayMillis(failedProbes);
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * A probe that ended with no verdict about the target (the connection to the receiver broke,
   * the connector stops): the circuit waits for the next probe without lengthening the wait.
   */
  public void probeAbandoned() {
    if (state == State.PROBING) {
      state = State.OPEN;
      nextProbeAt = clock.getAsLong() + probes.delayMillis(failedProbes);
    }
  }

  @Override
  public String toString() {
    return target + ": " + state;
  }
}
