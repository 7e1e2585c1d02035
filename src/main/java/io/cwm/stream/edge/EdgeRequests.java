package io.cwm.stream.edge;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reading the headers and parameters of the streaming API's requests; problems in FastAPI's 422 shape. */
final class EdgeRequests {
  private EdgeRequests() {}

  /** The header's trimmed value, or {@code fallback} when it is absent or blank. */
  static String header(HttpServerRequest request, String name, String fallback) {
    String value = request.getHeader(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /**
   * The integer query parameter {@code name} within [min, max], {@code fallback} when absent;
   * out of range or not a number: a problem is added and {@code fallback} returned.
   */
  static int intParam(HttpServerRequest request, String name, int fallback, int min, int max, JsonArray problems) {
    String text = request.getParam(name);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problems.add(new JsonObject().put("loc", new JsonArray().add("query").add(name))
        .put("msg", "ensure this value is between " + min + " and " + max).put("type", "value_error.number"));
    return fallback;
  }

  /** The problem of a required field that is absent. */
  static JsonObject missing(String where, String name) {
    return new JsonObject().put("loc", new JsonArray().add(where).add(name)).put("msg", "field required")
        .put("type", "value_error.missing");
  }
}
