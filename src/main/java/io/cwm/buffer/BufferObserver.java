package io.cwm.buffer;

import io.cwm.config.ChannelSpec;

/**
 * Told of every buffer operation that succeeded, on the owning {@link ChannelBufferVerticle}'s
 * event loop (several instances call it at once: implementations are thread-safe and never
 * block). The operator console's message trail is one ({@code io.cwm.console.MessageTrail}); it
 * only watches: a failure inside it is logged and never fails the operation.
 */
public interface BufferObserver {
  BufferObserver NONE = new BufferObserver() {
    @Override
    public void completed(BufferCall<?> call, Object result) {
    }
  };

  /** {@code call} succeeded with {@code result} (what its {@link MessageBuffer} method answered). */
  void completed(BufferCall<?> call, Object result);

  /** {@code count} leases of {@code channel} expired without an answer and were requeued. */
  default void leasesExpired(ChannelSpec channel, int count) {
  }
}
