package io.cwm.connector;

import io.cwm.retry.RetryCurve;

/**
 * The circuit breaker of one HTTP target ({@code "circuit_breaker"} in connector.json, issue 16):
 * after {@code failureThreshold} deliveries in a row failed with a retryable failure (connection
 * refused, timeout, 5xx, 408, 429), the target's circuit opens; the connector then stops taking its
 * messages and tries one message (the probe) after {@code probeDelaySeconds}, doubling (by
 * {@code probeBackoffMultiplier}) up to {@code probeMaxDelaySeconds} between failed probes. A
 * probe that succeeds closes the circuit. On by default ({@link #DEFAULT}); {@code false} turns it off.
 *
 * @param failureThreshold retryable failures in a row that open the circuit (≥ 1)
 * @param probeDelaySeconds the wait before the first probe (&gt; 0)
 * @param probeMaxDelaySeconds the longest wait between probes (≥ probeDelaySeconds)
 * @param probeBackoffMultiplier growth of the wait after each failed probe (≥ 1)
 */
public record CircuitSettings(int failureThreshold, double probeDelaySeconds, double probeMaxDelaySeconds,
    double probeBackoffMultiplier) {

  public static final CircuitSettings DEFAULT = new CircuitSettings(5, 1, 60, 2);

  /** The waits before the probes: {@code probe n} (from 0) waits {@code curve().delayMillis(n)}. */
  public RetryCurve curve() {
    return RetryCurve.ofSeconds(probeDelaySeconds, probeBackoffMultiplier, probeMaxDelaySeconds);
  }
}
