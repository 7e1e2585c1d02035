package io.cwm.stream.edge;

import io.cwm.stream.StreamService;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * What the streaming endpoints of one edge (one event loop) share: the token checks, the stream
 * side they talk to, the streams open here, and the proxies whose forwarding headers name the
 * client.
 */
record EdgeParts(Vertx vertx, ChannelAccess access, StreamService streams, OpenStreams open,
    Set<String> trustedProxies) {
}
