package io.cwm.ingest;

import io.cwm.config.ReceiverSettings;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** Hardening headers on every response (security-notes §1.1–1.3). */
public final class SecurityHeaders implements Handler<RoutingContext> {
  static final String DEFAULT_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
      + "base-uri 'self'; form-action 'self'";
  static final String PERMISSIONS = "geolocation=(), microphone=(), camera=(), payment=(), usb=(), "
      + "magnetometer=(), gyroscope=(), accelerometer=()";

  private final ReceiverSettings settings;
  private final String hsts;

  public SecurityHeaders(ReceiverSettings settings) {
    this.settings = settings;
    this.hsts = "max-age=" + settings.hstsMaxAge()
        + (settings.hstsIncludeSubdomains() ? "; includeSubDomains" : "")
        + (settings.hstsPreload() ? "; preload" : "");
  }

  @Override
  public void handle(RoutingContext context) {
    apply(context.request(), settings, hsts);
    context.next();
  }

  /** Adds the headers to a response directly (also used where no router runs). */
  public void apply(HttpServerRequest request) {
    apply(request, settings, hsts);
  }

  private static void apply(HttpServerRequest request, ReceiverSettings settings, String hsts) {
    MultiMap headers = request.response().headers();
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("X-XSS-Protection", "1; mode=block");
    headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
    headers.set("Permissions-Policy", PERMISSIONS);
    headers.set("Content-Security-Policy", settings.cspPolicy() != null ? settings.cspPolicy() : DEFAULT_CSP);
    if (request.isSSL() || settings.forceHttps() || forwardedHttps(request, settings)) {
      headers.set("Strict-Transport-Security", hsts);
    }
  }

  /** X-Forwarded-Proto is believed only from a trusted proxy (Python believes anyone). */
  private static boolean forwardedHttps(HttpServerRequest request, ReceiverSettings settings) {
    String proto = request.getHeader("X-Forwarded-Proto");
    return proto != null && proto.trim().equalsIgnoreCase("https")
        && settings.trustedProxyIps().contains(ClientIp.peer(request));
  }
}
