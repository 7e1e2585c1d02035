package io.cwm.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which instance of a per-channel verticle (buffer, stream) owns each channel: everything of one
 * channel runs on its owner's event loop. Pinned channels go to the instance named in
 * {@code verticles.json}; the others, in name order, each to the instance that owns the fewest
 * channels so far (the lowest index on a tie). The map depends only on the channel names, the
 * instance count and the pins, so every restart computes the same one.
 *
 * @param instances how many instances share the channels
 * @param owners channel name to instance index (0-based)
 */
public record ChannelOwners(int instances, Map<String, Integer> owners) {
  public ChannelOwners {
    owners = Map.copyOf(owners);
  }

  /**
   * @param pins channel name to instance index, for channels that must sit on a given instance
   * @throws IllegalArgumentException for a pin to a channel that is not configured or to an
   *     instance that does not exist
   */
  public static ChannelOwners assign(Collection<String> channels, int instances, Map<String, Integer> pins) {
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be at least 1, not " + instances);
    }
    Map<String, Integer> owners = new TreeMap<>();
    int[] load = new int[instances];
    for (Map.Entry<String, Integer> pin : new TreeMap<>(pins).entrySet()) {
      if (!channels.contains(pin.getKey())) {
        throw new IllegalArgumentException("channel '" + pin.getKey() + "' is pinned but not configured"
            + " (configured: " + String.join(", ", new TreeSet<>(channels)) + ")");
      }
      int instance = pin.getValue();
      if (instance < 0 || instance >= instances) {
        throw new IllegalArgumentException("channel '" + pin.getKey() + "' is pinned to instance " + instance
            + ", but there are " + instances + " (0 to " + (instances - 1) + ")");
      }
      owners.put(pin.getKey(), instance);
      load[instance]++;
    }
    placeNew(channels, owners, load);
    return new ChannelOwners(instances, owners);
  }

  /** Each name of {@code channels} not in {@code owners}, in name order, on the least-loaded instance. */
  private static void placeNew(Collection<String> channels, Map<String, Integer> owners, int[] load) {
    for (String channel : new TreeSet<>(channels)) {
      if (!owners.containsKey(channel)) {
        int least = 0;
        for (int i = 1; i < load.length; i++) {
          if (load[i] < load[least]) {
            least = i;
          }
        }
        owners.put(channel, least);
        load[least]++;
      }
    }
  }

  /**
   * These owners with {@code channels} added at run time (a reload): every existing assignment
   * stays (a channel never moves while its sessions and leases live on its owner, even when it is
   * no longer configured), and each name not assigned yet, in name order, goes to the instance
   * that owns the fewest channels so far (the lowest index on a tie). Pins are not consulted: they
   * are read once at start. Every instance of a line computes the same owners from the same
   * previous owners and names.
   */
  public ChannelOwners extend(Collection<String> channels) {
    Map<String, Integer> extended = new TreeMap<>(owners);
    int[] load = new int[instances];
    owners.values().forEach(owner -> load[owner]++);
    placeNew(channels, extended, load);
    return new ChannelOwners(instances, extended);
  }

  /** The owner of {@code channel}, or -1 for a channel that is not configured. */
  public int ownerOf(String channel) {
    return owners.getOrDefault(channel, -1);
  }

  /** The channels {@code instance} owns, in name order. */
  public List<String> channelsOf(int instance) {
    List<String> owned = new ArrayList<>();
    new TreeMap<>(owners).forEach((channel, owner) -> {
      if (owner == instance) {
        owned.add(channel);
      }
    });
    return owned;
  }
}
