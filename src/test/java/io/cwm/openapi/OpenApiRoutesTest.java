package io.cwm.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /openapi.json}, {@code /docs} and {@code /redoc} as a client sees them, from a real receiver. */
class OpenApiRoutesTest {
  static final List<String> SECRETS = List.of("hook-secret-7f3a", "hmac-secret-91bd", "tok-channel-55e1",
      "admin-secret-c0de", "stats-secret-beef", "pg-password-42");
  static final String CONFIG = """
      {"github-push": {"module": "log", "authorization": "Bearer hook-secret-7f3a"},
       "signed": {"module": "log", "hmac": {"secret": "hmac-secret-91bd", "header": "X-Sig", "algorithm": "sha256"}},
       "relay": {"module": "webhook_connect",
                 "module-config": {"channel": "c1", "channel_token": "tok-channel-55e1"}},
       "default": {"module": "log"}}""";
  static final String CONNECTIONS = """
      {"pg": {"type": "postgresql", "host": "127.0.0.1", "port": 5432, "database": "db", "user": "u",
              "password": "pg-password-42"}}""";
  static final Map<String, String> ENV = Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "admin-secret-c0de",
      "STATS_AUTH_TOKEN", "stats-secret-beef");

  @Test
  void theDocumentIsOpenApi31AndShowsTheConfiguredIdsButNoSecret() throws Exception {
    try (TestServer server = TestServer.start(CONFIG, CONNECTIONS, ENV)) {
      HttpResponse<String> response = Http.get(server.port(), "/openapi.json");
      assertEquals(200, response.statusCode());
      assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
      assertEquals(OpenApiRoutes.JSON_CSP, response.headers().firstValue("Content-Security-Policy").orElse(""));
      JsonObject document = new JsonObject(response.body());
      assertWellFormed(document);
      assertNull(document.getValue("servers"), "no ROOT_PATH: the default server, /");
      JsonObject examples = pathParameter(document, "/webhook/{id}", "post", "id").getJsonObject("examples");
      assertEquals(Set.of("github-push", "signed", "relay"), examples.fieldNames(), "every id but default");
      SECRETS.forEach(secret -> assertFalse(response.body().contains(secret), secret));
    }
  }

  @Test
  void theDocsPageListsEveryOperationUnderAStrictPolicy() throws Exception {
    try (TestServer server = TestServer.start(CONFIG, CONNECTIONS, ENV)) {
      JsonObject document = new JsonObject(Http.get(server.port(), "/openapi.json").body());
      HttpResponse<String> page = Http.get(server.port(), "/docs");
      assertEquals(200, page.statusCode());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
      String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
      assertEquals(DocsPage.CSP, policy);
      assertTrue(policy.startsWith("default-src 'none'"), policy);
      assertFalse(policy.contains("unsafe-inline") || policy.contains("script-src"), policy);
      String html = page.body();
      assertFalse(html.contains("<script"), "no JavaScript");
      assertFalse(html.contains("http://") || html.contains("https://"), "nothing loaded from elsewhere");
      assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"), "a language for screen readers");
      assertTrue(html.contains("<meta name=\"viewport\""), "readable on a phone");
      Set<String> listed = new TreeSet<>();
      Matcher heading = Pattern.compile("<span class=\"method\">([A-Z]+)</span> <code>([^<]+)</code>").matcher(html);
      while (heading.find()) {
        listed.add(heading.group(1) + " " + heading.group(2));
      }
      assertEquals(OpenApiCoverageTest.documented(document), listed);
      assertTrue(html.contains("<code>github-push</code>"), "the configured ids as examples");
      SECRETS.forEach(secret -> assertFalse(html.contains(secret), secret));
      HttpResponse<String> redoc = Http.get(server.port(), "/redoc");
      assertEquals(200, redoc.statusCode());
      assertEquals(html, redoc.body());
    }
  }

  @Test
  void disabledTheDocsAreUnknownPaths() throws Exception {
    try (TestServer server = TestServer.start(CONFIG, "{}", Map.of("DISABLE_OPENAPI_DOCS", "true"))) {
      for (String path : List.of("/openapi.json", "/docs", "/redoc")) {
        HttpResponse<String> response = Http.get(server.port(), path);
        assertEquals(404, response.statusCode(), path);
        assertEquals("Not Found", new JsonObject(response.body()).getString("detail"), path);
      }
      assertEquals(200, Http.get(server.port(), "/health").statusCode());
    }
  }

  @Test
  void rootPathIsTheServerAndSanitisedIdsAreNotShown() throws Exception {
    Map<String, String> env = Map.of("ROOT_PATH", "/hooks/", "STATS_SANITIZE_IDS", "true");
    try (TestServer server = TestServer.start(CONFIG, "{}", env)) {
      JsonObject document = new JsonObject(Http.get(server.port(), "/openapi.json").body());
      assertEquals(new JsonArray().add(new JsonObject().put("url", "/hooks")), document.getJsonArray("servers"));
      assertNull(pathParameter(document, "/webhook/{id}", "post", "id").getValue("examples"));
      String html = Http.get(server.port(), "/docs").body();
      assertTrue(html.contains("Base path: <code>/hooks</code>"), "the page names the prefix");
      assertFalse(html.contains("github-push"), "ids hidden as in /stats");
    }
  }

  @Test
  void everythingFromTheDocumentIsEscapedOnThePage() {
    JsonObject document = OpenApiRoutes.withExamples(OpenApiRoutes.load(), Set.of("<img src=x onerror=alert(1)>"));
    document.getJsonObject("info").put("title", "a \"title\" & <b>more</b>");
    String html = DocsPage.render(document);
    assertFalse(html.contains("<img") || html.contains("<b>"), "markup from the document is text");
    assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assertTrue(html.contains("a &quot;title&quot; &amp; &lt;b&gt;more&lt;/b&gt;"));
  }

  /** The required structure of OpenAPI 3.1, and what a reader relies on: refs resolve, ids unique. */
  static void assertWellFormed(JsonObject document) {
    assertEquals("3.1.0", document.getString("openapi"));
    JsonObject info = document.getJsonObject("info");
    assertNotNull(info.getString("title"));
    assertNotNull(info.getString("version"));
    JsonObject components = document.getJsonObject("components");
    Set<String> schemes = components.getJsonObject("securitySchemes").fieldNames();
    Set<String> tags = new HashSet<>();
    document.getJsonArray("tags").forEach(tag -> tags.add(((JsonObject) tag).getString("name")));
    Set<String> operationIds = new HashSet<>();
    JsonObject paths = document.getJsonObject("paths");
    assertFalse(paths.isEmpty());
    for (String path : paths.fieldNames()) {
      assertTrue(path.startsWith("/"), path);
      Set<String> templated = new TreeSet<>();
      Matcher parameter = Pattern.compile("\\{([^}]+)}").matcher(path);
      while (parameter.find()) {
        templated.add(parameter.group(1));
      }
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        String where = method + " " + path;
        assertTrue(Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(method), where);
        JsonObject operation = item.getJsonObject(method);
        assertTrue(operationIds.add(operation.getString("operationId")), "operationId unique: " + where);
        assertNotNull(operation.getString("summary"), where);
        assertTrue(tags.containsAll(operation.getJsonArray("tags").getList()), where);
        JsonObject responses = operation.getJsonObject("responses");
        assertFalse(responses.isEmpty(), where);
        responses.forEach(entry -> {
          assertTrue(entry.getKey().matches("[1-5][0-9][0-9]|default"), where + " " + entry.getKey());
          assertNotNull(((JsonObject) entry.getValue()).getString("description"), where + " " + entry.getKey());
        });
        Set<String> declared = new TreeSet<>();
        for (Object described : operation.getJsonArray("parameters", new JsonArray())) {
          JsonObject declaredParameter = (JsonObject) described;
          assertTrue(Set.of("path", "query", "header", "cookie").contains(declaredParameter.getString("in")), where);
          if ("path".equals(declaredParameter.getString("in"))) {
            assertEquals(Boolean.TRUE, declaredParameter.getBoolean("required"), where);
            declared.add(declaredParameter.getString("name"));
          }
        }
        assertEquals(templated, declared, "path parameters of " + where);
        for (Object requirement : operation.getJsonArray("security", new JsonArray())) {
          assertTrue(schemes.containsAll(((JsonObject) requirement).fieldNames()), where);
        }
      }
    }
    Matcher ref = Pattern.compile("\"\\$ref\":\"#/components/schemas/([^\"]+)\"").matcher(document.encode());
    int refs = 0;
    while (ref.find()) {
      refs++;
      assertNotNull(components.getJsonObject("schemas").getJsonObject(ref.group(1)), ref.group());
    }
    assertTrue(refs > 0, "the shared schemas are used");
  }

  private static JsonObject pathParameter(JsonObject document, String path, String method, String name) {
    for (Object parameter : document.getJsonObject("paths").getJsonObject(path).getJsonObject(method)
        .getJsonArray("parameters")) {
      if (name.equals(((JsonObject) parameter).getString("name"))) {
        return (JsonObject) parameter;
      }
    }
    throw new AssertionError("no parameter " + name + " in " + method + " " + path);
  }
}
