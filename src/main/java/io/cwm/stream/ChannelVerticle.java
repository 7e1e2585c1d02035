package io.cwm.stream;

import io.cwm.buffer.ChannelBufferVerticle;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;

/**
 * The {@code channel} verticle of {@code verticles.json}: one instance is both the buffer owner
 * and the stream owner of its channels, on one context. It serves the same event-bus addresses as
 * a {@code buffer} and a {@code stream} instance with that number (ingest, admin and the edges
 * call it as before), but its stream part leases, acks, nacks and releases by calling its buffer
 * part directly, and the buffer part's ready notices reach the stream part without a message: a
 * relayed webhook crosses the event bus once to reach the owner, once per message to the edge that
 * holds the session's socket, and its ack once back to the owner (issue 14, point 2).
 */
public final class ChannelVerticle implements Deployable {
  private final ChannelBufferVerticle buffer;
  private final StreamVerticle stream;

  /** Both parts for the same channels and the same instance number. */
  public ChannelVerticle(ChannelBufferVerticle buffer, StreamVerticle stream) {
    this.buffer = buffer;
    this.stream = stream;
    stream.useBuffer(buffer.local(stream::ready));
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    return buffer.deploy(context).compose(started -> {
      try {
        return stream.deploy(context).recover(failed -> undeployQuietly(buffer, context)
            .transform(done -> Future.failedFuture(failed)));
      } catch (Exception e) {
        return undeployQuietly(buffer, context).transform(done -> Future.failedFuture(e));
      }
    });
  }

  @Override
  public Future<?> undeploy(Context context) throws Exception {
    Future<?> streamStopped;
    try {
      streamStopped = stream.undeploy(context);
    } catch (Exception e) {
      streamStopped = Future.failedFuture(e);
    }
    return streamStopped.transform(done -> undeployQuietly(buffer, context)
        .transform(bufferDone -> done.succeeded() ? Future.succeededFuture() : Future.failedFuture(done.cause())));
  }

  private static Future<?> undeployQuietly(Deployable part, Context context) {
    try {
      return part.undeploy(context);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }
}
