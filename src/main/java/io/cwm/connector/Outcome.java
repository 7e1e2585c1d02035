package io.cwm.connector;

/**
 * What a delivery ended in, and therefore what the connector tells the receiver.
 *
 * @param verdict ACK, NACK_RETRY (the receiver redelivers later) or NACK_DROP (dead letter)
 * @param reason short text for the log (no secrets, no payload)
 * @param backoffMillis NACK_RETRY: how long the connector waits before sending the nack, so a
 *     receiver that redelivers a nacked message at once does not loop hot; 0 otherwise
 */
public record Outcome(Verdict verdict, String reason, long backoffMillis) {

  public enum Verdict { ACK, NACK_RETRY, NACK_DROP }

  public static Outcome ack() {
    return new Outcome(Verdict.ACK, "delivered", 0);
  }

  public static Outcome retry(String reason, long backoffMillis) {
    return new Outcome(Verdict.NACK_RETRY, reason, backoffMillis);
  }

  public static Outcome drop(String reason) {
    return new Outcome(Verdict.NACK_DROP, reason, 0);
  }
}
