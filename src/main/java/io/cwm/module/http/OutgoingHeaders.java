package io.cwm.module.http;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The outgoing header filter of {@code http_webhook} (security-notes §5.4), applied to forwarded
 * and configured headers alike: no hop-by-hop or framing names, names that are RFC 7230 tokens
 * of at most 200 characters, values without CR, LF, NUL, U+2028, U+2029, VT or FF and at most
 * 8192 characters (trimmed), then {@code allowed_headers}. Also filters the websocket module's
 * handshake headers.
 */
public final class OutgoingHeaders {
  static final int MAX_NAME_LENGTH = 200;
  static final int MAX_VALUE_LENGTH = 8192;
  private static final Set<String> DROPPED = Set.of("host", "connection", "keep-alive", "transfer-encoding",
      "upgrade", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
      "content-length");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private OutgoingHeaders() {}

  /** Copies the headers that pass into {@code out}, replacing any of the same name. */
  public static void copy(Map<String, String> headers, Set<String> allowedHeaders, MultiMap out) {
    headers.forEach((name, value) -> {
      String trimmed = value == null ? null : value.trim();
      if (allowed(name, trimmed, allowedHeaders)) {
        out.set(name, trimmed);
      }
    });
  }

  static boolean allowed(String name, String value, Set<String> allowedHeaders) {
    if (name == null || value == null || name.length() > MAX_NAME_LENGTH || !TOKEN.matcher(name).matches()) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (DROPPED.contains(lower) || value.length() > MAX_VALUE_LENGTH || hasForbiddenCharacter(value)) {
      return false;
    }
    return allowedHeaders == null || allowedHeaders.contains(lower);
  }

  private static boolean hasForbiddenCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      switch (value.charAt(i)) {
        case '\r', '\n', '\0', '\u000b', '\f', '\u2028', '\u2029' -> {
          return true;
        }
        default -> { }
      }
    }
    return false;
  }
}
