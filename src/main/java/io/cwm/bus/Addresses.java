package io.cwm.bus;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Every event-bus address of cwm, in one place: {@code cwm.<area>.<verb>}. Calls between the
 * verticles of one process (buffer, stream, modules, session frames) stay in that process even
 * when it is clustered: their consumers are local and their messages are sent with
 * {@link #LOCAL} (records with local codecs, never serialised). Only {@link #STREAM_READY} and
 * {@link #streamNode} cross nodes.
 */
public final class Addresses {
  /** Delivery options of a call that must stay in this process. */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final String MODULE_PREFIX = "cwm.module.";
  /** ChannelBufferVerticle: every buffer operation (a {@code BufferCall}). */
  public static final String BUFFER_CALL = "cwm.buffer.call";
  /**
   * Published by the buffer after a message was stored; body: channel name. Cluster-wide: the
   * node holding the channel's connector leases at once, wherever the webhook came in.
   */
  public static final String STREAM_READY = "cwm.stream.ready";
  /** StreamVerticle: open, settle and close connector sessions (a {@code StreamCall}). */
  public static final String STREAM_CALL = "cwm.stream.call";
  /**
   * Published (local only) after a configuration reload to every buffer, stream and channel
   * instance; body: a {@code ChannelUpdate} with the full new channel map.
   */
  public static final String CHANNELS_UPDATE = "cwm.channels.update";
  /**
   * Local: after a config reload, the new connections by name (a JsonObject); module verticles
   * retire the clients of connections that are gone or changed.
   */
  public static final String CONNECTIONS_UPDATE = "cwm.connections.update";
  private static final String SESSION_PREFIX = "cwm.session.";

  private Addresses() {}

  /** Where the ModuleVerticle of an output type listens, by registry name. */
  public static String module(String registryName) {
    return MODULE_PREFIX + registryName;
  }

  /** A node's StreamVerticle, for requests from other nodes of the cluster (JSON bodies). */
  public static String streamNode(String nodeId) {
    return "cwm.stream.node." + nodeId;
  }

  /** Where the edge that owns a connector session takes frames for it. */
  public static String session(String connectionId) {
    return SESSION_PREFIX + connectionId;
  }
}
