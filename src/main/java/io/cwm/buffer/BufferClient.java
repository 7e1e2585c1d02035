package io.cwm.buffer;

import io.cwm.bus.ChannelDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import io.cwm.config.ChannelSpec;

/**
 * The buffer as seen from any other verticle: the {@link MessageBuffer} contract over the local
 * event bus. Each method sends its {@link BufferCall} record to the {@link ChannelBufferVerticle}
 * instance that owns the channel ({@link ChannelDirectory}), the only code that talks to the
 * backend; failures come back as the same {@link BufferException} ({@link BufferFailures}).
 * The stream part of a {@code channel} verticle uses one that runs the records directly on the
 * buffer part beside it ({@link ChannelBufferVerticle#local}).
 */
public final class BufferClient implements MessageBuffer {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

  /** Where a call record goes and its answer comes from. */
  interface Transport {
    <T> Future<T> call(BufferCall<T> call);
  }

  private final Transport transport;

  /** Over the event bus, to the instance that owns the call's channel. */
  public BufferClient(Vertx vertx) {
    ChannelDirectory owners = ChannelDirectory.buffer(vertx);
    this.transport = new Transport() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> Future<T> call(BufferCall<T> call) {
        String address = call.channel() == null ? owners.sharedAddress() : owners.address(call.channel().name());
        return vertx.eventBus().<BufferCall.Reply>request(address, call, OPTIONS)
            .recover(failure -> Future.failedFuture(BufferFailures.decode(failure)))
            .map(message -> (T) message.body().value());
      }
    };
  }

  BufferClient(Transport transport) {
    this.transport = transport;
  }

  private <T> Future<T> call(BufferCall<T> call) {
    return transport.call(call);
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
    byte[] head;
    try {
      head = envelope.storedHead(); // here, on the caller's thread: the owner only splices the sequence in
    } catch (RuntimeException unencodable) {
      head = null; // the backend encodes it and refuses it
    }
    return call(new BufferCall.Publish(channel, envelope, head));
  }

  @Override
  public Future<List<Envelope>> lease(ChannelSpec channel, String owner, int max, long leaseMillis) {
    return call(new BufferCall.Lease(channel, owner, max, leaseMillis));
  }

  @Override
  public Future<Boolean> ack(ChannelSpec channel, String messageId) {
    return call(new BufferCall.Ack(channel, messageId));
  }

  @Override
  public Future<NackOutcome> nack(ChannelSpec channel, String messageId, boolean retry) {
    return call(new BufferCall.Nack(channel, messageId, retry));
  }

  @Override
  public Future<Integer> release(ChannelSpec channel, String owner, Set<String> uncounted) {
    return call(new BufferCall.Release(channel, owner, uncounted));
  }

  @Override
  public Future<Integer> reclaimExpiredLeases(ChannelSpec channel) {
    return Future.succeededFuture(0); // ChannelBufferVerticle reclaims on its own timer
  }

  @Override
  public Future<String> leaseOwner(ChannelSpec channel, String messageId) {
    return call(new BufferCall.LeaseOwner(channel, messageId));
  }

  @Override
  public Future<ChannelStats> stats(ChannelSpec channel) {
    return call(new BufferCall.Stats(channel));
  }

  @Override
  public Future<List<JsonObject>> deadLetters(ChannelSpec channel, int limit) {
    return call(new BufferCall.DeadLetters(channel, limit));
  }

  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec channel, List<String> messageIds) {
    return call(new BufferCall.Replay(channel, messageIds));
  }

  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec channel, String messageId) {
    return call(new BufferCall.DeleteDeadLetter(channel, messageId));
  }

  @Override
  public Future<TokenState> tokenState(ChannelSpec channel) {
    return call(new BufferCall.ReadToken(channel));
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec channel, String newTokenHash, long graceMillis) {
    return call(new BufferCall.RotateToken(channel, newTokenHash, graceMillis));
  }

  @Override
  public Future<Boolean> ping() {
    return call(new BufferCall.Ping()).recover(failure -> Future.succeededFuture(false));
  }
}
