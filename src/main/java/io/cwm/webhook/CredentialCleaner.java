package io.cwm.webhook;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code credential_cleanup} (spec §7): masks or removes credential fields in the payload and
 * headers before any module sees them. On by default.
 *
 * <p>A key is a credential only when its whole (lower-cased, trimmed) name is in the list
 * (defaults plus {@code fields}), so innocent fields such as GitHub's {@code author_association}
 * or {@code idempotency_key} survive. An unknown {@code mode} is a config error.
 */
public final class CredentialCleaner {
  public static final String MASK = "***REDACTED***";
  private static final int MAX_DEPTH = 100;
  private static final Set<String> DEFAULTS = Set.of("password", "passwd", "pwd", "secret",
      "token", "api_key", "apikey", "access_token", "refresh_token", "authorization", "auth",
      "credential", "credentials", "private_key", "privatekey", "api_secret", "client_secret",
      "bearer", "x-api-key", "x-auth-token", "x-access-token", "session_id", "sessionid",
      "session_token", "csrf_token", "csrf", "oauth_token", "oauth_secret", "consumer_secret",
      "token_secret", "x-gitlab-token");

  public static final CredentialCleaner DEFAULT = new CredentialCleaner(true, false, DEFAULTS);

  private final boolean enabled;
  private final boolean remove;
  private final Set<String> names;

  private CredentialCleaner(boolean enabled, boolean remove, Set<String> names) {
    this.enabled = enabled;
    this.remove = remove;
    this.names = names;
  }

  public static CredentialCleaner parse(Object block) {
    if (block == null) {
      return DEFAULT;
    }
    if (!(block instanceof JsonObject config)) {
      throw new ConfigException("", "must be an object");
    }
    boolean enabled = Coerce.bool(config, "enabled", true);
    String mode = Coerce.string(config, "mode", "mask").trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("mask") && !mode.equals("remove")) {
      throw new ConfigException("mode", "must be \"mask\" or \"remove\"");
    }
    Set<String> names = new HashSet<>(DEFAULTS);
    for (String field : Coerce.stringList(config, "fields")) {
      names.add(field.trim().toLowerCase(Locale.ROOT));
    }
    return new CredentialCleaner(enabled, mode.equals("remove"), Set.copyOf(names));
  }

  public boolean enabled() {
    return enabled;
  }

  /** Whether a header or JSON field of this name is masked (or removed) by this cleanup. */
  public boolean isCredential(String key) {
    return names.contains(key.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * A cleaned copy of the payload (the input is not modified); scalars, blobs and payloads
   * without any credential key are returned as they are (nobody mutates them downstream).
   */
  public Object cleanPayload(Object payload) {
    if (!enabled || !(payload instanceof JsonObject || payload instanceof JsonArray) || !hasCredential(payload, 0)) {
      return payload;
    }
    return clean(payload, 0);
  }

  private boolean hasCredential(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        Object child = field.getValue();
        if (child instanceof JsonObject || child instanceof JsonArray) {
          if (hasCredential(child, depth + 1)) {
            return true;
          }
        } else if (isCredential(field.getKey())) {
          return true;
        }
      }
    } else if (value instanceof JsonArray array) {
      for (Object element : array) {
        if (hasCredential(element, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A cleaned copy of the header map. */
  public Map<String, String> cleanHeaders(Map<String, String> headers) {
    if (!enabled) {
      return headers;
    }
    Map<String, String> out = new LinkedHashMap<>(headers.size() * 2);
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (!isCredential(header.getKey())) {
        out.put(header.getKey(), header.getValue());
      } else if (!remove) {
        out.put(header.getKey(), MASK);
      }
    }
    return out;
  }

  private Object clean(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      return value;
    }
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject(new LinkedHashMap<>(object.size() * 2));
      for (Map.Entry<String, Object> field : object) {
        Object child = field.getValue();
        boolean container = child instanceof JsonObject || child instanceof JsonArray;
        if (!container && isCredential(field.getKey())) {
          if (!remove) {
            out.put(field.getKey(), MASK);
          }
        } else {
          out.put(field.getKey(), container ? clean(child, depth + 1) : child);
        }
      }
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      for (Object element : array) {
        out.add(clean(element, depth + 1));
      }
      return out;
    }
    return value;
  }
}
