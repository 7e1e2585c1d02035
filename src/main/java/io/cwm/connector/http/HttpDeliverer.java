package io.cwm.connector.http;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Deliverer;
import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Placeholder until the HTTP-mode deliverer lands. */
public final class HttpDeliverer implements Deliverer {
  public HttpDeliverer(Vertx vertx, ConnectorConfig config) {}

  @Override
  public Future<Outcome> deliver(Delivery delivery) {
    return Future.succeededFuture(Outcome.retry("not implemented", 1000));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
