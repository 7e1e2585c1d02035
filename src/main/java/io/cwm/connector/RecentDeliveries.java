package io.cwm.connector;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Message ids this connector delivered successfully a short while ago. When the receiver hands
 * one of them out again (its ack was lost or refused, or a receiver's long-poll requeued what it
 * had just handed out), the connector acks it again instead of delivering it to the local target
 * a second time.
 *
 * <p>Bounded both ways: at most {@link #MAX_IDS} ids, each kept {@link #TTL_MILLIS}; the oldest
 * go first. Only successes are kept: a message that failed is delivered again when it comes back,
 * and a dead-lettered one replayed by an admin is tried again. Used on the connector's event loop
 * only (no locking).
 */
final class RecentDeliveries {
  static final int MAX_IDS = 4096;
  static final long TTL_MILLIS = 5 * 60_000;

  private final LongSupplier clock;
  private final int maxIds;
  private final long ttlMillis;
  /** message id → when its delivery succeeded; insertion order is age order. */
  private final LinkedHashMap<String, Long> deliveredAt = new LinkedHashMap<>();

  RecentDeliveries(LongSupplier clock) {
    this(clock, MAX_IDS, TTL_MILLIS);
  }

  RecentDeliveries(LongSupplier clock, int maxIds, long ttlMillis) {
    this.clock = clock;
    this.maxIds = maxIds;
    this.ttlMillis = ttlMillis;
  }

  /** The delivery of {@code messageId} succeeded now. */
  void delivered(String messageId) {
    deliveredAt.remove(messageId); // re-inserted as the youngest
    deliveredAt.put(messageId, clock.getAsLong());
    forgetOld();
  }

  /** Whether {@code messageId} was delivered successfully within the last {@link #TTL_MILLIS}. */
  boolean wasDelivered(String messageId) {
    forgetOld();
    return deliveredAt.containsKey(messageId);
  }

  int size() {
    return deliveredAt.size();
  }

  private void forgetOld() {
    long oldest = clock.getAsLong() - ttlMillis;
    Iterator<Map.Entry<String, Long>> byAge = deliveredAt.entrySet().iterator();
    while (byAge.hasNext()) {
      Map.Entry<String, Long> entry = byAge.next();
      if (deliveredAt.size() > maxIds || entry.getValue() < oldest) {
        byAge.remove();
      } else {
        break;
      }
    }
  }
}
