package io.cwm.stream.edge;

import io.cwm.config.ChannelSpec;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.stream.TokenGuard;
import java.util.Map;
import io.cwm.buffer.BufferClient;
import io.cwm.stream.StreamClient;
import io.cwm.stream.StreamService;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Set;

/**
 * Mounts the streaming API (spec §3) on the public router of one edge: one endpoint per transport
 * ({@link WebSocketEndpoint}, {@link SseEndpoint}, {@link PollEndpoint}), {@link AckEndpoint}
 * and {@link StatusEndpoint}, sharing the edge's {@link ChannelAccess} and {@link OpenStreams}.
 * The edge holds the sockets; the stream side ({@link StreamService}) decides what goes where.
 */
public final class ConnectRoutes implements Routes {
  /** How often an edge looks for streams whose token's grace has ended. */
  static final long TOKEN_SWEEP_MS = 1000;

  private final Map<String, ChannelSpec> channels;
  private final TokenGuard tokens;
  private final Set<String> trustedProxies;

  /**
   * @param tokens this process's view of the channel tokens kept in the buffer
   * @param trustedProxies proxies whose forwarding headers name the client (admin view of sessions)
   */
  public ConnectRoutes(Map<String, ChannelSpec> channels, TokenGuard tokens, Set<String> trustedProxies) {
    this.channels = channels;
    this.tokens = tokens;
    this.trustedProxies = trustedProxies;
  }

  @Override
  public void mount(Router router, Edge edge) {
    Vertx vertx = edge.vertx();
    StreamService streams = new StreamClient(vertx);
    BufferClient buffer = new BufferClient(vertx);
    ChannelAccess access = new ChannelAccess(channels, tokens, buffer);
    OpenStreams open = new OpenStreams();
    if (!access.noChannels()) {
      vertx.setPeriodic(TOKEN_SWEEP_MS, id -> open.closeExpired(access));
    }
    EdgeParts parts = new EdgeParts(vertx, access, streams, open, trustedProxies);
    router.get("/connect/stream/:channel").handler(new WebSocketEndpoint(parts));
    router.get("/connect/stream/:channel/sse").handler(new SseEndpoint(parts));
    router.get("/connect/stream/:channel/poll").handler(new PollEndpoint(parts));
    router.post("/connect/ack").handler(edge.smallBody()).handler(new AckEndpoint(access, streams));
    router.post("/connect/flow").handler(edge.smallBody()).handler(new FlowEndpoint(access, streams));
    router.get("/connect/status/:channel").handler(new StatusEndpoint(access, streams, buffer));
  }

  /** Streams (WebSocket, SSE) open on this process's edges; for leak checks and metrics. */
  public static int liveStreams() {
    return OpenStreams.LIVE.get();
  }
}
