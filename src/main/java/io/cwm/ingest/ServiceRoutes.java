package io.cwm.ingest;

import io.cwm.buffer.BufferClient;
import io.cwm.buffer.Readiness;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ReceiverSettings;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.http.TokenHeader;
import io.cwm.metrics.CwmMetrics;
import io.cwm.metrics.MetricsAccess;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The receiver's service endpoints: {@code GET /} (rate limited), {@code /health} (liveness),
 * {@code /ready} (readiness), {@code /stats} and {@code /metrics}. On the admin port only
 * {@code /metrics} is mounted ({@link #metricsOnly}).
 */
public final class ServiceRoutes implements Routes {
  /**
   * What the service endpoints read.
   *
   * @param channels the relay channels (their gauges are read at scrape time)
   * @param configBackend the {@code config_backend} component of {@code /health}: {@code file}, or
   *     with etcd {@code healthy} / {@code disconnected}
   */
  public record Deps(ReceiverSettings settings, EndpointRateLimiter rootLimiter, EndpointRateLimiter statsLimiter,
      StatsRecorder stats, Readiness readiness, CwmMetrics metrics, MetricsAccess metricsAccess,
      Collection<ChannelSpec> channels, java.util.function.Supplier<String> configBackend) {
    public Deps(ReceiverSettings settings, EndpointRateLimiter rootLimiter, EndpointRateLimiter statsLimiter,
        StatsRecorder stats, Readiness readiness, CwmMetrics metrics, MetricsAccess metricsAccess,
        Collection<ChannelSpec> channels) {
      this(settings, rootLimiter, statsLimiter, stats, readiness, metrics, metricsAccess, channels, () -> "file");
    }
  }

  private final Deps deps;
  private final boolean adminPort;
  private final boolean metricsOnly;

  private ServiceRoutes(Deps deps, boolean adminPort, boolean metricsOnly) {
    this.deps = deps;
    this.adminPort = adminPort;
    this.metricsOnly = metricsOnly;
  }

  /** Every service endpoint, on the public listener. */
  public static ServiceRoutes all(Deps deps) {
    return new ServiceRoutes(deps, false, false);
  }

  /** {@code /metrics} alone, on the admin port (where {@code METRICS_AUTH=none} may open it). */
  public static ServiceRoutes metricsOnly(Deps deps) {
    return new ServiceRoutes(deps, true, true);
  }

  @Override
  public void mount(Router router, Edge edge) {
    BufferClient buffer = new BufferClient(edge.vertx());
    router.get("/metrics").handler(metrics(buffer));
    if (metricsOnly) {
      return;
    }
    router.get("/").handler(this::root);
    router.get("/health").handler(context -> health(context, buffer));
    router.get("/ready").handler(context -> ready(context, buffer));
    router.get("/stats").handler(this::stats);
  }

  private void root(RoutingContext context) {
    String client = ClientIp.resolve(context.request(), deps.settings().trustedProxyIps());
    if (!deps.rootLimiter().allow(client)) {
      context.fail(rateLimited(deps.rootLimiter()));
      return;
    }
    json(context, 200, new JsonObject().put("message", "200 OK"));
  }

  /** Liveness: 200 while the process serves HTTP; the buffer's state is shown, never a 503 (spec). */
  private void health(RoutingContext context, BufferClient buffer) {
    deps.readiness().bufferUp(buffer).onComplete(up -> {
      String connect = !deps.readiness().bufferNeeded() ? "not_configured"
          : up.succeeded() && up.result() ? "healthy" : "unavailable";
      JsonObject components = new JsonObject()
          .put("config_manager", "healthy")
          .put("config_backend", deps.configBackend().get())
          .put("webhook_connect", connect);
      json(context, 200, new JsonObject()
          .put("status", "healthy")
          .put("service", "webhook-service")
          .put("timestamp", java.math.BigDecimal.valueOf(System.currentTimeMillis(), 3))
          .put("components", components));
    });
  }

  /**
   * Readiness: 503 while the Webhook Connect buffer is unreachable, so a load balancer or
   * Kubernetes takes this receiver out of rotation instead of sending it webhooks it would
   * answer 503 to.
   */
  private void ready(RoutingContext context, BufferClient buffer) {
    deps.readiness().bufferUp(buffer).onComplete(up -> {
      boolean ready = up.succeeded() && up.result();
      json(context, ready ? 200 : FailureCode.UNAVAILABLE.httpStatus(), new JsonObject()
          .put("status", ready ? "ready" : "not_ready")
          .put("buffer", !deps.readiness().bufferNeeded() ? "not_configured" : ready ? "up" : "unreachable"));
    });
  }

  /**
   * Prometheus text, behind {@link MetricsAccess} and the IP allow-list of /stats (no rate limit:
   * scrapers poll). Rendering runs on a worker: with many series it takes milliseconds.

   */
  private Handler<RoutingContext> metrics(BufferClient buffer) {
    return context -> {
      CwmException refused = deps.metricsAccess().check(context.request().getHeader(HttpHeaders.AUTHORIZATION),
          adminPort);
      if (refused == null) {
        refused = ipRefusal(context, deps.settings());
      }
      if (refused != null) {
        context.fail(refused);
        return;
      }
      // channel gauges are read from the buffer at scrape time: fresh, and no polling when nobody scrapes
      List<Future<?>> reads = new ArrayList<>();
      for (ChannelSpec channel : deps.channels()) {
        reads.add(buffer.stats(channel).onSuccess(deps.metrics()::channelStats));
      }
      Future.join(reads).transform(read -> context.vertx().executeBlocking(deps.metrics()::scrape, false))
          .onComplete(scraped -> {
            if (scraped.succeeded()) {
              context.response().putHeader(HttpHeaders.CONTENT_TYPE, CwmMetrics.CONTENT_TYPE).end(scraped.result());
            } else {
              context.fail(scraped.cause());
            }
          });
    };
  }

  private void stats(RoutingContext context) {
    ReceiverSettings settings = deps.settings();
    CwmException refused = statsRefusal(context, settings);
    if (refused == null && !deps.statsLimiter().allow(ClientIp.resolve(context.request(), settings.trustedProxyIps()))) {
      refused = rateLimited(deps.statsLimiter());
    }
    if (refused != null) {
      context.fail(refused);
      return;
    }
    JsonObject stats = deps.stats().snapshot();
    if (settings.statsSanitizeIds()) {
      JsonObject hidden = new JsonObject();
      stats.forEach(entry -> hidden.put("webhook_" + sha256(entry.getKey()).substring(0, 16), entry.getValue()));
      stats = hidden;
    }
    json(context, 200, stats);
  }

  /** STATS_AUTH_TOKEN and STATS_ALLOWED_IPS: the refusal (401/403), or null when allowed. */
  private static CwmException statsRefusal(RoutingContext context, ReceiverSettings settings) {
    HttpServerRequest request = context.request();
    if (settings.statsAuthToken() != null) {
      CwmException refused = TokenHeader.refusal(settings.statsAuthToken(), request.getHeader(HttpHeaders.AUTHORIZATION));
      if (refused != null) {
        return refused;
      }
    }
    return ipRefusal(context, settings);
  }

  /** STATS_ALLOWED_IPS: the 403, or null when the client may read. */
  private static CwmException ipRefusal(RoutingContext context, ReceiverSettings settings) {
    String client = ClientIp.resolve(context.request(), settings.trustedProxyIps());
    if (!settings.statsAllowedIps().isEmpty() && !settings.statsAllowedIps().contains(client)) {
      return new CwmException(FailureCode.FORBIDDEN, "Access denied from this IP address");
    }
    return null;
  }

  private static CwmException rateLimited(EndpointRateLimiter limiter) {
    return new CwmException(FailureCode.RATE_LIMITED,
        "Rate limit exceeded. Limit: " + limiter.limit() + " requests per minute", 60);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void json(RoutingContext context, int status, JsonObject body) {
    context.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }
}
