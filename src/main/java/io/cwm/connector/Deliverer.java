package io.cwm.connector;

import io.vertx.core.Future;

/**
 * Delivers a message locally: HTTP mode ({@code HttpDeliverer}) or module
 * mode. Never fails its future: every failure is an {@link Outcome}.
 */
public interface Deliverer {
  Future<Outcome> deliver(Delivery delivery);

  /** Releases clients and pools. */
  Future<Void> close();
}
