package io.cwm.buffer;

import io.cwm.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import io.cwm.config.ChannelSpec;

/**
 * The buffer as seen from any other verticle: each call is an event-bus request to
 * ChannelBufferVerticle, the only code that talks to the backend. Failures come back as
 * {@link BufferException}s.
 */
public final class BufferClient implements MessageBuffer {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);
  private final Vertx vertx;

  public BufferClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> call(BufferCall call) {
    return vertx.eventBus().<BufferCall.Reply>request(Addresses.BUFFER_CALL, call, OPTIONS)
        .recover(failure -> Future.failedFuture(toBufferException(failure)))
        .map(message -> (T) message.body().value());
  }

  static BufferException toBufferException(Throwable failure) {
    if (failure instanceof BufferException buffer) {
      return buffer;
    }
    if (failure instanceof ReplyException reply && reply.failureCode() >= 0
        && reply.failureCode() < BufferException.Reason.values().length) {
      return new BufferException(BufferException.Reason.values()[reply.failureCode()], reply.getMessage());
    }
    return new BufferException(BufferException.Reason.UNAVAILABLE, "message buffer did not answer");
  }

  @Override
  public Future<Void> open(Collection<ChannelSpec> channels) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Envelope> publish(ChannelSpec channel, Envelope envelope) {
    return call(new BufferCall(BufferCall.Op.PUBLISH, channel, envelope, null, null, 0, 0, false, null));
  }

  @Override
  public Future<List<Envelope>> lease(ChannelSpec channel, String owner, int max, long leaseMillis) {
    return call(new BufferCall(BufferCall.Op.LEASE, channel, null, owner, null, max, leaseMillis, false, null));
  }

  @Override
  public Future<Boolean> ack(ChannelSpec channel, String messageId) {
    return call(new BufferCall(BufferCall.Op.ACK, channel, null, null, messageId, 0, 0, false, null));
  }

  @Override
  public Future<NackOutcome> nack(ChannelSpec channel, String messageId, boolean retry) {
    return call(new BufferCall(BufferCall.Op.NACK, channel, null, null, messageId, 0, 0, retry, null));
  }

  @Override
  public Future<Integer> release(ChannelSpec channel, String owner) {
    return call(new BufferCall(BufferCall.Op.RELEASE, channel, null, owner, null, 0, 0, false, null));
  }

  @Override
  public Future<Integer> reclaimExpiredLeases(ChannelSpec channel) {
    return Future.succeededFuture(0); // ChannelBufferVerticle reclaims on its own timer
  }

  @Override
  public Future<String> leaseOwner(ChannelSpec channel, String messageId) {
    return call(new BufferCall(BufferCall.Op.OWNER, channel, null, null, messageId, 0, 0, false, null));
  }

  @Override
  public Future<ChannelStats> stats(ChannelSpec channel) {
    return call(BufferCall.of(BufferCall.Op.STATS, channel));
  }

  @Override
  public Future<List<JsonObject>> deadLetters(ChannelSpec channel, int limit) {
    return call(new BufferCall(BufferCall.Op.DEAD_LETTERS, channel, null, null, null, limit, 0, false, null));
  }

  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec channel, List<String> messageIds) {
    return call(new BufferCall(BufferCall.Op.REPLAY, channel, null, null, null, 0, 0, false,
        messageIds == null ? null : List.copyOf(messageIds)));
  }

  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec channel, String messageId) {
    return call(new BufferCall(BufferCall.Op.DELETE_DEAD, channel, null, null, messageId, 0, 0, false, null));
  }

  @Override
  public Future<TokenState> tokenState(ChannelSpec channel) {
    return call(BufferCall.of(BufferCall.Op.TOKEN_STATE, channel));
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec channel, String newTokenHash, long graceMillis) {
    return call(new BufferCall(BufferCall.Op.ROTATE_TOKEN, channel, null, newTokenHash, null, 0, graceMillis, false, null));
  }

  @Override
  public Future<Boolean> ping() {
    return this.<Boolean>call(BufferCall.of(BufferCall.Op.PING, null)).recover(failure -> Future.succeededFuture(false));
  }
}
