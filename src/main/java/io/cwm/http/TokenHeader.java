package io.cwm.http;

import io.cwm.error.CwmException;
import io.cwm.validate.ConstantTime;

/**
 * The Python receiver's token check of {@code /stats} ({@code STATS_AUTH_TOKEN}) and of the config
 * admin API ({@code CONFIG_RELOAD_ADMIN_TOKEN}), with its texts: the {@code Authorization} header
 * as {@code Bearer <token>} or the bare token, compared in constant time.
 */
public final class TokenHeader {
  private TokenHeader() {}

  /**
   * The 401 for {@code header} (the request's {@code Authorization}, or null), or null when it
   * carries {@code expected}.
   */
  public static CwmException refusal(String expected, String header) {
    if (header == null) {
      return CwmException.unauthorized("Authentication required");
    }
    if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0 || header.indexOf('\0') >= 0) {
      return CwmException.unauthorized("Invalid authentication header");
    }
    String token = header.startsWith("Bearer ") ? header.substring(7).trim() : header.trim();
    if (token.isEmpty() || !ConstantTime.equals(expected, token)) {
      return CwmException.unauthorized("Invalid authentication token");
    }
    return null;
  }
}
