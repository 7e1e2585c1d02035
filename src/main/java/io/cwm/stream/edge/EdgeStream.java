package io.cwm.stream.edge;

import io.cwm.buffer.Envelope;
import io.cwm.bus.Addresses;
import io.cwm.config.ChannelSpec;
import io.cwm.stream.SessionEnd;
import io.cwm.stream.StreamFailure;
import io.cwm.stream.StreamService;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * The edge's half of one streaming session (WebSocket or SSE): registers the frame consumer,
 * opens the session at the stream side, writes {@code connected} first (frames that arrive
 * earlier wait), runs the heartbeat timer, and gives everything back exactly once when the
 * transport goes away. Subclasses write the protocol's bytes.
 */
abstract class EdgeStream {
  protected final Vertx vertx;
  protected final StreamService streams;
  protected final ChannelSpec channel;
  protected final String connectionId;
  protected final String connectorId;
  private final String protocol;
  private final String remoteIp;
  /** Digest of the token this stream authenticated with: it ends when that token expires. */
  final String tokenHash;
  private final OpenStreams open;
  private final List<Envelope> early = new ArrayList<>();
  private MessageConsumer<Object> frames;
  private boolean connectedSent;
  private boolean closed;
  private long heartbeatTimer = -1;

  /**
   * @param parts the edge's shared parts; the stream joins its open streams on start and leaves on release
   */
  EdgeStream(EdgeParts parts, ChannelSpec channel, String connectionId, String connectorId, String protocol,
      String remoteIp, String tokenHash) {
    this.vertx = parts.vertx();
    this.streams = parts.streams();
    this.open = parts.open();
    this.remoteIp = remoteIp;
    this.tokenHash = tokenHash;
    this.channel = channel;
    this.connectionId = connectionId;
    this.connectorId = connectorId;
    this.protocol = protocol;
  }

  /** Writes the {@code connected} frame or event. */
  protected abstract void writeConnected();

  protected abstract void writeWebhook(Envelope envelope);

  /** One heartbeat period passed: write a heartbeat (and, for WebSocket, check staleness). */
  protected abstract void onHeartbeat(long intervalMillis);

  /** The server ends the stream (admin disconnect, token expired): close it saying so. */
  protected abstract void closeByServer(CloseCode close);

  /** The token this stream authenticated with is no longer valid (rotation grace over). */
  final void tokenExpired() {
    if (!closed) {
      closeByServer(CloseCode.TOKEN_EXPIRED);
      end();
    }
  }

  /**
   * The listener is stopping (its graceful shutdown began): end the stream now, saying so
   * ({@link CloseCode#GOING_AWAY}), instead of holding the shutdown until its grace runs out.
   */
  final void serverStopping() {
    if (!closed) {
      closeByServer(CloseCode.GOING_AWAY);
      end();
    }
  }

  /** The session was refused (channel full, or a failure): tell the client and close. */
  protected abstract void refuse(boolean full);

  /** Call once the transport's close handler is installed. */
  final void start() {
    open.add(this);
    frames = vertx.eventBus().localConsumer(Addresses.session(connectionId), message -> {
      if (message.body() instanceof Envelope envelope) {
        send(envelope);
      } else if (message.body() instanceof SessionEnd end && !closed) {
        closeByServer(CloseCode.of(end));
        end();
      }
    });
    frames.completion()
        .compose(registered -> streams.open(channel.name(), connectionId, connectorId, protocol, remoteIp))
        .onSuccess(opened -> {
          if (closed) {
            return; // the client left while the session opened; end() already closed it
          }
          writeConnected();
          connectedSent = true;
          early.forEach(this::send);
          early.clear();
          long interval = channel.heartbeatIntervalSeconds() * 1000L;
          heartbeatTimer = vertx.setPeriodic(interval, id -> onHeartbeat(interval));
        })
        .onFailure(failure -> {
          if (!closed) {
            release();
            refuse(StreamFailure.is(failure, StreamFailure.Reason.FULL));
          }
        });
  }

  private void send(Envelope envelope) {
    if (!connectedSent) {
      early.add(envelope);
    } else if (!closed) {
      writeWebhook(envelope);
    }
  }

  /** The transport is gone (or we closed it): the session ends and its messages go back. */
  final void end() {
    if (!closed) {
      release();
      streams.close(channel.name(), connectionId);
    }
  }

  protected final boolean closed() {
    return closed;
  }

  /** Gives up this edge's share of the session: timer, frame consumer, place among the open streams. Once. */
  private void release() {
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    frames.unregister();
    open.remove(this);
  }
}
