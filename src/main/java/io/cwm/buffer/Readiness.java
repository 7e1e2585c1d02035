package io.cwm.buffer;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this receiver can take Webhook Connect traffic: the buffer backend answers a ping.
 * One ping per {@link #CACHE_MS} at most, whatever the probe rate, so a flood of probes costs
 * the backend nothing. Without channels the buffer is not needed and the answer is yes.
 */
public final class Readiness {
  static final long CACHE_MS = 1000;

  private final Clock clock;
  private final java.util.function.BooleanSupplier needed;
  private final AtomicReference<Probe> last = new AtomicReference<>();

  private record Probe(long at, Future<Boolean> result) {}

  public Readiness(Clock clock, boolean bufferNeeded) {
    this(clock, () -> bufferNeeded);
  }

  /** {@code bufferNeeded} is asked each time: a reload may add the first channel. */
  public Readiness(Clock clock, java.util.function.BooleanSupplier bufferNeeded) {
    this.clock = clock;
    this.needed = bufferNeeded;
  }

  public boolean bufferNeeded() {
    return needed.getAsBoolean();
  }

  /** True when the buffer answered its last ping (at most {@link #CACHE_MS} old). */
  public Future<Boolean> bufferUp(MessageBuffer buffer) {
    if (!needed.getAsBoolean()) {
      return Future.succeededFuture(true);
    }
    long now = clock.millis();
    Probe probe = last.get();
    if (probe != null && now - probe.at < CACHE_MS) {
      return probe.result;
    }
    Probe fresh = new Probe(now, buffer.ping().recover(failure -> Future.succeededFuture(false)));
    return last.compareAndSet(probe, fresh) ? fresh.result : last.get().result;
  }
}
