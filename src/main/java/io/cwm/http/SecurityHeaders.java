package io.cwm.http;

import io.cwm.config.ReceiverSettings;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
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
  private final CharSequence hsts;
  private final CharSequence csp;

  public SecurityHeaders(ReceiverSettings settings) {
    this.settings = settings;
    this.hsts = HttpHeaders.createOptimized("max-age=" + settings.hstsMaxAge()
        + (settings.hstsIncludeSubdomains() ? "; includeSubDomains" : "")
        + (settings.hstsPreload() ? "; preload" : ""));
    this.csp = HttpHeaders.createOptimized(settings.cspPolicy() != null ? settings.cspPolicy() : DEFAULT_CSP);
  }

  @Override
  public void handle(RoutingContext context) {
    apply(context.request(), settings, csp, hsts);
    context.next();
  }

  /** Adds the headers to a response directly (also used where no router runs). */
  public void apply(HttpServerRequest request) {
    apply(request, settings, csp, hsts);
  }

  // pre-encoded names and values: these headers go out on every response
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_NAME = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence XSS_NAME = HttpHeaders.createOptimized("X-XSS-Protection");
  private static final CharSequence XSS = HttpHeaders.createOptimized("1; mode=block");
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence REFERRER = HttpHeaders.createOptimized("strict-origin-when-cross-origin");
  private static final CharSequence PERMISSIONS_NAME = HttpHeaders.createOptimized("Permissions-Policy");
  private static final CharSequence PERMISSIONS_VALUE = HttpHeaders.createOptimized(PERMISSIONS);
  private static final CharSequence CSP_NAME = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence HSTS_NAME = HttpHeaders.createOptimized("Strict-Transport-Security");

  private static void apply(HttpServerRequest request, ReceiverSettings settings, CharSequence csp,
      CharSequence hsts) {
    MultiMap headers = request.response().headers();
    headers.set(NOSNIFF_NAME, NOSNIFF);
    headers.set(FRAME_NAME, DENY);
    headers.set(XSS_NAME, XSS);
    headers.set(REFERRER_NAME, REFERRER);
    headers.set(PERMISSIONS_NAME, PERMISSIONS_VALUE);
    headers.set(CSP_NAME, csp);
    if (request.isSSL() || settings.forceHttps() || forwardedHttps(request, settings)) {
      headers.set(HSTS_NAME, hsts);
    }
  }

  /** X-Forwarded-Proto is believed only from a trusted proxy: anyone else could fake HTTPS. */
  private static boolean forwardedHttps(HttpServerRequest request, ReceiverSettings settings) {
    String proto = request.getHeader("X-Forwarded-Proto");
    return proto != null && proto.trim().equalsIgnoreCase("https")
        && settings.trustedProxyIps().contains(ClientIp.peer(request));
  }
}
