package io.cwm.ingest;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-webhook request counters for {@code GET /stats}, in the response shape shared with the
 * Python version: total, last minute, 5/15/30 minutes, hour, day, week, month. Kept in this
 * process's memory in ring buffers of minute (60), hour (24) and day (30) buckets; the number of
 * tracked ids is capped.
 */
public final class StatsRecorder {
  private static final int MAX_IDS = 10_000;
  private final Clock clock;
  private final Map<String, Counters> byId = new ConcurrentHashMap<>();

  public StatsRecorder(Clock clock) {
    this.clock = clock;
  }

  public void record(String webhookId) {
    Counters counters = byId.get(webhookId);
    if (counters == null) {
      if (byId.size() >= MAX_IDS) {
        return;
      }
      counters = byId.computeIfAbsent(webhookId, id -> new Counters());
    }
    counters.add(clock.millis() / 1000);
  }

  public JsonObject snapshot() {
    long now = clock.millis() / 1000;
    JsonObject out = new JsonObject();
    byId.forEach((id, counters) -> out.put(id, counters.toJson(now)));
    return out;
  }

  /** Ring buffers keyed by bucket start; a slot whose stamp is stale counts as zero. */
  private static final class Counters {
    private final LongAdder total = new LongAdder();
    private final Ring minutes = new Ring(60, 60);
    private final Ring hours = new Ring(24, 3600);
    private final Ring days = new Ring(30, 86_400);

    void add(long epochSecond) {
      total.increment();
      minutes.add(epochSecond);
      hours.add(epochSecond);
      days.add(epochSecond);
    }

    JsonObject toJson(long now) {
      return new JsonObject()
          .put("total", total.sum())
          .put("minute", minutes.sum(now, 1))
          .put("5_minutes", minutes.sum(now, 5))
          .put("15_minutes", minutes.sum(now, 15))
          .put("30_minutes", minutes.sum(now, 30))
          .put("hour", minutes.sum(now, 60))
          .put("day", hours.sum(now, 24))
          .put("week", days.sum(now, 7))
          .put("month", days.sum(now, 30));
    }
  }

  private static final class Ring {
    private final int size;
    private final long width;
    private final AtomicLongArray stamps;
    private final AtomicLongArray counts;

    Ring(int size, long width) {
      this.size = size;
      this.width = width;
      this.stamps = new AtomicLongArray(size);
      this.counts = new AtomicLongArray(size);
    }

    synchronized void add(long epochSecond) {
      long bucket = epochSecond / width;
      int slot = (int) (bucket % size);
      if (stamps.get(slot) != bucket) {
        stamps.set(slot, bucket);
        counts.set(slot, 0);
      }
      counts.incrementAndGet(slot);
    }

    synchronized long sum(long now, int buckets) {
      long current = now / width;
      long sum = 0;
      for (int i = 0; i < buckets && i < size; i++) {
        long bucket = current - i;
        int slot = (int) (bucket % size);
        if (stamps.get(slot) == bucket) {
          sum += counts.get(slot);
        }
      }
      return sum;
    }
  }
}
