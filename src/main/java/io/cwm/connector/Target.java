package io.cwm.connector;

import java.util.Map;

/**
 * An HTTP-mode delivery target (spec §8.2): {@code default_target} or a value of
 * {@code targets}. Defaults: method POST, no headers, 30 s timeout, retries on, 3 attempts,
 * 1 s delay doubling (capped at 60 s).
 *
 * @param url where to send (http or https)
 * @param method HTTP method, upper case
 * @param headers extra headers, sent first (insertion order kept)
 * @param timeoutSeconds bound of one attempt (connect + response)
 * @param retryEnabled false: exactly one attempt
 * @param retryMaxAttempts total attempts when retries are on (≥ 1)
 * @param retryDelaySeconds pause before the second attempt
 * @param retryBackoffMultiplier pause growth after each pause
 * @param circuitBreaker its circuit breaker ({@code circuit_breaker}); null: none (turned off)
 */
public record Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
    boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier,
    CircuitSettings circuitBreaker) {

  public static final double MAX_RETRY_DELAY_SECONDS = 60;

  /** A target with the default circuit breaker. */
  public Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
      boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier) {
    this(url, method, headers, timeoutSeconds, retryEnabled, retryMaxAttempts, retryDelaySeconds,
        retryBackoffMultiplier, CircuitSettings.DEFAULT);
  }

  /** Attempts this target makes for one delivery. */
  public int attempts() {
    return retryEnabled ? retryMaxAttempts : 1;
  }
}
