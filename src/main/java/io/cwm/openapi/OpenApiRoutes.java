package io.cwm.openapi;

import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.webhook.ConfigSnapshot;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The API's own description (issue 18): {@code GET /openapi.json}, an OpenAPI 3.1 document of the
 * receiver, streaming, admin, config and console APIs, and {@code GET /docs} (and {@code /redoc},
 * for links made to the Python version) the same document as a server-rendered page. The document
 * is a maintained resource in the jar ({@value #DOCUMENT}), not generated from the routers, so it
 * can say what each route answers; {@code OpenApiCoverageTest} keeps it and the routers equal.
 *
 * <p>Mounted on the public listener only, as Python serves it on its one port: connector authors
 * read the streaming API there. The admin port, when {@code --admin-port} sets one, stays limited
 * to the admin API, the console and {@code /metrics}; the document still describes those routes
 * and says where they are served.
 *
 * <p>{@code DISABLE_OPENAPI_DOCS=true} mounts nothing (the paths are then unknown, 404). With the
 * console off ({@code CWM_CONSOLE=false}) its operations are left out of the document.
 * {@code ROOT_PATH} (a reverse proxy's prefix) becomes the document's one server. The ids of the
 * configured webhooks, read at serve time so a reload shows, are examples of the {@code {id}}
 * parameter (the first {@value #MAX_EXAMPLES}), as in Python, unless {@code STATS_SANITIZE_IDS=true}
 * says the ids are not to be shown; no other part of the config (and so no secret) reaches either
 * response.
 */
public final class OpenApiRoutes implements Routes {
  static final String DOCUMENT = "io/cwm/openapi/openapi.json";
  static final String JSON_PATH = "/openapi.json";
  static final List<String> PAGE_PATHS = List.of("/docs", "/redoc");
  static final String CONSOLE_TAG = "console";
  /** Ids shown as examples at most: a config of thousands of webhooks keeps the document small. */
  static final int MAX_EXAMPLES = 100;
  static final String JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  /**
   * What the document shows of this process.
   *
   * @param webhookIds the configured webhook ids now, or null to show none
   * @param rootPath the public prefix ({@code ROOT_PATH}), or null
   * @param console whether the console is on ({@code CWM_CONSOLE}); off, its operations are left out
   */
  public record Deps(Supplier<? extends Collection<String>> webhookIds, String rootPath, boolean console) {}

  private static final Routes NONE = (router, edge) -> { };

  private final Deps deps;
  private final JsonObject template;
  private volatile Rendered rendered;

  public OpenApiRoutes(Deps deps) {
    this.deps = deps;
    JsonObject document = withServer(load(), deps.rootPath());
    this.template = deps.console() ? document : withoutTag(document, CONSOLE_TAG);
  }

  /**
   * The docs routes as the environment asks: none with {@code DISABLE_OPENAPI_DOCS=true}.
   *
   * @param webhookIds the configured webhook ids, read on each request (a reload changes them)
   */
  public static Routes fromEnv(Env env, Supplier<? extends Collection<String>> webhookIds) {
    if (env.flag(EnvVars.DISABLE_OPENAPI_DOCS)) {
      return NONE;
    }
    return new OpenApiRoutes(new Deps(env.flag(EnvVars.STATS_SANITIZE_IDS) ? null : webhookIds,
        env.get(EnvVars.ROOT_PATH, null), !env.get(EnvVars.CWM_CONSOLE, "true").equalsIgnoreCase("false")));
  }

  @Override
  public void mount(Router router, Edge edge) {
    router.get(JSON_PATH).handler(this::document);
    PAGE_PATHS.forEach(path -> router.get(path).handler(this::page));
  }

  private void document(RoutingContext context) {
    context.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader("Content-Security-Policy", JSON_CSP)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(current().json());
  }

  private void page(RoutingContext context) {
    context.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", DocsPage.CSP)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(current().html());
  }

  /** The document and page for the webhook ids configured now; rebuilt only when they change. */
  private Rendered current() {
    Set<String> ids = exampleIds();
    Rendered now = rendered;
    if (now == null || !now.ids().equals(ids)) {
      JsonObject document = withExamples(template.copy(), ids);
      now = new Rendered(ids, document.toBuffer(), Buffer.buffer(DocsPage.render(document), "UTF-8"));
      rendered = now;
    }
    return now;
  }

  private Set<String> exampleIds() {
    Set<String> ids = new TreeSet<>();
    if (deps.webhookIds() != null) {
      Collection<String> configured = deps.webhookIds().get();
      if (configured != null) {
        configured.stream().filter(id -> !id.equals(ConfigSnapshot.DEFAULT_ID)).sorted().limit(MAX_EXAMPLES)
            .forEach(ids::add);
      }
    }
    return ids;
  }

  /** The configured ids as examples of every {@code id} path parameter. */
  static JsonObject withExamples(JsonObject document, Set<String> ids) {
    if (ids.isEmpty()) {
      return document;
    }
    JsonObject examples = new JsonObject();
    ids.forEach(id -> examples.put(id, new JsonObject().put("value", id)));
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonArray parameters = item.getJsonObject(method).getJsonArray("parameters", new JsonArray());
        for (Object parameter : parameters) {
          JsonObject described = (JsonObject) parameter;
          if ("id".equals(described.getString("name")) && "path".equals(described.getString("in"))) {
            described.put("examples", examples.copy());
          }
        }
      }
    }
    return document;
  }

  /** The document without the operations of {@code tag} (a part this process does not serve). */
  static JsonObject withoutTag(JsonObject document, String tag) {
    JsonObject paths = document.getJsonObject("paths");
    for (String path : Set.copyOf(paths.fieldNames())) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : Set.copyOf(item.fieldNames())) {
        if (item.getJsonObject(method).getJsonArray("tags", new JsonArray()).contains(tag)) {
          item.remove(method);
        }
      }
      if (item.isEmpty()) {
        paths.remove(path);
      }
    }
    JsonArray tags = document.getJsonArray("tags", new JsonArray());
    JsonArray kept = new JsonArray();
    for (int i = 0; i < tags.size(); i++) {
      if (!tag.equals(tags.getJsonObject(i).getString("name"))) {
        kept.add(tags.getJsonObject(i));
      }
    }
    return document.put("tags", kept);
  }

  static JsonObject withServer(JsonObject document, String rootPath) {
    if (rootPath != null && !rootPath.isBlank()) {
      String prefix = rootPath.trim();
      if (prefix.length() > 1 && prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
      document.put("servers", new JsonArray().add(new JsonObject().put("url", prefix)));
    }
    return document;
  }

  /** The document as packed in the jar, before this process's server and examples. */
  static JsonObject load() {
    try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DOCUMENT);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Rendered(Set<String> ids, Buffer json, Buffer html) {}
}
