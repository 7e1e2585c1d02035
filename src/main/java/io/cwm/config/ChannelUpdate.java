package io.cwm.config;

import java.util.Map;

/**
 * Every {@code webhook_connect} channel of a configuration that was just reloaded, published
 * (local only) to the per-channel verticles on {@code Addresses.CHANNELS_UPDATE}: each instance
 * opens the new channels it owns and applies changed specs to new calls and sessions. A channel
 * absent from the map is kept as it is (its buffered messages stay deliverable until drained).
 *
 * @param channels channel name to its spec, as the new configuration defines it
 */
public record ChannelUpdate(Map<String, ChannelSpec> channels) {
  public ChannelUpdate {
    channels = Map.copyOf(channels);
  }
}
