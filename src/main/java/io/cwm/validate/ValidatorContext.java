package io.cwm.validate;

import io.cwm.config.Env;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What a validator may need beyond its own config block: a clock (rate limit, OAuth 1.0
 * timestamps, JWT expiry), the environment, and an HTTP client for the validators that call
 * out (reCAPTCHA, OAuth 2.0 introspection). The client is created lazily, once.
 */
public final class ValidatorContext {
  private final Clock clock;
  private final Env env;
  private final Supplier<WebClient> webClient;

  public ValidatorContext(Clock clock, Env env, Supplier<WebClient> webClient) {
    this.clock = clock;
    this.env = env;
    this.webClient = webClient;
  }

  /** A context whose web client is created on first use from {@code vertx}. */
  public static ValidatorContext create(Vertx vertx, Clock clock, Env env) {
    return new ValidatorContext(clock, env, new Supplier<>() {
      private WebClient client;

      @Override
      public synchronized WebClient get() {
        if (client == null) {
          client = WebClient.create(vertx);
        }
        return client;
      }
    });
  }

  public Clock clock() {
    return clock;
  }

  public Env env() {
    return env;
  }

  public WebClient webClient() {
    return webClient.get();
  }
}
