package io.cwm.connect;

import io.cwm.bus.Addresses;
import io.cwm.stream.StreamCall;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** The edge's side of StreamVerticle: one event-bus request per call. */
final class StreamClient {
  private final Vertx vertx;

  StreamClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @SuppressWarnings("unchecked")
  <T> Future<T> call(StreamCall call, long timeoutMillis) {
    return vertx.eventBus()
        .<StreamCall.Reply>request(Addresses.STREAM_CALL, call, new DeliveryOptions().setSendTimeout(timeoutMillis))
        .map(reply -> (T) reply.body().value());
  }

  <T> Future<T> call(StreamCall call) {
    return call(call, 30_000);
  }

  static StreamCall open(String channel, String connectionId, String connectorId, String protocol) {
    return new StreamCall(StreamCall.Op.OPEN, channel, connectionId, connectorId, protocol, null, false, false, 0, 0);
  }

  static StreamCall close(String channel, String connectionId) {
    return new StreamCall(StreamCall.Op.CLOSE, channel, connectionId, null, null, null, false, false, 0, 0);
  }

  static StreamCall settle(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    return new StreamCall(ack ? StreamCall.Op.ACK : StreamCall.Op.NACK, channel, connectionId, null, null,
        messageId, ack, retry, 0, 0);
  }

  static StreamCall settleAny(String channel, String connectionId, String messageId, boolean ack, boolean retry) {
    return new StreamCall(StreamCall.Op.SETTLE_ANY, channel, connectionId, null, null, messageId, ack, retry, 0, 0);
  }

  static StreamCall poll(String channel, String connectionId, String connectorId, int max, long timeoutMillis) {
    return new StreamCall(StreamCall.Op.POLL, channel, connectionId, connectorId, "long_poll", null, false, false,
        max, timeoutMillis);
  }

  static StreamCall cancelPoll(String channel, String connectionId) {
    return new StreamCall(StreamCall.Op.CANCEL_POLL, channel, connectionId, null, null, null, false, false, 0, 0);
  }

  static StreamCall count(String channel) {
    return new StreamCall(StreamCall.Op.COUNT, channel, null, null, null, null, false, false, 0, 0);
  }
}
