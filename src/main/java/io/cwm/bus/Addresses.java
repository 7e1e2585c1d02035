package io.cwm.bus;

/** Every event-bus address of cwm, in one place: {@code cwm.<area>.<verb>}. */
public final class Addresses {
  private static final String MODULE_PREFIX = "cwm.module.";
  /** ChannelBufferVerticle: every buffer operation ({@link io.cwm.buffer.BufferCall}). */
  public static final String BUFFER_CALL = "cwm.buffer.call";
  /** Published (to all) by the buffer after a message was stored; body: channel name. */
  public static final String STREAM_READY = "cwm.stream.ready";
  /** StreamVerticle: open, settle and close connector sessions ({@link io.cwm.stream.StreamCall}). */
  public static final String STREAM_CALL = "cwm.stream.call";
  private static final String SESSION_PREFIX = "cwm.session.";

  private Addresses() {}

  /** Where the ModuleVerticle of an output type listens, by registry name. */
  public static String module(String registryName) {
    return MODULE_PREFIX + registryName;
  }

  /** Where the edge that owns a connector session takes frames for it. */
  public static String session(String connectionId) {
    return SESSION_PREFIX + connectionId;
  }
}
