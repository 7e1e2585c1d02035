package io.cwm.stream;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A call to the stream side that StreamVerticle refused, typed: callers (the streaming edge, the
 * admin API) test {@link #reason()} or fail their routing context with it as it is (its
 * {@link FailureCode} gives the HTTP answer).
 *
 * <p>On the event bus (locally, and between the nodes of a cluster) a refusal travels as a reply
 * failure with the reason's {@link Reason#busCode}; this class is the one place that encodes
 * ({@link #fail}) and decodes ({@link #decode}) it.
 */
public final class StreamFailure extends CwmException {
  /** Why the call was refused. */
  public enum Reason {
    /** Open or poll: the channel already has max_connections sessions. */
    FULL(1, FailureCode.BUSY, "Max connections reached"),
    /** The channel is not defined. */
    UNKNOWN_CHANNEL(2, FailureCode.NOT_FOUND, "Channel not found"),
    /** Disconnect: no such session. */
    NOT_FOUND(3, FailureCode.NOT_FOUND, "Connection not found"),
    /** Disconnect: the session belongs to another channel. */
    WRONG_CHANNEL(4, FailureCode.BAD_REQUEST, "Connection not on this channel");

    /** The reply failure code on the event bus (kept stable: other nodes of a cluster read it). */
    final int busCode;
    private final FailureCode code;
    private final String detail;

    Reason(int busCode, FailureCode code, String detail) {
      this.busCode = busCode;
      this.code = code;
      this.detail = detail;
    }
  }

  private final Reason reason;

  public StreamFailure(Reason reason) {
    super(reason.code, reason.detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** Whether {@code failure} is a refusal for this reason. */
  public static boolean is(Throwable failure, Reason reason) {
    return failure instanceof StreamFailure refused && refused.reason == reason;
  }

  /** Answers {@code message} with this refusal. */
  static void fail(Message<?> message, Reason reason) {
    message.fail(reason.busCode, reason.detail);
  }

  /**
   * The failure of a request to the stream side as callers see it: a {@link StreamFailure} when
   * the recipient refused with one of the reasons, else {@code failure} unchanged (a timeout, no
   * handler).
   */
  public static Throwable decode(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      for (Reason reason : Reason.values()) {
        if (reason.busCode == reply.failureCode()) {
          return new StreamFailure(reason);
        }
      }
    }
    return failure;
  }
}
