package io.cwm.buffer;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/**
 * How a {@link BufferException} crosses the event bus, in both directions: the one place that
 * writes and reads the failure codes of {@code cwm.buffer.call}. {@link ChannelBufferVerticle}
 * fails a call with the reason's code and the exception's message ({@link #fail}); {@link BufferClient}
 * turns that reply failure back into a BufferException with the same reason and message
 * ({@link #decode}). Anything else (no answer in time, no consumer, a backend failure that is not
 * a BufferException) becomes UNAVAILABLE.
 */
final class BufferFailures {
  private BufferFailures() {}

  /** Fails the call with {@code failure}'s reason and message; answers the BufferException sent. */
  static BufferException fail(Message<?> call, Throwable failure) {
    BufferException sent = decode(failure);
    call.fail(code(sent.reason()), sent.getMessage());
    return sent;
  }

  /** The failure as a BufferException: itself, the one a reply failure carries, else UNAVAILABLE. */
  static BufferException decode(Throwable failure) {
    if (failure instanceof BufferException buffer) {
      return buffer;
    }
    if (failure instanceof ReplyException reply && reply.failureCode() >= 0
        && reply.failureCode() < BufferException.Reason.values().length) {
      return new BufferException(BufferException.Reason.values()[reply.failureCode()], reply.getMessage());
    }
    return new BufferException(BufferException.Reason.UNAVAILABLE, "message buffer did not answer");
  }

  /** Both ends run in one process from one build: the ordinal is a stable code between them. */
  private static int code(BufferException.Reason reason) {
    return reason.ordinal();
  }
}
