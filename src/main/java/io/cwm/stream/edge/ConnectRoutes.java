package io.cwm.stream.edge;

import io.cwm.app.AppContext;
import io.cwm.buffer.BufferClient;
import io.cwm.stream.StreamClient;
import io.cwm.stream.StreamService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Mounts the streaming API (spec §3) on the public router of one edge: one endpoint per transport
 * ({@link WebSocketEndpoint}, {@link SseEndpoint}, {@link PollEndpoint}), {@link AckEndpoint}
 * and {@link StatusEndpoint}, sharing the edge's {@link ChannelAccess} and {@link OpenStreams}.
 * The edge holds the sockets; the stream side ({@link StreamService}) decides what goes where.
 */
public final class ConnectRoutes {
  /** How often an edge looks for streams whose token's grace has ended. */
  static final long TOKEN_SWEEP_MS = 1000;

  private ConnectRoutes() {}

  /** @param body reads the small JSON bodies of acks (limit and budget of the edge) */
  public static void mount(Vertx vertx, Router router, AppContext app, Handler<RoutingContext> body) {
    StreamService streams = new StreamClient(vertx);
    BufferClient buffer = new BufferClient(vertx);
    ChannelAccess access = new ChannelAccess(app.config().channels(), app.tokenGuard(), buffer);
    Set<String> trustedProxies = app.settings().trustedProxyIps();
    OpenStreams open = new OpenStreams();
    if (!access.noChannels()) {
      vertx.setPeriodic(TOKEN_SWEEP_MS, id -> open.closeExpired(access));
    }
    router.get("/connect/stream/:channel").handler(new WebSocketEndpoint(vertx, access, streams, open, trustedProxies));
    router.get("/connect/stream/:channel/sse").handler(new SseEndpoint(vertx, access, streams, open, trustedProxies));
    router.get("/connect/stream/:channel/poll").handler(new PollEndpoint(access, streams, trustedProxies));
    router.post("/connect/ack").handler(body).handler(new AckEndpoint(access, streams));
    router.get("/connect/status/:channel").handler(new StatusEndpoint(access, streams, buffer));
  }

  /** Streams (WebSocket, SSE) open on this process's edges; for leak checks and metrics. */
  public static int liveStreams() {
    return OpenStreams.LIVE.get();
  }
}
