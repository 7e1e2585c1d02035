package io.cwm.filter;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code "filters"} of a webhooks.json entry (receiver side) or of a connector.json target
 * (connector side): which messages are delivered.
 *
 * <pre>
 * "filters": {
 *   "accept": [{"field": "/type", "in": ["payment_intent.succeeded"]}],
 *   "drop":   [{"field": "X-GitHub-Event", "equals": "ping"}]
 * }
 * </pre>
 *
 * A message is delivered when <b>every</b> {@code accept} rule matches and <b>no</b> {@code drop}
 * rule matches (so a drop rule wins over the accept rules); either list may be left out. An
 * {@code {"any": [rule, ...]}} rule matches when one of its rules does. Rules are described in
 * {@link FilterRule}. Parsed once at load; immutable and thread-safe, shared by every event loop.
 */
public final class Filter {
  /** Most rules in {@code accept} and in {@code drop}, each. */
  public static final int MAX_RULES = 64;
  private static final List<String> KEYS = List.of("accept", "drop");

  private final FilterRule[] accept;
  private final FilterRule[] drop;

  private Filter(FilterRule[] accept, FilterRule[] drop) {
    this.accept = accept;
    this.drop = drop;
  }

  /**
   * Reads a {@code filters} value; every problem goes to {@code problems} with its key relative
   * to {@code filters} ({@code accept[0].in}). Null when {@code raw} is null (no filter: nothing is
   * checked per message) or after a problem.
   */
  public static Filter parse(Object raw, List<ConfigException> problems) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      problems.add(new ConfigException("", "must be an object with \"accept\" and/or \"drop\" lists of rules"));
      return null;
    }
    int before = problems.size();
    for (String name : object.fieldNames()) {
      if (!KEYS.contains(name)) {
        problems.add(new ConfigException(name, "unknown key '" + name + "' (filters has \"accept\" and \"drop\")"));
      }
    }
    if (!object.containsKey("accept") && !object.containsKey("drop")) {
      if (problems.size() > before) {
        return null; // a misspelt list said so already
      }
      problems.add(new ConfigException("", "has no rules: give \"accept\" and/or \"drop\" (or remove \"filters\")"));
      return null;
    }
    FilterRule[] accept = rules(object, "accept", problems);
    FilterRule[] drop = rules(object, "drop", problems);
    return problems.size() > before ? null : new Filter(accept, drop);
  }

  /** {@link #parse(Object, List)} that throws the first problem (tests, single-problem callers). */
  public static Filter parse(Object raw) {
    List<ConfigException> problems = new ArrayList<>();
    Filter filter = parse(raw, problems);
    if (!problems.isEmpty()) {
      throw problems.get(0);
    }
    return filter;
  }

  private static FilterRule[] rules(JsonObject object, String key, List<ConfigException> problems) {
    if (!object.containsKey(key)) {
      return new FilterRule[0];
    }
    if (!(object.getValue(key) instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_RULES) {
      problems.add(new ConfigException(key, "must be a list of 1 to " + MAX_RULES + " rules"));
      return new FilterRule[0];
    }
    List<FilterRule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      FilterRule rule = FilterRule.parse(list.getValue(i), key + "[" + i + "]", problems, false);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return rules.toArray(FilterRule[]::new);
  }

  /**
   * Why a request at the receiver is not delivered, or null when it is: {@code drop[i]} (that drop
   * rule matched) or {@code accept[i]} (that accept rule did not). Names the rule, never a value.
   *
   * @param headers the request headers, lower-case names
   * @param payload the parsed JSON body, or anything else (a blob) when there is none: pointers then
   *     find nothing
   */
  public String dropReason(Map<String, String> headers, Object payload) {
    for (int i = 0; i < drop.length; i++) {
      if (drop[i].matches(headers, payload)) {
        return "drop[" + i + "]";
      }
    }
    for (int i = 0; i < accept.length; i++) {
      if (!accept[i].matches(headers, payload)) {
        return "accept[" + i + "]";
      }
    }
    return null;
  }

  /** {@link #dropReason(Map, Object)} for a relayed message at the connector (the envelope's headers). */
  public String dropReason(JsonObject headers, Object payload) {
    for (int i = 0; i < drop.length; i++) {
      if (drop[i].matches(headers, payload)) {
        return "drop[" + i + "]";
      }
    }
    for (int i = 0; i < accept.length; i++) {
      if (!accept[i].matches(headers, payload)) {
        return "accept[" + i + "]";
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Filter[accept=" + accept.length + " rules, drop=" + drop.length + " rules]";
  }
}
