package io.cwm.webhook;

import io.cwm.config.ChannelSpec;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The config in force in this process: one {@link ConfigSnapshot} that a reload replaces as a
 * whole, for every verticle instance at once (they all read this holder). A request reads
 * {@link #current()} once when it starts and finishes on that snapshot, so a reload never changes
 * a request halfway. Listeners run after each swap, on the thread that swapped.
 *
 * <p>Channels outlive their entries: a channel whose {@code webhook_connect} entries were all
 * removed stops taking webhooks (no entry routes to it) but stays in {@link #channels()}, retired,
 * with its last settings, so connectors can still drain what it holds, until the process stops.
 */
public final class LiveConfig {
  private volatile ConfigSnapshot current;
  private volatile Map<String, ChannelSpec> channels;
  private volatile Set<String> retired = Set.of();
  private volatile long version = 1;
  private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, ChannelSpec> channelView = new AbstractMap<>() {
    @Override
    public Set<Entry<String, ChannelSpec>> entrySet() {
      return channels.entrySet();
    }

    @Override
    public ChannelSpec get(Object name) {
      return channels.get(name);
    }

    @Override
    public boolean containsKey(Object name) {
      return channels.containsKey(name);
    }

    @Override
    public int size() {
      return channels.size();
    }
  };

  public LiveConfig(ConfigSnapshot initial) {
    this.current = initial;
    this.channels = initial.channels();
  }

  /** The snapshot in force now. */
  public ConfigSnapshot current() {
    return current;
  }

  /**
   * Every channel this process serves, by name, as a live read-only view: the channels of the
   * current snapshot and the retired ones (see the class comment). Holders of the view see every
   * swap.
   */
  public Map<String, ChannelSpec> channels() {
    return channelView;
  }

  /** Names of the channels kept only to be drained: no entry of the current config feeds them. */
  public Set<String> retired() {
    return retired;
  }

  /** 1 for the config of the start, one more for each swap. */
  public long version() {
    return version;
  }

  /** Puts {@code next} in force (already validated completely), then tells the listeners. */
  public synchronized void swap(ConfigSnapshot next) {
    Map<String, ChannelSpec> all = new LinkedHashMap<>(next.channels());
    Set<String> gone = new TreeSet<>();
    channels.forEach((name, spec) -> {
      if (!all.containsKey(name)) {
        all.put(name, spec);
        gone.add(name);
      }
    });
    channels = Collections.unmodifiableMap(all);
    retired = Collections.unmodifiableSet(gone);
    current = next;
    version++;
    listeners.forEach(listener -> listener.accept(next));
  }

  /** Called with the new snapshot after every swap. */
  public void onSwap(Consumer<ConfigSnapshot> listener) {
    listeners.add(listener);
  }
}
