package io.cwm.http;

import io.cwm.config.EdgeSettings;
import io.vertx.core.Vertx;

/**
 * What the routes of one listener instance share: its Vert.x, its connection deadlines and its
 * body readers (every body of the process draws on one {@link BodyBudget}).
 *
 * @param webhookBody reads webhook bodies (10 MiB)
 * @param smallBody reads the small JSON bodies of acks and admin calls (64 KiB)
 */
public record Edge(Vertx vertx, ConnectionGuard guard, BoundedBody webhookBody, BoundedBody smallBody) {

  static Edge create(Vertx vertx, ConnectionGuard guard, BodyBudget budget) {
    return new Edge(vertx, guard, new BoundedBody(EdgeSettings.MAX_WEBHOOK_BODY, budget, guard),
        new BoundedBody(EdgeSettings.MAX_SMALL_BODY, budget, guard));
  }
}
