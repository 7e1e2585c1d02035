package io.cwm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {$VAR}}, {@code {$VAR:default}} and {@code {$vault:path#field[:default]}} substitution
 * on every string value of a parsed config file (object keys are never touched).
 *
 * <p>Values are used as they are: a secret containing {@code $ & ; ( )} or {@code ..} arrives
 * intact. Only NUL characters are removed and values are capped at 4096 characters. An unset
 * variable without a default is reported as a problem. A Vault reference resolves through
 * {@link Secrets} (its inline default when the secret is missing or no backend is configured; a
 * problem when there is neither). Vault references are resolved first, and a secret's value is
 * never scanned for placeholders again.
 */
public final class Substitution {
  static final int MAX_VALUE_LENGTH = 4096;
  private static final int MAX_DEPTH = 100;
  private static final Pattern VAULT =
      Pattern.compile("\\{\\$vault:([^}#:]*)#([^}:]*)(?::([^}]*))?\\}");
  private static final Pattern EMBEDDED = Pattern.compile("\\{\\$(?!vault:)(\\w+)(?::([^}]*))?\\}");
  private static final Pattern WHOLE = Pattern.compile("\\{\\$(?!vault:)(\\w+)(?::(.*))?\\}", Pattern.DOTALL);

  /** A problem met while substituting: the JSON path of the value and what went wrong. */
  public record Problem(List<String> path, String message) {}

  private final Env env;
  private final Secrets secrets;
  private final List<Problem> problems = new ArrayList<>();

  private Substitution(Env env, Secrets secrets) {
    this.env = env;
    this.secrets = secrets;
  }

  /** Substitutes in place inside a copy of {@code root}; problems are added to {@code sink}. */
  public static JsonObject apply(JsonObject root, Env env, List<Problem> sink) {
    return apply(root, env, Secrets.NONE, sink);
  }

  /** As above, with Vault references resolved through {@code secrets}. */
  public static JsonObject apply(JsonObject root, Env env, Secrets secrets, List<Problem> sink) {
    Substitution substitution = new Substitution(env, secrets);
    JsonObject copy = root.copy();
    substitution.walkObject(copy, new ArrayList<>(), 0);
    sink.addAll(substitution.problems);
    return copy;
  }

  /** Substitutes one string; problems are added to {@code sink} with an empty path. */
  public static String applyToString(String value, Env env, List<Problem> sink) {
    Substitution substitution = new Substitution(env, Secrets.NONE);
    String result = substitution.substitute(value, List.of());
    sink.addAll(substitution.problems);
    return result;
  }

  /**
   * The secret paths of every {@code {$vault:path#field}} reference in the string values of
   * {@code root}, as {@link #apply} would see them: what a secrets backend reads before the load.
   */
  public static Set<String> vaultPaths(JsonObject root) {
    Set<String> paths = new LinkedHashSet<>();
    collectVaultPaths(root, paths, 0);
    return paths;
  }

  private static void collectVaultPaths(Object value, Set<String> paths, int depth) {
    if (depth > MAX_DEPTH) {
      return;
    }
    if (value instanceof String text && text.contains("{$vault:")) {
      Matcher vault = VAULT.matcher(text);
      while (vault.find()) {
        paths.add(vault.group(1));
      }
    } else if (value instanceof JsonObject object) {
      object.forEach(field -> collectVaultPaths(field.getValue(), paths, depth + 1));
    } else if (value instanceof JsonArray array) {
      array.forEach(element -> collectVaultPaths(element, paths, depth + 1));
    }
  }

  private void walkObject(JsonObject object, List<String> path, int depth) {
    if (depth > MAX_DEPTH) {
      return;
    }
    for (Map.Entry<String, Object> field : object) {
      path.add(field.getKey());
      Object replaced = walkValue(field.getValue(), path, depth);
      if (replaced != field.getValue()) {
        field.setValue(replaced);
      }
      path.remove(path.size() - 1);
    }
  }

  private Object walkValue(Object value, List<String> path, int depth) {
    if (value instanceof String text) {
      return text.contains("{$") ? substitute(text, path) : text;
    }
    if (value instanceof JsonObject object) {
      walkObject(object, path, depth + 1);
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        path.add("[" + i + "]");
        Object element = array.getValue(i);
        Object replaced = walkValue(element, path, depth + 1);
        if (replaced != element) {
          array.set(i, replaced);
        }
        path.remove(path.size() - 1);
      }
    }
    return value;
  }

  private String substitute(String text, List<String> path) {
    if (!text.contains("{$vault:")) {
      return substituteEnv(text, path);
    }
    // Vault first; the text around each reference gets the environment's placeholders, the
    // secret's value is taken as it is (a secret holding "{$X}" is not expanded)
    Matcher vault = VAULT.matcher(text);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (vault.find()) {
      out.append(substituteEnv(text.substring(last, vault.start()), path));
      out.append(resolveVault(vault, path));
      last = vault.end();
    }
    out.append(substituteEnv(text.substring(last), path));
    return out.toString();
  }

  private String substituteEnv(String withVault, List<String> path) {
    if (!withVault.contains("{$")) {
      return withVault;
    }
    Matcher whole = WHOLE.matcher(withVault);
    // Whole-value form: exactly one placeholder spanning the string. Its default may contain ':'.
    // A string with a second placeholder ("{$A:x}-{$B:y}") is read as embedded placeholders,
    // not as one variable whose default runs to the last '}'.
    if (whole.matches() && !withVault.substring(2).contains("{$")) {
      String value = lookup(whole.group(1), whole.group(2), path);
      return value == null ? withVault : value;
    }
    Matcher embedded = EMBEDDED.matcher(withVault);
    StringBuilder out = new StringBuilder();
    while (embedded.find()) {
      String value = lookup(embedded.group(1), embedded.group(2), path);
      embedded.appendReplacement(out, Matcher.quoteReplacement(value == null ? embedded.group() : value));
    }
    embedded.appendTail(out);
    return out.toString();
  }

  /** One Vault reference: the secret, else its default, else a problem (and the reference as written). */
  private String resolveVault(Matcher vault, List<String> path) {
    String secretPath = vault.group(1);
    String field = vault.group(2);
    String fallback = vault.group(3);
    String value = secrets.enabled() ? secrets.lookup(secretPath, field) : null;
    if (value != null) {
      return clean(value);
    }
    if (fallback != null) {
      return clean(fallback);
    }
    String reference = "{$vault:" + secretPath + "#" + field + "}";
    String why = secrets.enabled() ? secrets.failure(secretPath, field) : null;
    problems.add(new Problem(List.copyOf(path), !secrets.enabled()
        ? "Vault reference " + reference + " has no default and no secrets backend is configured "
            + "(SECRETS_BACKEND=vault or VAULT_ENABLED=true)"
        : "Vault reference " + reference + " could not be resolved and has no default"
            + (why == null ? "" : ": " + why)));
    return vault.group(); // left as written, so no second error follows from it
  }

  private String lookup(String name, String fallback, List<String> path) {
    String value = env.get(name).orElse(null);
    if (value == null) {
      value = fallback;
    }
    if (value == null) {
      problems.add(new Problem(List.copyOf(path),
          "environment variable " + name + " is not set and has no default"));
      return null;
    }
    return clean(value);
  }

  private static String clean(String value) {
    String noNul = value.indexOf('\0') >= 0 ? value.replace("\0", "") : value;
    return noNul.length() > MAX_VALUE_LENGTH ? noNul.substring(0, MAX_VALUE_LENGTH) : noNul;
  }
}
