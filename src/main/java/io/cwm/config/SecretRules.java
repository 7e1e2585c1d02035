package io.cwm.config;

import io.cwm.net.AddressClass;
import io.cwm.net.IpAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values that must never become live credentials: the placeholders of templates ({@code REPLACE_ME…}
 * in the k8s Secrets, {@code changeme}), blank required secrets, and the demo values of the example
 * config ({@code src/main/resources/conf}), which are accepted only on a loopback address. A
 * problem names the key and the class of the value, never the value itself.
 */
public final class SecretRules {
  /** What a value that is not a secret is. */
  public enum Placeholder {
    REPLACE_ME("is a placeholder (REPLACE_ME…)"),
    CHANGE_ME("is a placeholder (changeme…)"),
    BLANK("is blank"),
    DEMO("is a demo value of the example config");

    private final String text;

    Placeholder(String text) {
      this.text = text;
    }

    /** How a problem says it, e.g. {@code is a placeholder (REPLACE_ME…)}. */
    public String text() {
      return text;
    }
  }

  /**
   * The secrets of the example config in {@code src/main/resources/conf} (the defaults of its
   * {@code {$VAR:default}} placeholders). {@code ExampleConfigTest} checks that every secret there is
   * in this list and that every value of the list is used there.
   */
  public static final Set<String> DEMO_VALUES = Set.of("demo-token", "relay-token", "payments-channel-token",
      "demo-channel-token", "demo-archive-key", "demo-github-secret", "whsec_demo_stripe_secret");

  /** Environment variables holding secrets of the receiver; checked when set. */
  public static final List<String> SECRET_VARIABLES = List.of(EnvVars.WEBHOOK_CONNECT_ADMIN_TOKEN, EnvVars.STATS_AUTH_TOKEN,
      EnvVars.METRICS_TOKEN);

  /** {@code REPLACE_ME…} at the start, or as a word of its own inside ({@code whsec_REPLACE_ME}). */
  private static final Pattern REPLACE_ME = Pattern.compile(
      "^replace[-_]me|(^|[^a-z0-9])replace[-_]?me(?![a-z0-9])", Pattern.CASE_INSENSITIVE);
  /** {@code changeme}, {@code change-me}, {@code change_me}: at the start or as a word of its own. */
  private static final Pattern CHANGE_ME = Pattern.compile(
      "^change[-_]me|(^|[^a-z0-9])change[-_]?me(?![a-z0-9])", Pattern.CASE_INSENSITIVE);
  private static final Pattern VARIABLE = Pattern.compile("\\{\\$(?!vault:)(\\w+)");
  private static final String BEARER = "Bearer ";

  private SecretRules() {}

  /** The class of a value that is not a secret, or null when it may be one. */
  public static Placeholder classify(String value) {
    if (value.isBlank()) {
      return Placeholder.BLANK;
    }
    if (REPLACE_ME.matcher(value).find()) {
      return Placeholder.REPLACE_ME;
    }
    if (CHANGE_ME.matcher(value).find()) {
      return Placeholder.CHANGE_ME;
    }
    return DEMO_VALUES.contains(value) ? Placeholder.DEMO : null;
  }

  /** An IP literal in 127.0.0.0/8 or ::1 (brackets allowed), or {@code localhost}; names are not resolved. */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (literal.equalsIgnoreCase("localhost")) {
      return true;
    }
    byte[] address = IpAddresses.parse(literal);
    return address != null && AddressClass.of(address) == AddressClass.LOOPBACK;
  }

  /** The {@code {$VAR}} names in a raw (unsubstituted) value, to say where a bad value came from. */
  public static List<String> variables(Object raw) {
    List<String> names = new ArrayList<>();
    if (raw instanceof String text) {
      Matcher matcher = VARIABLE.matcher(text);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  /** " (set through {$A})" when the raw value names variables, else "". */
  public static String origin(List<String> variables) {
    if (variables.isEmpty()) {
      return "";
    }
    return " (set through " + String.join(", ", variables.stream().map(name -> "{$" + name + "}").toList()) + ")";
  }

  /**
   * A secret of a webhook entry: its key inside the entry, its value after substitution, and
   * whether a value is required there (blank optional secrets such as oauth1.token_secret are fine).
   */
  public record Site(String key, String value, boolean required) {}

  /**
   * Every secret of an entry (substituted): the validators' secrets and a webhook_connect entry's
   * {@code channel_token}. Blocks of the wrong type are left to the validators' own errors.
   */
  public static List<Site> sites(JsonObject entry) {
    List<Site> sites = new ArrayList<>();
    if (entry.getValue("authorization") instanceof String authorization && !authorization.isBlank()) {
      // an empty authorization means "no check"; "Bearer " alone is the validator's error
      String token = authorization.startsWith(BEARER) ? authorization.substring(BEARER.length()) : authorization;
      sites.add(new Site("authorization", token.trim(), true));
    }
    field(sites, entry, "basic_auth", "password", true);
    field(sites, entry, "digest_auth", "password", true);
    field(sites, entry, "jwt", "secret", true);
    field(sites, entry, "oauth1", "consumer_secret", true);
    field(sites, entry, "oauth1", "token_secret", false);
    field(sites, entry, "oauth2", "client_secret", false);
    field(sites, entry, "oauth2", "jwt_secret", false);
    field(sites, entry, "hmac", "secret", true);
    field(sites, entry, "standard_webhooks", "secret", true);
    list(sites, entry, "standard_webhooks", "secrets");
    field(sites, entry, "provider", "secret", true);
    list(sites, entry, "provider", "secrets");
    field(sites, entry, "query_auth", "api_key", true);
    field(sites, entry, "header_auth", "api_key", true);
    field(sites, entry, "recaptcha", "secret_key", true);
    if (entry.getValue("module") instanceof String module
        && RelayChannels.MODULE.equals(module.trim().toLowerCase(Locale.ROOT))) {
      field(sites, entry, "module-config", "channel_token", true);
    }
    return sites;
  }

  /** Each string of a list of secrets ({@code secrets[0]}, ...), all required. */
  private static void list(List<Site> sites, JsonObject entry, String block, String key) {
    if (entry.getValue(block) instanceof JsonObject object && object.getValue(key) instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.getValue(i) instanceof String value) {
          sites.add(new Site(block + "." + key + "[" + i + "]", value, true));
        }
      }
    }
  }

  private static void field(List<Site> sites, JsonObject entry, String block, String key, boolean required) {
    if (entry.getValue(block) instanceof JsonObject object && object.getValue(key) instanceof String value) {
      sites.add(new Site(block + "." + key, value, required));
    }
  }

  /**
   * The problem with a connector's channel token, or null: a placeholder is an error, and so is a
   * demo token of the example config sent to a receiver that is not on a loopback address.
   *
   * @param source the connector's file (as in its other problems)
   * @param cloudUrl the receiver the token is sent to
   */
  public static ConfigProblem connectorToken(String source, String token, String cloudUrl) {
    Placeholder placeholder = classify(token);
    if (placeholder == null) {
      return null;
    }
    String receiver = java.net.URI.create(cloudUrl).getHost();
    String message;
    if (placeholder != Placeholder.DEMO) {
      message = placeholder.text() + ": set the channel's real token";
    } else if (!isLoopback(receiver)) {
      message = placeholder.text() + ", sent only to a receiver on a loopback address, not to " + receiver
          + ": set the channel's real token";
    } else {
      return null;
    }
    return new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, "token", message);
  }

  /** The raw value at a site's key ({@code hmac.secret}) of the unsubstituted entry, or null. */
  public static Object raw(JsonObject rawEntry, String key) {
    int dot = key.indexOf('.');
    if (dot < 0) {
      return rawEntry.getValue(key);
    }
    if (!(rawEntry.getValue(key.substring(0, dot)) instanceof JsonObject block)) {
      return null;
    }
    String field = key.substring(dot + 1);
    int bracket = field.indexOf('[');
    if (bracket > 0 && field.endsWith("]")) { // secrets[1]
      Object list = block.getValue(field.substring(0, bracket));
      try {
        int index = Integer.parseInt(field.substring(bracket + 1, field.length() - 1));
        return list instanceof JsonArray array && index < array.size() ? array.getValue(index) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return block.getValue(field);
  }
}
