package io.cwm.ingest;

import io.cwm.admin.AdminRoutes;
import io.cwm.app.AppContext;
import io.cwm.buffer.BufferClient;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.List;
import io.cwm.chain.Dispatcher;
import io.cwm.stream.edge.ConnectRoutes;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ErrorResponses;
import io.cwm.config.EdgeSettings;
import io.cwm.config.ReceiverSettings;
import io.cwm.metrics.CwmMetrics;
import io.cwm.metrics.MetricsAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import io.cwm.http.ConnectionGuard;
import io.cwm.http.BoundedBody;
import io.cwm.http.ClientIp;
import io.cwm.http.SecurityHeaders;

/**
 * The receiver's HTTP surface on the public port: {@code /webhook/...}, {@code /},
 * {@code /health}, {@code /stats}, {@code /metrics}, plus the JSON error shape for 404/405/413 and
 * the hardening headers on every response.
 */
public final class ReceiverRoutes {
  public static final long MAX_BODY_BYTES = EdgeSettings.MAX_WEBHOOK_BODY;

  private ReceiverRoutes() {}

  /**
   * @param guard the deadlines of the server this router serves; body readers report to it
   */
  public static Router create(Vertx vertx, AppContext app, Dispatcher dispatcher, ConnectionGuard guard) {
    ReceiverSettings settings = app.settings();
    Router router = Router.router(vertx);
    router.route().handler(new SecurityHeaders(settings));
    if (!settings.corsAllowedOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(settings.corsAllowedOrigins())
          .allowCredentials(true)
          .allowedMethods(Set.of(HttpMethod.POST, HttpMethod.GET, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Content-Type", "Authorization", "X-Requested-With",
              "X-HMAC-Signature", "X-HMAC-Signature-256", "X-Hub-Signature", "X-Hub-Signature-256",
              "X-API-Key", "X-Auth-Token", "X-Recaptcha-Token", "X-Forwarded-For", "X-Real-IP"))
          .maxAgeSeconds(600));
    }
    BoundedBody body = new BoundedBody(MAX_BODY_BYTES, app.bodyBudget(), guard);
    BoundedBody smallBody = new BoundedBody(EdgeSettings.MAX_SMALL_BODY, app.bodyBudget(), guard);
    WebhookHandler webhooks = new WebhookHandler(app, dispatcher, new BufferClient(vertx));
    CountAnswers counted = new CountAnswers(app.metrics());
    for (String path : List.of("/webhook/:id", "/webhook/:namespace/:id")) {
      router.post(path).handler(counted).handler(webhooks).handler(body).handler(webhooks.afterBody());
    }
    ConnectRoutes.mount(vertx, router, app, smallBody);
    if (app.adminPort() == null) {
      AdminRoutes.mount(vertx, router, app, smallBody);
    }
    router.get("/").handler(context -> root(context, app));
    BufferClient buffer = new BufferClient(vertx);
    router.get("/health").handler(context -> health(context, app, buffer));
    router.get("/ready").handler(context -> ready(context, app, buffer));
    router.get("/stats").handler(context -> stats(context, app));
    router.get("/metrics").handler(metrics(app, buffer, false));

    ErrorResponses.install(router, guard);
    return router;
  }

  private static void root(RoutingContext context, AppContext app) {
    String client = ClientIp.resolve(context.request(), app.settings().trustedProxyIps());
    if (!app.rootLimiter().allow(client)) {
      context.fail(rateLimited(app.rootLimiter()));
      return;
    }
    json(context, 200, new JsonObject().put("message", "200 OK"));
  }

  /** Liveness: 200 while the process serves HTTP; the buffer's state is shown, never a 503 (spec). */
  private static void health(RoutingContext context, AppContext app, BufferClient buffer) {
    app.readiness().bufferUp(buffer).onComplete(up -> {
      String connect = !app.readiness().bufferNeeded() ? "not_configured"
          : up.succeeded() && up.result() ? "healthy" : "unavailable";
      JsonObject components = new JsonObject()
          .put("config_manager", "healthy")
          .put("config_backend", "file")
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
  private static void ready(RoutingContext context, AppContext app, BufferClient buffer) {
    app.readiness().bufferUp(buffer).onComplete(up -> {
      boolean ready = up.succeeded() && up.result();
      json(context, ready ? 200 : FailureCode.UNAVAILABLE.httpStatus(), new JsonObject()
          .put("status", ready ? "ready" : "not_ready")
          .put("buffer", !app.readiness().bufferNeeded() ? "not_configured" : ready ? "up" : "unreachable"));
    });
  }

  /**
   * Counts every answer of the webhook path, also 404 and the 413 sent while the body streams. A
   * platform handler: it must run before the body handler of the same route.
   */
  private static final class CountAnswers implements PlatformHandler {
    private final CwmMetrics metrics;

    CountAnswers(CwmMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext context) {
      String id = context.pathParam("id");
      context.addHeadersEndHandler(ended -> metrics.webhookReceived(id, context.response().getStatusCode()));
      context.next();
    }
  }

  /**
   * Prometheus text, behind {@link MetricsAccess} and the IP allow-list of /stats (no rate limit:
   * scrapers poll). Rendering runs on a worker: with many series it takes milliseconds.
   *
   * @param adminPort whether this handler serves the admin port (see {@link MetricsAccess#openOn})
   */
  public static Handler<RoutingContext> metrics(AppContext app, BufferClient buffer, boolean adminPort) {
    return context -> {
      CwmException refused = app.metricsAccess().check(context.request().getHeader(HttpHeaders.AUTHORIZATION),
          adminPort);
      if (refused == null) {
        refused = ipRefusal(context, app.settings());
      }
      if (refused != null) {
        context.fail(refused);
        return;
      }
      // channel gauges are read from the buffer at scrape time: fresh, and no polling when nobody scrapes
      List<Future<?>> reads = new ArrayList<>();
      for (ChannelSpec channel : app.config().channels().values()) {
        reads.add(buffer.stats(channel).onSuccess(app.metrics()::channelStats));
      }
      Future.join(reads).transform(read -> context.vertx().executeBlocking(app.metrics()::scrape, false))
          .onComplete(scraped -> {
            if (scraped.succeeded()) {
              context.response().putHeader(HttpHeaders.CONTENT_TYPE, CwmMetrics.CONTENT_TYPE).end(scraped.result());
            } else {
              context.fail(scraped.cause());
            }
          });
    };
  }

  private static void stats(RoutingContext context, AppContext app) {
    ReceiverSettings settings = app.settings();
    CwmException refused = statsRefusal(context, settings);
    if (refused == null && !app.statsLimiter().allow(ClientIp.resolve(context.request(), settings.trustedProxyIps()))) {
      refused = rateLimited(app.statsLimiter());
    }
    if (refused != null) {
      context.fail(refused);
      return;
    }
    JsonObject stats = app.stats().snapshot();
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
      String header = request.getHeader(HttpHeaders.AUTHORIZATION);
      if (header == null) {
        return CwmException.unauthorized("Authentication required");
      }
      if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0 || header.indexOf('\0') >= 0) {
        return CwmException.unauthorized("Invalid authentication header");
      }
      String token = header.startsWith("Bearer ") ? header.substring(7).trim() : header.trim();
      if (!io.cwm.validate.ConstantTime.equals(settings.statsAuthToken(), token)) {
        return CwmException.unauthorized("Invalid authentication token");
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
