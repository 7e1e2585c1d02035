package io.cwm.connector;

/**
 * A link whose acks and nacks travel as {@code POST /connect/ack} requests (SSE and long-poll),
 * not on the stream itself as WebSocket frames do.
 */
abstract class PostedAckLink extends StreamLink {
  PostedAckLink(Listener listener) {
    super(listener);
  }

  /** This link's poster, bound to the receiver, the channel token and (once known) the connection id. */
  abstract AckPoster acks();

  @Override
  final void ack(String messageId) {
    acks().ack(messageId);
  }

  @Override
  final void nack(String messageId, boolean retry) {
    acks().nack(messageId, retry);
  }

  @Override
  final void flow(Integer maxInFlight, io.vertx.core.json.JsonArray circuits) {
    acks().flow(maxInFlight, circuits);
  }
}
