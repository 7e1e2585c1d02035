package io.cwm.admin;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.http.TokenHeader;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Python's config admin API (webhooks-json spec §11): {@code POST /admin/reload-config} and
 * {@code GET /admin/config-status}, behind {@code CONFIG_RELOAD_ADMIN_TOKEN} with Python's
 * messages. The reload itself is {@link Reloads}' (the composition root's reloader): this class
 * only parses, authenticates and answers.
 */
public final class ConfigRoutes implements Routes {
  static final String DISABLED = "Admin API disabled. Set CONFIG_RELOAD_ADMIN_TOKEN environment variable.";

  /** What the routes ask of the process. */
  public interface Reloads {
    /**
     * Reads, validates and (unless {@code validateOnly}) puts in force the config; the answer's
     * status and body as Python gives them.
     */
    Future<Answer> reload(boolean webhooks, boolean connections, boolean validateOnly, String trigger);

    /** {@code GET /admin/config-status}'s body. */
    JsonObject status();
  }

  /** An HTTP status and a JSON body. */
  public record Answer(int status, JsonObject body) {}

  private final String token;
  private final Reloads reloads;

  /**
   * @param token {@code CONFIG_RELOAD_ADMIN_TOKEN}; null or blank: the two routes answer 403
   * @param reloads null when this process has no reloader (503 "ConfigManager not initialized")
   */
  public ConfigRoutes(String token, Reloads reloads) {
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.reloads = reloads;
  }

  @Override
  public void mount(Router router, Edge edge) {
    router.post("/admin/reload-config").handler(this::guard).handler(edge.smallBody()).handler(this::reload);
    router.get("/admin/config-status").handler(this::guard).handler(this::status);
  }

  private void guard(RoutingContext context) {
    CwmException refused = reloads == null
        ? new CwmException(FailureCode.UNAVAILABLE, "ConfigManager not initialized") : refusal(context);
    if (refused != null) {
      context.fail(refused);
      return;
    }
    context.next();
  }

  /** Python's order and texts: disabled (403), header missing, malformed, token wrong (401). */
  private CwmException refusal(RoutingContext context) {
    if (token == null) {
      return new CwmException(FailureCode.FORBIDDEN, DISABLED);
    }
    return TokenHeader.refusal(token, context.request().getHeader(HttpHeaders.AUTHORIZATION));
  }

  private void reload(RoutingContext context) {
    Buffer body = context.body().buffer();
    JsonObject request;
    try {
      request = body == null || body.length() == 0 || body.toString().isBlank() ? new JsonObject()
          : new JsonObject(body);
    } catch (DecodeException | ClassCastException malformed) {
      context.fail(CwmException.badRequest("Invalid JSON body"));
      return;
    }
    Boolean webhooks = flag(request, "reload_webhooks", true);
    Boolean connections = flag(request, "reload_connections", true);
    Boolean validateOnly = flag(request, "validate_only", false);
    if (webhooks == null || connections == null || validateOnly == null) {
      context.fail(CwmException.badRequest(
          "reload_webhooks, reload_connections and validate_only must be booleans"));
      return;
    }
    reloads.reload(webhooks, connections, validateOnly, "admin API").onComplete(done -> {
      if (done.failed()) {
        context.fail(done.cause());
        return;
      }
      json(context, done.result().status(), done.result().body());
    });
  }

  private void status(RoutingContext context) {
    json(context, 200, reloads.status());
  }

  /** The flag's value, its default when absent or null, null when it is not a boolean. */
  private static Boolean flag(JsonObject request, String name, boolean fallback) {
    Object value = request.getValue(name);
    if (value == null) {
      return fallback;
    }
    return value instanceof Boolean bool ? bool : null;
  }

  private static void json(RoutingContext context, int status, JsonObject body) {
    context.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }
}
