package io.cwm.stream.edge;

import io.cwm.bus.Addresses;
import io.cwm.stream.StreamCall;
import io.cwm.stream.StreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** The edge's side of StreamVerticle: one event-bus request per call; refusals come back as {@link StreamFailure}s. */
public final class StreamClient {
  private final Vertx vertx;

  public StreamClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @SuppressWarnings("unchecked")
  public <T> Future<T> call(StreamCall call, long timeoutMillis) {
    return vertx.eventBus()
        .<StreamCall.Reply>request(Addresses.STREAM_CALL, call, new DeliveryOptions().setSendTimeout(timeoutMillis).setLocalOnly(true))
        .transform(done -> done.succeeded() ? Future.succeededFuture((T) done.result().body().value())
            : Future.failedFuture(StreamFailure.decode(done.cause())));
  }

  /** Fire and forget (no reply is waited for). */
  void send(StreamCall call) {
    vertx.eventBus().send(Addresses.STREAM_CALL, call, Addresses.LOCAL);
  }

  public <T> Future<T> call(StreamCall call) {
    return call(call, 30_000);
  }

  static StreamCall open(String channel, String connectionId, String connectorId, String protocol, String remoteIp) {
    return new StreamCall(StreamCall.Op.OPEN, channel, connectionId, connectorId, protocol, null, false, false, 0, 0,
        remoteIp, null);
  }

  static StreamCall close(String channel, String connectionId) {
    return new StreamCall(StreamCall.Op.CLOSE, channel, connectionId, null, null, null, false, false, 0, 0, null, null);
  }

  static StreamCall settle(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    return new StreamCall(ack ? StreamCall.Op.ACK : StreamCall.Op.NACK, channel, connectionId, null, null,
        messageId, ack, retry, 0, 0, null, null);
  }

  static StreamCall settleAny(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    return new StreamCall(StreamCall.Op.SETTLE_ANY, channel, connectionId, null, null, messageId, ack, retry, 0, 0,
        null, null);
  }

  static StreamCall poll(String channel, String connectionId, String connectorId, int max, long timeoutMillis,
      String remoteIp, String pollId) {
    return new StreamCall(StreamCall.Op.POLL, channel, connectionId, connectorId, "long_poll", null, false, false,
        max, timeoutMillis, remoteIp, pollId);
  }

  static StreamCall cancelPoll(String channel, String connectionId, String pollId) {
    return new StreamCall(StreamCall.Op.CANCEL_POLL, channel, connectionId, null, null, null, false, false, 0, 0, null,
        pollId);
  }

  public static StreamCall count(String channel) {
    return new StreamCall(StreamCall.Op.COUNT, channel, null, null, null, null, false, false, 0, 0, null, null);
  }

  static StreamCall heartbeat(String channel, String connectionId) {
    return new StreamCall(StreamCall.Op.HEARTBEAT, channel, connectionId, null, null, null, false, false, 0, 0, null,
        null);
  }

  /** The admin view of a channel's sessions: a {@code List<JsonObject>}. */
  public static StreamCall clients(String channel) {
    return new StreamCall(StreamCall.Op.CLIENTS, channel, null, null, null, null, false, false, 0, 0, null, null);
  }

  /** Ends a session for an admin; fails with a StreamFailure NOT_FOUND or WRONG_CHANNEL. */
  public static StreamCall disconnect(String channel, String connectionId) {
    return new StreamCall(StreamCall.Op.DISCONNECT, channel, connectionId, null, null, null, false, false, 0, 0, null,
        null);
  }

  /** Every session this process holds, all channels (channel null) or one. */
  public static StreamCall sessions(String channel) {
    return new StreamCall(StreamCall.Op.SESSIONS, channel, null, null, null, null, false, false, 0, 0, null, null);
  }
}
