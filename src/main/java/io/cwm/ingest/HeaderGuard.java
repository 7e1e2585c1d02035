package io.cwm.ingest;

import io.cwm.error.CwmException;
import io.vertx.core.MultiMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Inbound header limits (spec §6 step 8, security-notes §5.1), checked before authentication:
 * at most {@value #MAX_HEADERS} distinct headers, no CR/LF/NUL/U+2028/U+2029 in names or values,
 * and at most {@value #MAX_TOTAL_BYTES} bytes of names plus values.
 *
 * <p>The total budget is 32 KiB, so legitimate requests carrying a large JWT or many proxy
 * headers pass.
 */
public final class HeaderGuard {
  public static final int MAX_HEADERS = 100;
  public static final int MAX_TOTAL_BYTES = 32_768;

  private HeaderGuard() {}

  /**
   * Checks the headers and returns them as a map with lower-case names (a repeated header keeps
   * its last value).
   *
   * @throws CwmException 400 with the spec's message
   */
  public static Map<String, String> check(MultiMap headers) {
    Map<String, String> result = new HashMap<>(headers.size() * 2);
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey();
      String value = header.getValue();
      if (forbidden(name)) {
        throw CwmException.badRequest("Invalid header name: contains forbidden character");
      }
      if (forbidden(value)) {
        throw CwmException.badRequest("Invalid header value: contains forbidden character");
      }
      result.put(name.toLowerCase(Locale.ROOT), value);
    }
    if (result.size() > MAX_HEADERS) {
      throw CwmException.badRequest("Too many headers: " + result.size() + " (max: " + MAX_HEADERS + ")");
    }
    long total = 0;
    for (Map.Entry<String, String> header : result.entrySet()) {
      total += header.getKey().length() + header.getValue().length();
    }
    if (total > MAX_TOTAL_BYTES) {
      throw CwmException.badRequest("Headers too large: " + total + " bytes (max: " + MAX_TOTAL_BYTES + ")");
    }
    return result;
  }

  /**
   * CR, LF, NUL, U+2028, U+2029. Header bytes reach us decoded as ISO-8859-1, so the UTF-8 forms
   * of U+2028/U+2029 (E2 80 A8 / E2 80 A9) are checked as well.
   */
  static boolean forbidden(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0' || c == '\u2028' || c == '\u2029') {
        return true;
      }
      if (c == '\u00e2' && i + 2 < text.length() && text.charAt(i + 1) == '\u0080'
          && (text.charAt(i + 2) == '\u00a8' || text.charAt(i + 2) == '\u00a9')) {
        return true;
      }
    }
    return false;
  }
}
