package io.cwm.stream.edge;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket and SSE streams open on one edge (one event loop, no locking), so that those
 * whose token stopped being valid can be closed; and how many are open in the whole process.
 */
final class OpenStreams {
  private static final Logger LOG = LoggerFactory.getLogger(OpenStreams.class);
  /** Streams of this process that still hold a frame consumer or a timer (metrics, leak tests). */
  static final AtomicInteger LIVE = new AtomicInteger();

  private final Set<EdgeStream> streams = new HashSet<>();

  void add(EdgeStream stream) {
    streams.add(stream);
    LIVE.incrementAndGet();
  }

  void remove(EdgeStream stream) {
    streams.remove(stream);
    LIVE.decrementAndGet();
  }

  /** Closes ({@link CloseCode#TOKEN_EXPIRED}) the streams whose token is no longer valid. */
  void closeExpired(ChannelAccess access) {
    for (EdgeStream stream : List.copyOf(streams)) {
      if (!access.stillValid(stream.channel, stream.tokenHash)) {
        LOG.info("[channel: {}, connection_id: {}] token no longer valid (rotation grace over): closed",
            stream.channel.name(), stream.connectionId);
        stream.tokenExpired();
      }
    }
  }
}
