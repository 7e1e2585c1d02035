package io.cwm.buffer;

import java.util.List;
import io.cwm.config.ChannelSpec;

/**
 * One operation on the buffer, sent to ChannelBufferVerticle over the local event bus. The
 * reply is a {@link Reply} whose value is what the matching {@link MessageBuffer} method returns.
 */
public record BufferCall(Op op, ChannelSpec channel, Envelope envelope, String owner, String messageId,
    int max, long millis, boolean retry, List<String> messageIds) {

  /** {@code millis}: the lease length of LEASE, the grace of ROTATE_TOKEN (whose hash is in owner). */
  public enum Op {
    PUBLISH, LEASE, ACK, NACK, RELEASE, OWNER, STATS, DEAD_LETTERS, REPLAY, DELETE_DEAD, TOKEN_STATE,
    ROTATE_TOKEN, PING
  }

  /** A reply value (any type) carried without copying. */
  public record Reply(Object value) {}

  static BufferCall of(Op op, ChannelSpec channel) {
    return new BufferCall(op, channel, null, null, null, 0, 0, false, null);
  }
}
