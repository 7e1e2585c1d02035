package io.cwm.webhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The config in force in this process: one {@link ConfigSnapshot} that a reload replaces as a
 * whole, for every verticle instance at once (they all read this holder). A request reads
 * {@link #current()} once when it starts and finishes on that snapshot, so a reload never changes
 * a request halfway. Listeners run after each swap, on the thread that swapped.
 */
public final class LiveConfig {
  private volatile ConfigSnapshot current;
  private volatile long version = 1;
  private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();

  public LiveConfig(ConfigSnapshot initial) {
    this.current = initial;
  }

  /** The snapshot in force now. */
  public ConfigSnapshot current() {
    return current;
  }

  /** 1 for the config of the start, one more for each swap. */
  public long version() {
    return version;
  }

  /** Puts {@code next} in force (already validated completely), then tells the listeners. */
  public synchronized void swap(ConfigSnapshot next) {
    current = next;
    version++;
    listeners.forEach(listener -> listener.accept(next));
  }

  /** Called with the new snapshot after every swap. */
  public void onSwap(Consumer<ConfigSnapshot> listener) {
    listeners.add(listener);
  }
}
