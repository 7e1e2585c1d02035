package io.cwm.buffer.embedded;

import io.cwm.config.ChannelSpec;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.TokenState;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * One channel of the embedded buffer: the persistent maps and the in-memory index of what is
 * ready, delayed and in flight. Not thread-safe: {@link EmbeddedBuffer} serialises access.
 *
 * <p>Persistent maps: {@code msg:<channel>} sequence → envelope JSON, {@code deliveries:<channel>}
 * sequence → deliveries so far, {@code dead:<channel>} dead-letter number (increasing, so oldest
 * first) → item JSON, {@code deadIds:<channel>} message id → dead-letter number, the shared
 * {@code tokens} map channel → token state JSON ({@link TokenState} fields), and the dedup records
 * {@code dedup:<channel>} ({@code <webhook id>\n<key>} → {@code <expires at ms> <message id>}) with
 * their expiry index {@code dedupExpiry:<channel>}, written with the message they name.
 */
final class ChannelIndex {
  private record Lease(long sequence, String webhookId, String owner, long deadline, String orderingKey) {}

  private record Delayed(long notBefore, long sequence) {}

  private final String name;
  /** Envelope JSON: UTF-8 bytes, or a String in files written before 2026-12. */
  private final MVMap<Long, Object> messages;
  /** Delivery counts apart from the envelopes, so a lease writes a number, not the message. */
  private final MVMap<Long, Integer> deliveries;
  private final MVMap<Long, String> dead;
  /** Message id → key in {@link #dead}: replay and delete by id without scanning the dead letters. */
  private final MVMap<String, Long> deadIds;
  private final MVMap<String, String> tokens;
  private final MVMap<String, Long> meta;
  /** Dedup records: {@code <webhook id>\n<key>} → {@code <expires at ms> <first message id>}. */
  private final MVMap<String, String> dedup;
  /** The records by expiry: {@code <expires at ms, 15 digits>\n<record key>} → "", swept oldest first. */
  private final MVMap<String, String> dedupExpiry;
  /** Ready to lease, in publish order. */
  private final TreeSet<Long> ready = new TreeSet<>();
  private final PriorityQueue<Delayed> delayed =
      new PriorityQueue<>((a, b) -> Long.compare(a.notBefore(), b.notBefore()));
  private final Map<String, Lease> inFlight = new HashMap<>();
  private final Map<String, Long> sequenceById = new HashMap<>();
  private final Map<String, Integer> depthByWebhook = new HashMap<>();
  /**
   * Ordering (a channel with {@code ordering.key}): per key, the message that is out (ready,
   * delayed or in flight: only the key's oldest stored message) and the newer ones parked behind
   * it, neither ready nor counted as delivered until the head is acked or dead-lettered. Rebuilt
   * from the store at start-up (the oldest stored message of each key is its head), so a restart
   * keeps the order.
   */
  private final Map<String, Long> headByKey = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> parkedByKey = new HashMap<>();
  private long sequence;

  ChannelIndex(String name, MVStore store, MVMap<String, Long> meta) {
    this.name = name;
    this.messages = store.openMap("msg:" + name);
    this.deliveries = store.openMap("deliveries:" + name);
    this.dead = store.openMap("dead:" + name);
    this.deadIds = store.openMap("deadIds:" + name);
    this.tokens = store.openMap("tokens");
    this.meta = meta;
    this.dedup = store.openMap("dedup:" + name);
    this.dedupExpiry = store.openMap("dedupExpiry:" + name);
    if (deadIds.size() != dead.size()) {
      // a data file from before the index existed (or a crash between the two writes)
      deadIds.clear();
      dead.forEach((deadKey, item) -> {
        Envelope envelope = deadEnvelope(item);
        if (envelope != null) {
          deadIds.put(envelope.messageId(), deadKey);
        }
      });
    }
    this.sequence = meta.getOrDefault(key("seq"), 0L);
    // Everything stored is ready again after a restart: leases were only in memory.
    for (Map.Entry<Long, Object> entry : messages.entrySet()) {
      Envelope envelope = Envelope.fromJson(json(entry.getValue()));
      enqueue(entry.getKey(), envelope.extras().orderingKey());
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

  /** A stored envelope's JSON, whichever way it was written. */
  private static JsonObject json(Object stored) {
    return stored instanceof byte[] bytes ? new JsonObject(Buffer.buffer(bytes)) : new JsonObject((String) stored);
  }

  /** Records swept per publish at most, so a publish never pays for a large backlog at once. */
  private static final int DEDUP_SWEEP = 16;

  /**
   * The first message id recorded for {@code key} of {@code webhookId} within its window, or
   * null. Sweeps a few expired records first (so the store holds about one window of them).
   */
  String duplicateOf(String webhookId, String key, long nowMillis) {
    sweepDedup(nowMillis);
    String record = dedup.get(webhookId + "\n" + key);
    if (record == null) {
      return null;
    }
    int space = record.indexOf(' ');
    return Long.parseLong(record.substring(0, space)) > nowMillis ? record.substring(space + 1) : null;
  }

  /** Records {@code key} → the message's id until {@code expiresAtMillis}, in the same commit as the message. */
  void recordDedup(String webhookId, String key, String messageId, long expiresAtMillis) {
    String recordKey = webhookId + "\n" + key;
    String before = dedup.put(recordKey, expiresAtMillis + " " + messageId);
    if (before != null) {
      dedupExpiry.remove(expiryKey(Long.parseLong(before.substring(0, before.indexOf(' '))), recordKey));
    }
    dedupExpiry.put(expiryKey(expiresAtMillis, recordKey), "");
  }

  private static String expiryKey(long expiresAtMillis, String recordKey) {
    return String.format("%015d", expiresAtMillis) + "\n" + recordKey;
  }

  private void sweepDedup(long nowMillis) {
    for (int i = 0; i < DEDUP_SWEEP; i++) {
      String oldest = dedupExpiry.firstKey();
      if (oldest == null || Long.parseLong(oldest.substring(0, 15)) > nowMillis) {
        return;
      }
      dedupExpiry.remove(oldest);
      String recordKey = oldest.substring(16);
      String record = dedup.get(recordKey);
      if (record != null && Long.parseLong(record.substring(0, record.indexOf(' '))) <= nowMillis) {
        dedup.remove(recordKey);
      }
    }
  }

  /** Dedup records kept (expired ones not swept yet included). */
  int dedupRecords() {
    return dedup.size();
  }

  void add(Envelope envelope, byte[] json) {
    messages.put(envelope.sequence(), json);
    enqueue(envelope.sequence(), envelope.extras().orderingKey());
    sequenceById.put(envelope.messageId(), envelope.sequence());
    depthByWebhook.merge(envelope.webhookId(), 1, Integer::sum);
  }

  /** A new (or replayed) message: ready, or parked behind its key's head. */
  private void enqueue(long seq, String orderingKey) {
    if (orderingKey == null) {
      ready.add(seq);
      return;
    }
    Long head = headByKey.putIfAbsent(orderingKey, seq);
    if (head == null) {
      ready.add(seq);
    } else {
      parkedByKey.computeIfAbsent(orderingKey, key -> new ArrayDeque<>()).add(seq);
    }
  }

  /** The key's head is settled (acked or dead-lettered): the next parked message of the key is ready. */
  private void nextOfKey(String orderingKey, long settled) {
    if (orderingKey == null || !Long.valueOf(settled).equals(headByKey.get(orderingKey))) {
      return;
    }
    ArrayDeque<Long> parked = parkedByKey.get(orderingKey);
    Long next = parked == null ? null : parked.pollFirst();
    if (next == null) {
      headByKey.remove(orderingKey);
      parkedByKey.remove(orderingKey);
      return;
    }
    if (parked.isEmpty()) {
      parkedByKey.remove(orderingKey);
    }
    headByKey.put(orderingKey, next);
    ready.add(next);
  }

  /** Messages parked behind their key's head (counted as queued). */
  int parked() {
    return parkedByKey.values().stream().mapToInt(ArrayDeque::size).sum();
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
    return Envelope.fromJson(json(messages.get(seq))).withDeliveryCount(deliveries.getOrDefault(seq, 0));
  }

  void lease(Envelope delivered, String owner, long deadline) {
    deliveries.put(delivered.sequence(), delivered.deliveryCount());
    inFlight.put(delivered.messageId(),
        new Lease(delivered.sequence(), delivered.webhookId(), owner, deadline, delivered.extras().orderingKey()));
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
    remove(messageId, lease.sequence(), lease.webhookId());
    nextOfKey(lease.orderingKey(), lease.sequence());
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

  /** Makes the owner's leases ready again; those of {@code uncounted} get their delivery back. */
  int release(String owner, Set<String> uncounted) {
    int count = 0;
    for (Iterator<Map.Entry<String, Lease>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Lease> entry = it.next();
      Lease lease = entry.getValue();
      if (lease.owner().equals(owner)) {
        it.remove();
        ready.add(lease.sequence());
        if (uncounted.contains(entry.getKey())) {
          Integer delivered = deliveries.get(lease.sequence());
          if (delivered != null && delivered > 0) {
            deliveries.put(lease.sequence(), delivered - 1);
          }
        }
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
    deadIds.put(envelope.messageId(), deadKey);
    remove(envelope.messageId(), envelope.sequence(), envelope.webhookId());
    nextOfKey(envelope.extras().orderingKey(), envelope.sequence());
    // an expired message is counted as expired, not as dead-lettered (as the Redis backend does)
    increment(reason.equals("expired") ? "expired" : "dead_lettered");
  }

  private void remove(String messageId, long seq, String webhookId) {
    Object stored = messages.remove(seq);
    deliveries.remove(seq);
    sequenceById.remove(messageId);
    if (stored != null) {
      depthByWebhook.computeIfPresent(webhookId, (id, depth) -> depth <= 1 ? null : depth - 1);
    }
  }

  private void increment(String counter) {
    meta.merge(key(counter), 1L, Long::sum);
  }

  /** {@code webhookIds}: the configured queues of the channel, listed even when empty. */
  ChannelStats stats(Collection<String> webhookIds) {
    Map<String, Long> pending = new TreeMap<>();
    webhookIds.forEach(webhookId -> pending.put(webhookId, 0L));
    depthByWebhook.forEach((webhookId, depth) -> pending.merge(webhookId, (long) depth, Long::sum));
    inFlight.values().forEach(lease -> pending.merge(lease.webhookId(), -1L, Long::sum));
    long queued = pending.values().stream().mapToLong(Long::longValue).sum();
    return new ChannelStats(name, queued, inFlight.size(),
        meta.getOrDefault(key("delivered"), 0L), meta.getOrDefault(key("expired"), 0L),
        meta.getOrDefault(key("dead_lettered"), 0L), Collections.unmodifiableMap(pending));
  }

  List<JsonObject> deadLetters(int limit) {
    List<JsonObject> result = new ArrayList<>();
    for (Iterator<Long> keys = dead.keyIteratorReverse(null); keys.hasNext() && result.size() < limit; ) {
      result.add(new JsonObject(dead.get(keys.next())));
    }
    return result;
  }

  /**
   * Puts dead letters back on their queues, oldest first, as fresh deliveries: delivery count 0,
   * {@code expires_at} = now + the queue's TTL, ready at once, same message id and sequence.
   * {@code messageIds} null: all. Skips ids that are not dead letters here and dead letters of a
   * webhook that no longer feeds the channel; stops at the first one whose queue is full.
   * The message is queued before its dead letter is dropped, so a crash in between duplicates it
   * rather than losing it.
   */
  List<String> replay(Collection<String> messageIds, Function<String, ChannelSpec.Queue> queues, Instant now) {
    Iterator<Long> deadKeys = messageIds == null ? dead.keyIterator(null)
        : messageIds.stream().map(deadIds::get).filter(Objects::nonNull).distinct().sorted().iterator();
    List<String> replayed = new ArrayList<>();
    while (deadKeys.hasNext()) { // MVMap iterators read a snapshot: removing as we go is safe
      long deadKey = deadKeys.next();
      Envelope original = deadEnvelope(dead.get(deadKey));
      if (original == null) {
        continue;
      }
      if (sequenceById.containsKey(original.messageId())) {
        dropDead(deadKey, original.messageId()); // already queued again: only the dead letter goes
        continue;
      }
      ChannelSpec.Queue queue = queues.apply(original.webhookId());
      if (queue == null) {
        continue;
      }
      if (depth(original.webhookId()) >= queue.maxQueueSize()) {
        break;
      }
      long seq = original.sequence() > 0 && !messages.containsKey(original.sequence())
          ? original.sequence() : nextSequence();
      Envelope fresh = new Envelope(original.messageId(), original.channel(), original.webhookId(),
          original.timestamp(), Envelope.format(now.plusSeconds(queue.ttlSeconds())), original.headers(),
          original.payload(), seq, 0, original.extras());
      deliveries.remove(seq);
      add(fresh, fresh.toJson().toBuffer().getBytes());
      dropDead(deadKey, fresh.messageId());
      replayed.add(fresh.messageId());
    }
    return replayed;
  }

  /** The envelope of a dead-letter item, or null when the item is gone or unreadable. */
  private static Envelope deadEnvelope(String item) {
    try {
      JsonObject envelope = item == null ? null : new JsonObject(item).getJsonObject("envelope");
      return envelope == null || envelope.getString("message_id") == null ? null : Envelope.fromJson(envelope);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Drops a dead letter for good; false when {@code messageId} is not one. */
  boolean deleteDead(String messageId) {
    Long deadKey = deadIds.get(messageId);
    if (deadKey == null) {
      return false;
    }
    dropDead(deadKey, messageId);
    return true;
  }

  private void dropDead(long deadKey, String messageId) {
    dead.remove(deadKey);
    deadIds.remove(messageId, deadKey);
  }

  /** The stored token state, or null before the first {@link #alignToken}. */
  TokenState token() {
    String stored = tokens.get(name);
    if (stored == null) {
      return null;
    }
    JsonObject json = new JsonObject(stored);
    return new TokenState(json.getString("current"), json.getString("previous"),
        json.getLong("previous_expires_at", 0L), json.getString("config"), json.getLong("rotated_at", 0L));
  }

  /** Creates the token state from the configured token, or aligns it with a changed one. */
  TokenState alignToken(String configuredToken, long nowMillis) {
    TokenState before = token();
    TokenState after = before == null ? TokenState.initial(configuredToken)
        : before.alignedWith(configuredToken, nowMillis);
    if (!after.equals(before)) {
      storeToken(after);
    }
    return after;
  }

  TokenState rotateToken(String configuredToken, String newTokenHash, long graceMillis, long nowMillis) {
    TokenState before = token();
    TokenState base = before == null ? TokenState.initial(configuredToken) : before;
    TokenState after = base.rotatedTo(newTokenHash, graceMillis, nowMillis);
    storeToken(after);
    return after;
  }

  private void storeToken(TokenState state) {
    tokens.put(name, new JsonObject()
        .put("current", state.currentHash())
        .put("previous", state.previousHash())
        .put("previous_expires_at", state.previousExpiresAtMillis())
        .put("config", state.configHash())
        .put("rotated_at", state.rotatedAtMillis())
        .encode());
  }
}
