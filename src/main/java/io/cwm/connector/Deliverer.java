package io.cwm.connector;

import io.vertx.core.Future;

/**
 * Delivers a message locally: HTTP mode ({@code HttpDeliverer}) or module
 * mode. Never fails its future: every failure is an {@link Outcome}.
 */
public interface Deliverer {
  Future<Outcome> deliver(Delivery delivery);

  /**
   * Issue 16: delivers the probe of an open circuit: one attempt, no retries within it (its
   * failure waits for the next probe). By default a plain delivery.
   */
  default Future<Outcome> probe(Delivery delivery) {
    return deliver(delivery);
  }

  /** Releases clients and pools. */
  Future<Void> close();
}
