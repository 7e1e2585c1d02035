package io.cwm.buffer.embedded;

import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * One channel of the embedded buffer: the persistent maps and the in-memory index of what is
 * ready, delayed and in flight. Not thread-safe: {@link EmbeddedBuffer} serialises access.
 */
final class ChannelIndex {
  private record Lease(long sequence, String owner, long deadline) {}

  private record Delayed(long notBefore, long sequence) {}

  private final String name;
  private final MVMap<Long, String> messages;
  /** Delivery counts apart from the envelopes, so a lease writes a number, not the message. */
  private final MVMap<Long, Integer> deliveries;
  private final MVMap<Long, String> dead;
  private final MVMap<String, Long> meta;
  /** Ready to lease, in publish order. */
  private final TreeSet<Long> ready = new TreeSet<>();
  private final PriorityQueue<Delayed> delayed =
      new PriorityQueue<>((a, b) -> Long.compare(a.notBefore(), b.notBefore()));
  private final Map<String, Lease> inFlight = new HashMap<>();
  private final Map<String, Long> sequenceById = new HashMap<>();
  private final Map<String, Integer> depthByWebhook = new HashMap<>();
  private long sequence;

  ChannelIndex(String name, MVStore store, MVMap<String, Long> meta) {
    this.name = name;
    this.messages = store.openMap("msg:" + name);
    this.deliveries = store.openMap("deliveries:" + name);
    this.dead = store.openMap("dead:" + name);
    this.meta = meta;
    this.sequence = meta.getOrDefault(key("seq"), 0L);
    // Everything stored is ready again after a restart: leases were only in memory.
    for (Map.Entry<Long, String> entry : messages.entrySet()) {
      Envelope envelope = Envelope.fromJson(new JsonObject(entry.getValue()));
      ready.add(entry.getKey());
      sequenceById.put(envelope.messageId(), entry.getKey());
      depthByWebhook.merge(envelope.webhookId(), 1, Integer::sum);
      sequence = Math.max(sequence, entry.getKey());
    }
  }

  private String key(String counter) {
    return counter + ":" + name;
  }

  long nextSequence() {
    sequence++;
    meta.put(key("seq"), sequence);
    return sequence;
  }

  int depth(String webhookId) {
    return depthByWebhook.getOrDefault(webhookId, 0);
  }

  void add(Envelope envelope, String json) {
    messages.put(envelope.sequence(), json);
    ready.add(envelope.sequence());
    sequenceById.put(envelope.messageId(), envelope.sequence());
    depthByWebhook.merge(envelope.webhookId(), 1, Integer::sum);
  }

  /** The oldest ready message (due delayed ones first become ready), removed from ready. */
  Envelope takeReady(long nowMillis) {
    while (!delayed.isEmpty() && delayed.peek().notBefore() <= nowMillis) {
      ready.add(delayed.poll().sequence());
    }
    Long next = ready.pollFirst();
    if (next == null) {
      return null;
    }
    return read(next);
  }

  private Envelope read(long seq) {
    return Envelope.fromJson(new JsonObject(messages.get(seq))).withDeliveryCount(deliveries.getOrDefault(seq, 0));
  }

  void lease(Envelope delivered, String owner, long deadline) {
    deliveries.put(delivered.sequence(), delivered.deliveryCount());
    inFlight.put(delivered.messageId(), new Lease(delivered.sequence(), owner, deadline));
  }

  String owner(String messageId) {
    Lease lease = inFlight.get(messageId);
    return lease == null ? null : lease.owner();
  }

  boolean ack(String messageId) {
    Lease lease = inFlight.remove(messageId);
    if (lease == null) {
      return false;
    }
    remove(messageId, lease.sequence());
    increment("delivered");
    return true;
  }

  /** Ends the lease of a message in flight and returns it, or null when it is not in flight. */
  Envelope settle(String messageId) {
    Lease lease = inFlight.remove(messageId);
    if (lease == null) {
      return null;
    }
    return read(lease.sequence());
  }

  void requeue(Envelope envelope, long notBefore) {
    delayed.add(new Delayed(notBefore, envelope.sequence()));
  }

  int release(String owner, long nowMillis) {
    int count = 0;
    for (Iterator<Map.Entry<String, Lease>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
      Lease lease = it.next().getValue();
      if (lease.owner().equals(owner)) {
        it.remove();
        ready.add(lease.sequence());
        count++;
      }
    }
    return count;
  }

  int reclaim(long nowMillis) {
    int count = 0;
    for (Iterator<Map.Entry<String, Lease>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
      Lease lease = it.next().getValue();
      if (lease.deadline() < nowMillis) {
        it.remove();
        ready.add(lease.sequence());
        count++;
      }
    }
    return count;
  }

  void deadLetter(Envelope envelope, String reason, Instant now) {
    long deadKey = dead.isEmpty() ? 1 : dead.lastKey() + 1;
    dead.put(deadKey, new JsonObject()
        .put("message_id", envelope.messageId())
        .put("webhook_id", envelope.webhookId())
        .put("reason", reason)
        .put("dead_lettered_at", Envelope.format(now))
        .put("envelope", envelope.toJson())
        .encode());
    remove(envelope.messageId(), envelope.sequence());
    // an expired message is counted as expired, not as dead-lettered (as the Redis backend does)
    increment(reason.equals("expired") ? "expired" : "dead_lettered");
  }

  private void remove(String messageId, long seq) {
    String json = messages.remove(seq);
    deliveries.remove(seq);
    sequenceById.remove(messageId);
    if (json != null) {
      String webhookId = new JsonObject(json).getString("webhook_id");
      depthByWebhook.computeIfPresent(webhookId, (id, depth) -> depth <= 1 ? null : depth - 1);
    }
  }

  private void increment(String counter) {
    meta.merge(key(counter), 1L, Long::sum);
  }

  ChannelStats stats() {
    return new ChannelStats(name, ready.size() + delayed.size(), inFlight.size(),
        meta.getOrDefault(key("delivered"), 0L), meta.getOrDefault(key("expired"), 0L),
        meta.getOrDefault(key("dead_lettered"), 0L), java.util.Map.of());
  }

  List<JsonObject> deadLetters(int limit) {
    List<JsonObject> result = new ArrayList<>();
    for (Iterator<Long> keys = dead.keyIteratorReverse(null); keys.hasNext() && result.size() < limit; ) {
      result.add(new JsonObject(dead.get(keys.next())));
    }
    return result;
  }
}
