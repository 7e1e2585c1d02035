package io.cwm.http;

import io.cwm.config.ReceiverSettings;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * The first routes of the public listener: the hardening headers on every response and, when
 * {@code CORS_ALLOWED_ORIGINS} names origins, CORS for them.
 */
public final class Hardening implements Routes {
  private final ReceiverSettings settings;

  public Hardening(ReceiverSettings settings) {
    this.settings = settings;
  }

  @Override
  public void mount(Router router, Edge edge) {
    router.route().handler(new SecurityHeaders(settings));
    if (!settings.corsAllowedOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(settings.corsAllowedOrigins())
          .allowCredentials(true)
          .allowedMethods(Set.of(HttpMethod.POST, HttpMethod.GET, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Content-Type", "Authorization", "X-Requested-With",
              "X-HMAC-Signature", "X-HMAC-Signature-256", "X-Hub-Signature", "X-Hub-Signature-256",
              "X-API-Key", "X-Auth-Token", "X-Recaptcha-Token", "X-Forwarded-For", "X-Real-IP"))
          .maxAgeSeconds(600));
    }
  }
}
