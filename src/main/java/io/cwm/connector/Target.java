package io.cwm.connector;

import io.cwm.filter.Filter;
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
 * @param filters which messages this target gets ({@code filters}); null: all of them. The others
 *     are acked without delivery (they leave the receiver's buffer)
 * @param sign re-signing of each request (Standard Webhooks) with the target's secret, or null
 * @param circuitBreaker its circuit breaker ({@code circuit_breaker}); null: none (turned off)
 */
public record Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
    boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier,
    Filter filters, Signing sign, CircuitSettings circuitBreaker) {

  public static final double MAX_RETRY_DELAY_SECONDS = 60;

  /** A target with filters that does not re-sign, with the default circuit breaker. */
  public Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
      boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier,
      Filter filters) {
    this(url, method, headers, timeoutSeconds, retryEnabled, retryMaxAttempts, retryDelaySeconds,
        retryBackoffMultiplier, filters, null, CircuitSettings.DEFAULT);
  }

  /** A target without filters that re-signs with {@code sign}, with the default circuit breaker. */
  public Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
      boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier,
      Signing sign) {
    this(url, method, headers, timeoutSeconds, retryEnabled, retryMaxAttempts, retryDelaySeconds,
        retryBackoffMultiplier, null, sign, CircuitSettings.DEFAULT);
  }

  /** A target without filters nor re-signing, with the given circuit breaker (null: none). */
  public Target(String url, String method, Map<String, String> headers, double timeoutSeconds,
      boolean retryEnabled, int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier,
      CircuitSettings circuitBreaker) {
    this(url, method, headers, timeoutSeconds, retryEnabled, retryMaxAttempts, retryDelaySeconds,
        retryBackoffMultiplier, null, null, circuitBreaker);
  }

  /** A target without filters nor re-signing, with the default circuit breaker. */
  public Target(String url, String method, Map<String, String> headers, double timeoutSeconds, boolean retryEnabled,
      int retryMaxAttempts, double retryDelaySeconds, double retryBackoffMultiplier) {
    this(url, method, headers, timeoutSeconds, retryEnabled, retryMaxAttempts, retryDelaySeconds,
        retryBackoffMultiplier, null, null, CircuitSettings.DEFAULT);
  }

  /** Attempts this target makes for one delivery. */
  public int attempts() {
    return retryEnabled ? retryMaxAttempts : 1;
  }
}
