package io.cwm.admin;

import io.cwm.config.EnvVars;
import io.cwm.config.Env;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.validate.ConstantTime;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * Admin API authentication (spec §6.1): {@code WEBHOOK_CONNECT_ADMIN_TOKEN}, read once at
 * start-up, as a bearer token (every {@code "Bearer "} removed; a bare token works too), compared
 * in constant time. Unset or empty: the admin API is disabled, never open. A token in the query
 * string is refused outright: URLs end up in access logs and proxies.
 */
public final class AdminAuth {
  static final String DISABLED = "Admin API disabled. Set WEBHOOK_CONNECT_ADMIN_TOKEN environment variable.";
  private static final Set<String> QUERY_TOKEN_NAMES = Set.of("token", "admin_token", "access_token", "api_key");

  private final String token;


  public AdminAuth(String token) {
    this.token = token == null || token.isEmpty() ? null : token;
  }

  public static AdminAuth fromEnv(Env env) {
    return new AdminAuth(env.get(EnvVars.WEBHOOK_CONNECT_ADMIN_TOKEN).orElse(null));
  }

  public boolean enabled() {
    return token != null;
  }

  /** The refusal of {@code request} (403 when the API is disabled, 401), or null when it may go on. */
  public CwmException check(HttpServerRequest request) {
    if (token == null) {
      return new CwmException(FailureCode.FORBIDDEN, DISABLED);
    }
    for (String name : request.params().names()) {
      if (QUERY_TOKEN_NAMES.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        return CwmException.unauthorized("Admin token in the query string refused: send it in the Authorization header");
      }
    }
    String header = request.getHeader("Authorization");
    if (header == null) {
      return CwmException.unauthorized("Missing authorization header");
    }
    String presented = header.replace("Bearer ", "").trim();
    return ConstantTime.equals(token, presented) ? null : CwmException.unauthorized("Invalid admin token");
  }
}
