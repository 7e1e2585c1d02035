package io.cwm.stream;

import io.cwm.buffer.Envelope;
import io.cwm.bus.Addresses;
import io.cwm.bus.ChannelDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link StreamService} as seen from any other verticle: each call is one local event-bus request
 * with a {@link StreamCall} record to the StreamVerticle instance that owns the channel
 * ({@link ChannelDirectory}); refusals come back as {@link StreamFailure}s.
 */
public final class StreamClient implements StreamService {
  /** How long a call may take unless the client is built with another timeout. */
  public static final long DEFAULT_TIMEOUT_MS = 30_000;
  /** A poll is answered within its own timeout; this much more before the request gives up. */
  private static final long POLL_MARGIN_MS = 10_000;

  private final Vertx vertx;
  private final DeliveryOptions options;
  private final ChannelDirectory owners;

  public StreamClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS);
  }

  /** @param timeoutMillis how long each call (but a poll) may take */
  public StreamClient(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis).setLocalOnly(true);
    this.owners = ChannelDirectory.stream(vertx);
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> request(StreamCall call, DeliveryOptions options) {
    return vertx.eventBus().<StreamCall.Reply>request(owners.address(call.channel()), call, options)
        .transform(done -> done.succeeded() ? Future.succeededFuture((T) done.result().body().value())
            : Future.failedFuture(StreamFailure.decode(done.cause())));
  }

  @Override
  public Future<Void> open(String channel, String connectionId, String connectorId, String protocol,
      String remoteIp) {
    return request(new StreamCall.Open(channel, connectionId, connectorId, protocol, remoteIp), options);
  }

  @Override
  public Future<Void> close(String channel, String connectionId) {
    return request(new StreamCall.Close(channel, connectionId), options);
  }

  @Override
  public Future<Boolean> settle(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    return request(new StreamCall.Settle(channel, connectionId, messageId, ack, retry), options);
  }

  @Override
  public void settleNoReply(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    vertx.eventBus().send(owners.address(channel), new StreamCall.Settle(channel, connectionId, messageId, ack, retry),
        options);
  }

  @Override
  public Future<Boolean> settleAny(String channel, String connectionId, String messageId, boolean ack,
      boolean retry) {
    return request(new StreamCall.SettleAny(channel, connectionId, messageId, ack, retry), options);
  }

  @Override
  public Future<List<Envelope>> poll(String channel, String connectionId, String connectorId, int max,
      long timeoutMillis, String remoteIp, String pollId) {
    return request(new StreamCall.Poll(channel, connectionId, connectorId, max, timeoutMillis, remoteIp, pollId),
        new DeliveryOptions().setSendTimeout(timeoutMillis + POLL_MARGIN_MS).setLocalOnly(true));
  }

  @Override
  public Future<Void> cancelPoll(String channel, String connectionId, String pollId) {
    return request(new StreamCall.CancelPoll(channel, connectionId, pollId), options);
  }

  @Override
  public Future<Integer> flow(String channel, String connectionId, Integer maxInFlight,
      io.vertx.core.json.JsonArray circuits) {
    return request(new StreamCall.Flow(channel, connectionId, maxInFlight, circuits), options);
  }

  @Override
  public void heartbeat(String channel, String connectionId) {
    vertx.eventBus().send(owners.address(channel), new StreamCall.Heartbeat(channel, connectionId), Addresses.LOCAL);
  }

  @Override
  public Future<Integer> count(String channel) {
    return request(new StreamCall.Count(channel), options);
  }

  @Override
  public Future<Integer> sessions(String channel) {
    if (channel != null) {
      return request(new StreamCall.Sessions(channel), options);
    }
    List<Future<Integer>> each = new ArrayList<>();
    owners.channels().forEach(name -> each.add(request(new StreamCall.Sessions(name), options)));
    return Future.all(each).map(done -> each.stream().mapToInt(Future::result).sum());
  }

  @Override
  public Future<List<JsonObject>> clients(String channel) {
    return request(new StreamCall.Clients(channel), options);
  }

  @Override
  public Future<Void> disconnect(String channel, String connectionId) {
    return request(new StreamCall.Disconnect(channel, connectionId), options);
  }
}
