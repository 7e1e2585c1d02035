package io.cwm.metrics;

import io.cwm.config.EnvVars;
import io.cwm.config.Env;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.validate.ConstantTime;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may read {@code GET /metrics}: a bearer token ({@code METRICS_TOKEN}, else the admin token,
 * else {@code STATS_AUTH_TOKEN}), compared in constant time. Without any token the endpoint is
 * closed, never open. {@code METRICS_AUTH=none} is the explicit opt-out for a scrape on a private
 * port: it opens {@code /metrics} on the admin port when one is set ({@code --admin-port}), else
 * on the public port.
 */
public final class MetricsAccess {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsAccess.class);
  static final String NO_TOKEN = "Metrics need a token: set METRICS_TOKEN (or WEBHOOK_CONNECT_ADMIN_TOKEN), "
      + "or METRICS_AUTH=none for a scrape on a private port";

  private final String token;
  private final boolean open;
  private final boolean adminPortSet;


  public MetricsAccess(String token, boolean open, boolean adminPortSet) {
    this.token = token == null || token.isEmpty() ? null : token;
    this.open = open;
    this.adminPortSet = adminPortSet;
  }

  public static MetricsAccess fromEnv(Env env, boolean adminPortSet) {
    String mode = env.get(EnvVars.METRICS_AUTH, "token").toLowerCase(Locale.ROOT);
    if (!mode.equals("token") && !mode.equals("none")) {
      throw new IllegalArgumentException("METRICS_AUTH must be token or none, got '" + mode + "'");
    }
    String token = env.get(EnvVars.METRICS_TOKEN, null);
    if (token == null) {
      token = env.get(EnvVars.WEBHOOK_CONNECT_ADMIN_TOKEN, null);
    }
    if (token == null) {
      token = env.get(EnvVars.STATS_AUTH_TOKEN, null);
    }
    if (mode.equals("none") && !adminPortSet) {
      LOG.warn("METRICS_AUTH=none without an admin port: /metrics is open to anyone who reaches the public port");
    }
    return new MetricsAccess(token, mode.equals("none"), adminPortSet);
  }

  /** Whether {@code /metrics} answers without a token on the admin port ({@code true}) or the public one. */
  public boolean openOn(boolean adminPort) {
    return open && adminPort == adminPortSet;
  }

  /**
   * @param authorization the request's {@code Authorization} header, or null
   * @param adminPort whether the request came in on the admin port
   * @return the refusal (401, or 403 when no token is configured), or null when the scrape may read
   */
  public CwmException check(String authorization, boolean adminPort) {
    if (openOn(adminPort)) {
      return null;
    }
    if (token == null) {
      return new CwmException(FailureCode.FORBIDDEN, NO_TOKEN);
    }
    if (authorization == null) {
      return CwmException.unauthorized("Authentication required");
    }
    String presented = authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : authorization.trim();
    return ConstantTime.equals(token, presented) ? null : CwmException.unauthorized("Invalid authentication token");
  }
}
