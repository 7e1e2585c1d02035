package io.cwm.ingest;

import io.cwm.admin.AdminRoutes;
import io.cwm.app.AppContext;
import io.cwm.buffer.BufferClient;
import io.cwm.chain.Dispatcher;
import io.cwm.connect.ConnectRoutes;
import io.cwm.error.ErrorResponses;
import io.cwm.config.ReceiverSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The receiver's HTTP surface on the public port: {@code /webhook/...}, {@code /},
 * {@code /health}, {@code /stats}, plus the JSON error shape for 404/405/413 and the hardening
 * headers on every response.
 */
public final class ReceiverRoutes {
  public static final long MAX_BODY_BYTES = 10L * 1024 * 1024;

  private ReceiverRoutes() {}

  public static Router create(Vertx vertx, AppContext app, Dispatcher dispatcher) {
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
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false);
    WebhookHandler webhooks = new WebhookHandler(app, dispatcher, new BufferClient(vertx));
    router.post("/webhook/:id").handler(body).handler(webhooks);
    router.post("/webhook/:namespace/:id").handler(body).handler(webhooks);
    ConnectRoutes.mount(vertx, router, app);
    if (app.adminPort() == null) {
      AdminRoutes.mount(vertx, router, app);
    }
    router.get("/").handler(context -> root(context, app));
    BufferClient buffer = new BufferClient(vertx);
    router.get("/health").handler(context -> health(context, app, buffer));
    router.get("/ready").handler(context -> ready(context, app, buffer));
    router.get("/stats").handler(context -> stats(context, app));

    router.errorHandler(404, context -> ErrorResponses.sendDetail(context.response(), 404, "Not Found"));
    router.errorHandler(405, context -> ErrorResponses.sendDetail(context.response(), 405, "Method Not Allowed"));
    router.errorHandler(413, ReceiverRoutes::tooLarge);
    router.errorHandler(400, context -> ErrorResponses.sendDetail(context.response(), 400, "Bad Request"));
    router.errorHandler(500, context -> ErrorResponses.send(context.response(),
        context.failure() == null ? new IllegalStateException() : context.failure()));
    return router;
  }

  private static void tooLarge(RoutingContext context) {
    String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    String size = length != null ? length : "more than " + MAX_BODY_BYTES;
    context.response().putHeader(HttpHeaders.CONNECTION, "close");
    ErrorResponses.sendDetail(context.response(), 413,
        "Payload too large: " + size + " bytes (max: " + MAX_BODY_BYTES + ")");
  }

  private static void root(RoutingContext context, AppContext app) {
    String client = ClientIp.resolve(context.request(), app.settings().trustedProxyIps());
    if (!app.rootLimiter().allow(client)) {
      context.response().putHeader(HttpHeaders.RETRY_AFTER, "60");
      ErrorResponses.sendDetail(context.response(), 429,
          "Rate limit exceeded. Limit: " + app.rootLimiter().limit() + " requests per minute");
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
      json(context, ready ? 200 : 503, new JsonObject()
          .put("status", ready ? "ready" : "not_ready")
          .put("buffer", !app.readiness().bufferNeeded() ? "not_configured" : ready ? "up" : "unreachable"));
    });
  }

  private static void stats(RoutingContext context, AppContext app) {
    HttpServerRequest request = context.request();
    ReceiverSettings settings = app.settings();
    if (settings.statsAuthToken() != null) {
      String header = request.getHeader(HttpHeaders.AUTHORIZATION);
      if (header == null) {
        ErrorResponses.sendDetail(context.response(), 401, "Authentication required");
        return;
      }
      if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0 || header.indexOf('\0') >= 0) {
        ErrorResponses.sendDetail(context.response(), 401, "Invalid authentication header");
        return;
      }
      String token = header.startsWith("Bearer ") ? header.substring(7).trim() : header.trim();
      if (!io.cwm.validate.ConstantTime.equals(settings.statsAuthToken(), token)) {
        ErrorResponses.sendDetail(context.response(), 401, "Invalid authentication token");
        return;
      }
    }
    String client = ClientIp.resolve(request, settings.trustedProxyIps());
    if (!settings.statsAllowedIps().isEmpty() && !settings.statsAllowedIps().contains(client)) {
      ErrorResponses.sendDetail(context.response(), 403, "Access denied from this IP address");
      return;
    }
    if (!app.statsLimiter().allow(client)) {
      context.response().putHeader(HttpHeaders.RETRY_AFTER, "60");
      ErrorResponses.sendDetail(context.response(), 429,
          "Rate limit exceeded. Limit: " + app.statsLimiter().limit() + " requests per minute");
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
