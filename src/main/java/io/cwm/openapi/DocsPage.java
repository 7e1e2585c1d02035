package io.cwm.openapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI document as one HTML page, rendered on the server: operations grouped by tag, each
 * with its method, path, summary, parameters, request body and answers (schemas as JSON in
 * {@code <pre>}). No JavaScript and no CDN, so the page works offline and its CSP can forbid every
 * script; its one stylesheet is inline, allowed by its hash alone. Every text from the document
 * is escaped.
 */
final class DocsPage {
  static final String STYLE = "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;"
      + "color:#1b1b1b;background:#fff}pre{overflow-x:auto;background:#f4f4f4;padding:.5rem;font-size:.85rem}"
      + "code{font-family:ui-monospace,monospace}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
      + "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
      + "article{border-top:1px solid #ccc;margin-top:1.5rem}.method{display:inline-block;min-width:4.5rem;"
      + "font-family:ui-monospace,monospace;font-weight:700}h3{word-break:break-all}"
      + "@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}pre{background:#262626}"
      + "a{color:#8cb4ff}}";
  static final String CSP = "default-src 'none'; style-src '" + sha256(STYLE) + "'; img-src 'none'; "
      + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private DocsPage() {}

  static String render(JsonObject document) {
    JsonObject info = document.getJsonObject("info", new JsonObject());
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .append(escape(info.getString("title", "API"))).append(" – API</title>\n<style>").append(STYLE)
        .append("</style>\n</head>\n<body>\n<header>\n<h1>").append(escape(info.getString("title", "API")))
        .append("</h1>\n<p>Version ").append(escape(info.getString("version", ""))).append(", OpenAPI ")
        .append(escape(document.getString("openapi", ""))).append(". ")
        .append("Machine-readable: <a href=\"openapi.json\">openapi.json</a>.</p>\n");
    paragraph(html, info.getString("description"));
    JsonArray servers = document.getJsonArray("servers");
    if (servers != null && !servers.isEmpty()) {
      html.append("<p>Base path: <code>").append(escape(servers.getJsonObject(0).getString("url", "")))
          .append("</code></p>\n");
    }
    html.append("</header>\n");
    Map<String, List<Operation>> byTag = byTag(document);
    Map<String, String> tagDescriptions = new LinkedHashMap<>();
    for (Object tag : document.getJsonArray("tags", new JsonArray())) {
      JsonObject described = (JsonObject) tag;
      tagDescriptions.put(described.getString("name"), described.getString("description"));
    }
    html.append("<nav aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n");
    for (String tag : byTag.keySet()) {
      html.append("<li><a href=\"#tag-").append(escape(anchor(tag))).append("\">").append(escape(tag))
          .append("</a> (").append(byTag.get(tag).size()).append(")</li>\n");
    }
    html.append("<li><a href=\"#security\">Authentication</a></li>\n<li><a href=\"#schemas\">Schemas</a></li>\n")
        .append("</ul>\n</nav>\n<main>\n");
    for (Map.Entry<String, List<Operation>> tag : byTag.entrySet()) {
      String id = "tag-" + anchor(tag.getKey());
      html.append("<section aria-labelledby=\"").append(escape(id)).append("\">\n<h2 id=\"").append(escape(id))
          .append("\">").append(escape(tag.getKey())).append("</h2>\n");
      paragraph(html, tagDescriptions.get(tag.getKey()));
      tag.getValue().forEach(operation -> operation(html, operation));
      html.append("</section>\n");
    }
    components(html, document.getJsonObject("components", new JsonObject()));
    html.append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  /** One operation of the document: where it is and what it says. */
  record Operation(String method, String path, JsonObject described) {}

  /** The operations by their first tag, tags in the document's order, untagged ones last. */
  static Map<String, List<Operation>> byTag(JsonObject document) {
    Map<String, List<Operation>> byTag = new LinkedHashMap<>();
    for (Object tag : document.getJsonArray("tags", new JsonArray())) {
      byTag.put(((JsonObject) tag).getString("name"), new ArrayList<>());
    }
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : METHODS) {
        JsonObject described = item.getJsonObject(method);
        if (described != null) {
          JsonArray tags = described.getJsonArray("tags", new JsonArray());
          String tag = tags.isEmpty() ? "other" : tags.getString(0);
          byTag.computeIfAbsent(tag, name -> new ArrayList<>()).add(new Operation(method, path, described));
        }
      }
    }
    byTag.values().removeIf(List::isEmpty);
    return byTag;
  }

  private static void operation(StringBuilder html, Operation operation) {
    JsonObject described = operation.described();
    String id = "op-" + anchor(described.getString("operationId", operation.method() + operation.path()));
    html.append("<article aria-labelledby=\"").append(escape(id)).append("\">\n<h3 id=\"").append(escape(id))
        .append("\"><span class=\"method\">").append(escape(operation.method().toUpperCase(java.util.Locale.ROOT)))
        .append("</span> <code>").append(escape(operation.path())).append("</code></h3>\n");
    paragraph(html, described.getString("summary"));
    paragraph(html, described.getString("description"));
    security(html, described.getJsonArray("security"));
    parameters(html, described.getJsonArray("parameters"));
    JsonObject body = described.getJsonObject("requestBody");
    if (body != null) {
      html.append("<h4>Request body").append(body.getBoolean("required", false) ? " (required)" : " (optional)")
          .append("</h4>\n");
      paragraph(html, body.getString("description"));
      content(html, body.getJsonObject("content"));
    }
    JsonObject responses = described.getJsonObject("responses", new JsonObject());
    html.append("<h4>Responses</h4>\n<dl>\n");
    for (String status : responses.fieldNames()) {
      JsonObject response = responses.getJsonObject(status);
      html.append("<dt><code>").append(escape(status)).append("</code></dt>\n<dd>");
      html.append(prose(response.getString("description", ""))).append('\n');
      JsonObject headers = response.getJsonObject("headers", new JsonObject());
      for (String header : headers.fieldNames()) {
        html.append("<p>Header <code>").append(escape(header)).append("</code>: ")
            .append(prose(headers.getJsonObject(header).getString("description", ""))).append("</p>\n");
      }
      content(html, response.getJsonObject("content"));
      html.append("</dd>\n");
    }
    html.append("</dl>\n</article>\n");
  }

  private static void security(StringBuilder html, JsonArray security) {
    if (security == null) {
      return;
    }
    List<String> schemes = new ArrayList<>();
    boolean optional = false;
    for (Object requirement : security) {
      JsonObject names = (JsonObject) requirement;
      if (names.isEmpty()) {
        optional = true;
      }
      schemes.addAll(names.fieldNames());
    }
    html.append("<p>Authentication: ");
    if (schemes.isEmpty()) {
      html.append("none");
    } else {
      for (int i = 0; i < schemes.size(); i++) {
        html.append(i == 0 ? "" : " or ").append("<a href=\"#scheme-").append(escape(anchor(schemes.get(i))))
            .append("\">").append(escape(schemes.get(i))).append("</a>");
      }
      html.append(optional ? " (optional)" : "");
    }
    html.append(".</p>\n");
  }

  private static void parameters(StringBuilder html, JsonArray parameters) {
    if (parameters == null || parameters.isEmpty()) {
      return;
    }
    // a focusable region, so a keyboard can scroll a table wider than a phone
    html.append("<h4>Parameters</h4>\n")
        .append("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Parameters\">\n")
        .append("<table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">In</th>")
        .append("<th scope=\"col\">Required</th><th scope=\"col\">Schema</th><th scope=\"col\">Description</th>")
        .append("</tr></thead>\n<tbody>\n");
    for (Object parameter : parameters) {
      JsonObject described = (JsonObject) parameter;
      html.append("<tr><td><code>").append(escape(described.getString("name", ""))).append("</code></td><td>")
          .append(escape(described.getString("in", ""))).append("</td><td>")
          .append(described.getBoolean("required", false) ? "yes" : "no").append("</td><td><code>")
          .append(escape(String.valueOf(described.getValue("schema", "")))).append("</code></td><td>")
          .append(prose(described.getString("description", "")));
      JsonObject examples = described.getJsonObject("examples");
      if (examples != null && !examples.isEmpty()) {
        html.append(" Examples: ");
        List<String> names = new ArrayList<>(examples.fieldNames());
        for (int i = 0; i < names.size(); i++) {
          html.append(i == 0 ? "" : ", ").append("<code>").append(escape(names.get(i))).append("</code>");
        }
        html.append('.');
      }
      html.append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n");
  }

  private static void content(StringBuilder html, JsonObject content) {
    if (content == null) {
      return;
    }
    for (String type : content.fieldNames()) {
      JsonObject media = content.getJsonObject(type);
      html.append("<p><code>").append(escape(type)).append("</code></p>\n");
      Object schema = media.getValue("schema");
      if (schema instanceof JsonObject described && !described.isEmpty()) {
        html.append("<pre>").append(escape(described.encodePrettily())).append("</pre>\n");
      }
      Object example = media.getValue("example");
      if (example != null) {
        html.append("<p>Example:</p>\n<pre>").append(escape(example instanceof JsonObject object
            ? object.encodePrettily() : String.valueOf(example))).append("</pre>\n");
      }
    }
  }

  private static void components(StringBuilder html, JsonObject components) {
    JsonObject schemes = components.getJsonObject("securitySchemes", new JsonObject());
    html.append("<section aria-labelledby=\"security\">\n<h2 id=\"security\">Authentication</h2>\n<dl>\n");
    for (String name : schemes.fieldNames()) {
      JsonObject scheme = schemes.getJsonObject(name);
      String kind = "http".equals(scheme.getString("type")) ? scheme.getString("scheme", "http")
          : scheme.getString("type", "") + " in " + scheme.getString("in", "") + " " + scheme.getString("name", "");
      html.append("<dt id=\"scheme-").append(escape(anchor(name))).append("\"><code>").append(escape(name))
          .append("</code> (").append(escape(kind)).append(")</dt>\n<dd>")
          .append(prose(scheme.getString("description", ""))).append("</dd>\n");
    }
    html.append("</dl>\n</section>\n");
    JsonObject schemas = components.getJsonObject("schemas", new JsonObject());
    html.append("<section aria-labelledby=\"schemas\">\n<h2 id=\"schemas\">Schemas</h2>\n");
    for (String name : schemas.fieldNames()) {
      html.append("<h3 id=\"schema-").append(escape(anchor(name))).append("\"><code>#/components/schemas/")
          .append(escape(name)).append("</code></h3>\n<pre>")
          .append(escape(schemas.getJsonObject(name).encodePrettily())).append("</pre>\n");
    }
    html.append("</section>\n");
  }

  private static void paragraph(StringBuilder html, String text) {
    if (text != null && !text.isBlank()) {
      html.append("<p>").append(prose(text)).append("</p>\n");
    }
  }

  /** Escaped text whose {@code `backquoted`} parts become {@code <code>}. */
  static String prose(String text) {
    Matcher code = CODE.matcher(escape(text));
    return code.replaceAll(match -> Matcher.quoteReplacement("<code>" + match.group(1) + "</code>"));
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** A fragment id: letters, digits and {@code -} only. */
  private static String anchor(String name) {
    return name.replaceAll("[^A-Za-z0-9]+", "-");
  }

  private static String sha256(String text) {
    try {
      return "sha256-" + Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
