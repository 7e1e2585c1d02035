package io.cwm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The keys of a webhooks.json entry, and what an unknown key means. A misspelt key
 * ({@code "hmca": {...}} instead of {@code "hmac"}) must not silently leave a webhook without its
 * check, so an unknown key is a warning, and an error when it is a near miss of a validator,
 * {@code module-config} or {@code connection} (within two edits, case-insensitive) or when the
 * strict mode asks for it.
 */
public final class WebhookKeys {
  /** The validator keys, in the order they run (spec §5). */
  public static final List<String> VALIDATORS = List.of("rate_limit", "recaptcha", "basic_auth", "digest_auth",
      "jwt", "oauth1", "oauth2", "authorization", "hmac", "standard_webhooks", "provider", "ip_whitelist", "json_schema", "query_auth",
      "header_auth");

  /**
   * Every key of the webhooks.json entry format (spec §4, §9): the entry's own keys, the
   * validators, {@code trusted_proxies} (read by ip_whitelist), {@code redis} (redis_publish) and the
   * legacy module keys {@code queue_name}, {@code topic}, {@code destination} (rabbitmq, kafka/mqtt,
   * activemq when their module-config has none).
   */
  public static final Set<String> KNOWN = known();

  /** Keys whose misspelling leaves a check, or the module's settings, silently unused. */
  static final List<String> GUARDED = guarded();

  /** Within this many edits of a guarded key, an unknown key is taken for a misspelling. */
  static final int TYPO_DISTANCE = 2;
  /** Within this many edits of a known key, a warning suggests it. */
  static final int SUGGEST_DISTANCE = 3;

  private WebhookKeys() {}

  /** What an unknown key of an entry means: the problem's severity and message. */
  public record Unknown(boolean error, String message) {}

  /**
   * Judges a key that is not in {@link #KNOWN}. A key starting with {@code _} that holds a string,
   * number or boolean is a comment ({@code "_comment": "..."}, as in connections.json): null.
   */
  public static Unknown judge(String key, Object value, boolean strict) {
    boolean underscored = key.startsWith("_");
    if (underscored && !(value instanceof JsonObject) && !(value instanceof JsonArray)) {
      return null;
    }
    String guarded = nearest(key, GUARDED, TYPO_DISTANCE);
    // "_hmac": {...} is a block put aside on purpose, not a misspelling
    if (guarded != null && !underscored) {
      return new Unknown(true, "unknown key '" + key + "' (did you mean '" + guarded + "'?): " + consequence(guarded));
    }
    String suggestion = nearest(key, KNOWN, Math.min(SUGGEST_DISTANCE, key.length() - 1));
    String named = "unknown key '" + key + "'" + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)");
    return strict
        ? new Unknown(true, named + ": refused in strict mode (--strict, CWM_STRICT_CONFIG=true)")
        : new Unknown(false, named + ", ignored");
  }

  private static String consequence(String guarded) {
    return switch (guarded) {
      case "module-config" -> "the module would run without its settings";
      case "connection" -> "the module would run without its connection";
      default -> "the webhook would run without this check";
    };
  }

  /** The candidate nearest to {@code key} within {@code limit} edits (case-insensitive), or null. */
  public static String nearest(String key, Iterable<String> candidates, int limit) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = key.toLowerCase(Locale.ROOT);
    for (String candidate : candidates) {
      int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (distance <= limit && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * Edit distance with adjacent transpositions (optimal string alignment): {@code hmca} is one edit
   * from {@code hmac}.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static Set<String> known() {
    Set<String> keys = new LinkedHashSet<>(List.of("module", "module-config", "data_type", "connection", "chain",
        "chain-config", "retry", "credential_cleanup", "filters", "dedup"));
    keys.addAll(VALIDATORS);
    keys.addAll(List.of("trusted_proxies", "redis", "queue_name", "topic", "destination"));
    return java.util.Collections.unmodifiableSet(keys);
  }

  private static List<String> guarded() {
    List<String> keys = new java.util.ArrayList<>(VALIDATORS);
    keys.add("module-config");
    keys.add("connection");
    return List.copyOf(keys);
  }
}
