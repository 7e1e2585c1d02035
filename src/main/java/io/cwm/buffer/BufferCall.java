package io.cwm.buffer;

import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One operation on the buffer, sent by {@link BufferClient} to {@link ChannelBufferVerticle} over
 * the local event bus: one record per {@link MessageBuffer} method, carrying exactly that method's
 * arguments. The verticle runs it on the backend ({@link #runOn}) and answers a {@link Reply}
 * holding what the method returned ({@code T}); a failure crosses as described in
 * {@link BufferFailures}. Records pass with local codecs ({@link #messageTypes}), never copied.
 *
 * @param <T> what the call answers
 */
public sealed interface BufferCall<T> {

  /** The channel the call is about; null for {@link Ping}. */
  ChannelSpec channel();

  /** Runs the call on the backend: the matching {@link MessageBuffer} method. */
  Future<T> runOn(MessageBuffer backend);

  /**
   * Whether this successful result made messages ready for delivery, so the channel's stream
   * verticles should lease now (a publish; a release or replay that moved any).
   */
  default boolean madeReady(T result) {
    return false;
  }

  /** A reply value (any type, null included) carried without copying. */
  record Reply(Object value) {}

  /** Every class sent on {@code cwm.buffer.call} or answered there: each needs its local codec. */
  static List<Class<?>> messageTypes() {
    List<Class<?>> types = new ArrayList<>(List.of(BufferCall.class.getPermittedSubclasses()));
    types.add(Reply.class);
    return List.copyOf(types);
  }

  /** {@link MessageBuffer#publish}. */
  /** {@code storedHead}: the envelope's stored JSON up to its sequence, encoded by the caller (null: none). */
  record Publish(ChannelSpec channel, Envelope envelope, byte[] storedHead) implements BufferCall<Envelope> {
    @Override
    public Future<Envelope> runOn(MessageBuffer backend) {
      return storedHead == null ? backend.publish(channel, envelope) : backend.publish(channel, envelope, storedHead);
    }

    @Override
    public boolean madeReady(Envelope stored) {
      return !MessageBuffer.isDuplicate(envelope, stored);
    }
  }

  /** {@link MessageBuffer#lease}. */
  record Lease(ChannelSpec channel, String owner, int max, long leaseMillis) implements BufferCall<List<Envelope>> {
    @Override
    public Future<List<Envelope>> runOn(MessageBuffer backend) {
      return backend.lease(channel, owner, max, leaseMillis);
    }
  }

  /** {@link MessageBuffer#ack}. */
  record Ack(ChannelSpec channel, String messageId) implements BufferCall<Boolean> {
    @Override
    public Future<Boolean> runOn(MessageBuffer backend) {
      return backend.ack(channel, messageId);
    }
  }

  /** {@link MessageBuffer#nack}. */
  record Nack(ChannelSpec channel, String messageId, boolean retry) implements BufferCall<MessageBuffer.NackOutcome> {
    @Override
    public Future<MessageBuffer.NackOutcome> runOn(MessageBuffer backend) {
      return backend.nack(channel, messageId, retry);
    }
  }

  /** {@link MessageBuffer#release}. */
  record Release(ChannelSpec channel, String owner, Set<String> uncounted) implements BufferCall<Integer> {
    @Override
    public Future<Integer> runOn(MessageBuffer backend) {
      return backend.release(channel, owner, uncounted);
    }

    @Override
    public boolean madeReady(Integer released) {
      return released > 0;
    }
  }

  /** {@link MessageBuffer#leaseOwner}. */
  record LeaseOwner(ChannelSpec channel, String messageId) implements BufferCall<String> {
    @Override
    public Future<String> runOn(MessageBuffer backend) {
      return backend.leaseOwner(channel, messageId);
    }
  }

  /** {@link MessageBuffer#stats}. */
  record Stats(ChannelSpec channel) implements BufferCall<ChannelStats> {
    @Override
    public Future<ChannelStats> runOn(MessageBuffer backend) {
      return backend.stats(channel);
    }
  }

  /** {@link MessageBuffer#deadLetters}. */
  record DeadLetters(ChannelSpec channel, int limit) implements BufferCall<List<JsonObject>> {
    @Override
    public Future<List<JsonObject>> runOn(MessageBuffer backend) {
      return backend.deadLetters(channel, limit);
    }
  }

  /** {@link MessageBuffer#replayDeadLetters}; {@code messageIds} null: every dead letter of the channel. */
  record Replay(ChannelSpec channel, List<String> messageIds) implements BufferCall<List<String>> {
    public Replay {
      messageIds = messageIds == null ? null : List.copyOf(messageIds);
    }

    @Override
    public Future<List<String>> runOn(MessageBuffer backend) {
      return backend.replayDeadLetters(channel, messageIds);
    }

    @Override
    public boolean madeReady(List<String> replayed) {
      return !replayed.isEmpty();
    }
  }

  /** {@link MessageBuffer#deleteDeadLetter}. */
  record DeleteDeadLetter(ChannelSpec channel, String messageId) implements BufferCall<Boolean> {
    @Override
    public Future<Boolean> runOn(MessageBuffer backend) {
      return backend.deleteDeadLetter(channel, messageId);
    }
  }

  /** {@link MessageBuffer#tokenState}. */
  record ReadToken(ChannelSpec channel) implements BufferCall<TokenState> {
    @Override
    public Future<TokenState> runOn(MessageBuffer backend) {
      return backend.tokenState(channel);
    }
  }

  /** {@link MessageBuffer#rotateToken}. */
  record RotateToken(ChannelSpec channel, String newTokenHash, long graceMillis) implements BufferCall<TokenState> {
    @Override
    public Future<TokenState> runOn(MessageBuffer backend) {
      return backend.rotateToken(channel, newTokenHash, graceMillis);
    }
  }

  /** {@link MessageBuffer#ping}; answered false, not failed, while the backend is not open. */
  record Ping() implements BufferCall<Boolean> {
    @Override
    public ChannelSpec channel() {
      return null;
    }

    @Override
    public Future<Boolean> runOn(MessageBuffer backend) {
      return backend.ping();
    }
  }
}
