package io.cwm.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cwm.config.EdgeSettings;
import io.cwm.config.Env;
import io.cwm.http.BodyBudget;
import io.cwm.http.BoundedBody;
import io.cwm.http.ConnectionGuard;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The document and the routers agree: every (method, path) the listeners mount is documented and
 * every documented operation is mounted. The routers are the real ones: a receiver is started and
 * its listeners' route lists are mounted on a fresh router, whose routes are then read.
 */
class OpenApiCoverageTest {
  static final String CONFIG = """
      {"plain": {"module": "log"},
       "relay": {"module": "webhook_connect", "module-config": {"channel": "c1", "channel_token": "tok-c1"}}}""";

  /**
   * Routes without a method (they run for every method) are filters, except the console's static
   * files; each is named here, so a new one makes this test fail until someone decides what it is.
   */
  static final Map<String, String> METHODLESS = Map.of(
      "", "",
      "/admin/webhook-connect/", "",
      "/admin/channels/", "",
      "/console", "",
      "/console/api/", "",
      "/console/", "GET /console/{file}");

  /** Regular-expression routes and the documented operation each is. */
  static final Map<String, String> REGEX = Map.of("^/console$", "GET /console");

  @Test
  void everyRouteOfThePublicListenerIsDocumentedAndEveryOperationMounted() throws Exception {
    try (TestServer server = TestServer.start(CONFIG, "{}", Map.of())) {
      Set<String> mounted = mounted(server.running().vertx(), server.running().app().ingest().routes());
      assertTrue(mounted.contains("GET /openapi.json") && mounted.contains("GET /docs"),
          "the docs routes are on the public listener: " + mounted);
      assertTrue(mounted.contains("GET /console/api/overview"), "the console is on by default");
      assertSameOperations(mounted, served(server));
      assertEquals(documented(OpenApiRoutes.load()), served(server), "the served document is the packed one");
    }
  }

  @Test
  void withTheConsoleOffTheDocumentLeavesItOut() throws Exception {
    try (TestServer server = TestServer.start(CONFIG, "{}", Map.of("CWM_CONSOLE", "false"))) {
      Set<String> mounted = mounted(server.running().vertx(), server.running().app().ingest().routes());
      assertFalse(mounted.stream().anyMatch(operation -> operation.contains(" /console")), mounted::toString);
      assertSameOperations(mounted, served(server));
    }
  }

  @Test
  void everyRouteOfTheAdminPortIsDocumented() throws Exception {
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "adm", "WEBHOOK_CONNECT_ADMIN_PORT", "0");
    try (TestServer server = TestServer.start(CONFIG, "{}", env)) {
      Vertx vertx = server.running().vertx();
      Set<String> adminPort = mounted(vertx, server.running().app().admin().routes());
      Set<String> publicPort = mounted(vertx, server.running().app().ingest().routes());
      Set<String> documented = documented(OpenApiRoutes.load());
      assertTrue(adminPort.contains("GET /admin/webhook-connect/channels"), adminPort::toString);
      assertEquals(Set.of(), difference(adminPort, documented), "mounted on the admin port but not in openapi.json");
      assertEquals(Set.of(), difference(publicPort, documented), "mounted but not in openapi.json");
      assertFalse(adminPort.contains("GET /openapi.json"), "the document is served on the public listener only");
    }
  }

  @Test
  void theCollectorSeesParametersWildcardsAndRegularExpressions() {
    Vertx vertx = Vertx.vertx();
    try {
      Routes sample = (router, edge) -> {
        router.route().handler(context -> context.next());
        router.post("/a/:first/b/:second").handler(context -> context.end());
        router.getWithRegex("^/console$").handler(context -> context.end());
        router.route("/console/*").handler(context -> context.end());
      };
      assertEquals(Set.of("POST /a/{first}/b/{second}", "GET /console", "GET /console/{file}"),
          mounted(vertx, List.of(sample)));
      Routes unknown = (router, edge) -> router.route("/elsewhere/*").handler(context -> context.end());
      try {
        mounted(vertx, List.of(unknown));
        fail("an unknown route without a method must be decided on");
      } catch (AssertionError expected) {
        assertTrue(expected.getMessage().contains("/elsewhere/"), expected::getMessage);
      }
    } finally {
      vertx.close();
    }
  }

  private static void assertSameOperations(Set<String> mounted, Set<String> documented) {
    assertEquals(Set.of(), difference(mounted, documented), "mounted but not in openapi.json");
    Set<String> unmounted = difference(documented, mounted);
    assertEquals(Set.of(), unmounted, "in openapi.json but not mounted");
  }

  /** The operations of the document the receiver serves at /openapi.json. */
  private static Set<String> served(TestServer server) throws Exception {
    HttpResponse<String> response = Http.get(server.port(), "/openapi.json");
    assertEquals(200, response.statusCode());
    return documented(new JsonObject(response.body()));
  }

  /** "METHOD /path/{param}" of every operation the routes mount, as a listener would mount them. */
  static Set<String> mounted(Vertx vertx, List<Routes> routes) {
    BodyBudget budget = new BodyBudget(BodyBudget.SMALL_BODY * 4);
    ConnectionGuard guard = new ConnectionGuard(vertx, EdgeSettings.fromEnv(Env.of(Map.of()), 0));
    Edge edge = new Edge(vertx, guard, new BoundedBody(BodyBudget.SMALL_BODY, budget, guard),
        new BoundedBody(BodyBudget.SMALL_BODY, budget, guard));
    Router router = Router.router(vertx);
    routes.forEach(area -> area.mount(router, edge));
    Set<String> operations = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (route.getPath() == null && route.isRegexPath()) {
        String operation = REGEX.get(route.getName());
        if (operation == null) {
          fail("a regular-expression route this test does not know: " + route.getName());
        }
        operations.add(operation);
      } else if (methods == null || methods.isEmpty()) {
        String path = route.getPath() == null ? "" : route.getPath();
        String operation = METHODLESS.get(path);
        if (operation == null) {
          fail("a route for every method this test does not know: '" + path + "'; document it in openapi.json "
              + "and say in METHODLESS whether it is a filter or serves content");
        }
        if (!operation.isEmpty()) {
          operations.add(operation);
        }
      } else {
        assertTrue(route.isExactPath(), () -> "a wildcard route with methods: " + route.getPath());
        for (HttpMethod method : methods) {
          operations.add(method.name() + " " + route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}"));
        }
      }
    }
    return operations;
  }

  /** "METHOD /path" of every operation of the document. */
  static Set<String> documented(JsonObject document) {
    Set<String> operations = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        operations.add(method.toUpperCase(Locale.ROOT) + " " + path);
      }
    }
    return operations;
  }

  private static Set<String> difference(Set<String> from, Set<String> minus) {
    Set<String> left = new TreeSet<>(from);
    left.removeAll(minus);
    return left;
  }
}
