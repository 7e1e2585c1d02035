package io.cwm.buffer;

/** Why a buffer refused a publish (or could not be reached). */
public final class BufferException extends RuntimeException {
  public enum Reason { QUEUE_FULL, TOO_LARGE, UNAVAILABLE, UNKNOWN_CHANNEL }

  private final Reason reason;

  public BufferException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
