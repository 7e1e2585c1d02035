package io.cwm.admin;

import io.cwm.buffer.Readiness;
import io.cwm.config.ChannelSpec;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.stream.TokenGuard;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * The Webhook Connect admin API (spec §6) under {@code /admin/webhook-connect}, plus the seed
 * page's {@code POST /admin/channels/{channel}/rotate-token} alias and the Java-only dead-letter
 * replay and delete. Authentication comes first (before 404s); then at most
 * {@code MAX_CONCURRENT} (32) admin requests run at once per process (429 beyond), so a flood of
 * admin calls cannot starve webhook ingest.
 *
 * <p>Stats and dead letters are cluster-wide (they live in the buffer backend); connected
 * clients, connection counts and disconnects concern this receiver's own sessions.
 * Every change (rotation, disconnect, replay, delete) is written to the {@code cwm.audit} log.
 */
public final class AdminRoutes implements Routes {
  static final String PREFIX = AdminHandlers.PREFIX;

  /**
   * What the admin API reads.
   *
   * @param tokens this process's view of the channel tokens kept in the buffer
   * @param startedAt when this process started (epoch millis): the {@code created_at} of channels
   */
  public record Deps(Map<String, ChannelSpec> channels, TokenGuard tokens, AdminAuth auth, Readiness readiness,
      Clock clock, Set<String> trustedProxies, long startedAt) {}

  private final Deps deps;

  public AdminRoutes(Deps deps) {
    this.deps = deps;
  }

  /** Adds the admin API to {@code router} (the public one, or the admin port's). */
  @Override
  public void mount(Router router, Edge edge) {
    AdminHandlers routes = new AdminHandlers(deps, edge.vertx());
    Handler<RoutingContext> body = edge.smallBody();
    router.get(PREFIX + "/health").handler(routes::health);
    router.route(PREFIX + "/*").handler(routes::authenticate);
    router.route("/admin/channels/*").handler(routes::authenticate);
    router.get(PREFIX + "/channels").handler(routes::channels);
    router.get(PREFIX + "/overview").handler(routes::overview);
    router.get(PREFIX + "/channels/:channel").handler(routes::channel);
    router.get(PREFIX + "/channels/:channel/stats").handler(routes::stats);
    router.get(PREFIX + "/channels/:channel/webhook-stats").handler(routes::webhookStats);
    router.post(PREFIX + "/channels/:channel/rotate-token").handler(body).handler(routes::rotate);
    router.post("/admin/channels/:channel/rotate-token").handler(body).handler(routes::rotate);
    router.delete(PREFIX + "/channels/:channel/connections/:connection").handler(routes::disconnect);
    router.get(PREFIX + "/channels/:channel/dead-letters").handler(routes::deadLetters);
    router.post(PREFIX + "/channels/:channel/dead-letters/replay").handler(body).handler(routes::replay);
    router.delete(PREFIX + "/channels/:channel/dead-letters/:message").handler(routes::deleteDeadLetter);
  }

}
