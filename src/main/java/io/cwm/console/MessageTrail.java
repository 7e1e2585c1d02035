package io.cwm.console;

import io.cwm.buffer.BufferCall;
import io.cwm.buffer.BufferObserver;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.config.ChannelSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the operator console shows of recent messages, kept in memory by this process: for each
 * channel the last messages its buffer instances published or leased (their envelope while the
 * byte budget allows, their state and every delivery attempt with its outcome), counters in
 * 10-second buckets over 15 minutes (the sparklines), and the live tails that watch it. Fed by
 * every {@link io.cwm.buffer.ChannelBufferVerticle} of the process ({@link BufferObserver}), so
 * it sees what this receiver's buffer did; the counts of the overview come from the buffer itself
 * (cluster-wide).
 *
 * <p>Thread-safe: buffer instances call it from their event loops at once; each channel's part is
 * guarded by its own lock, held for a few map operations. A tail is a bounded queue the console's
 * stream drains: a tail that cannot keep up loses events (counted), never slows the buffer.
 */
public final class MessageTrail implements BufferObserver {
  /** Messages remembered per channel at most (fewer when there are many channels). */
  static final int MAX_PER_CHANNEL = 1000;
  static final int MIN_PER_CHANNEL = 50;
  /** Messages remembered over all channels at most. */
  static final int MAX_MESSAGES = 100_000;
  /** Envelope bytes (stored size) held at most over all channels; beyond, only the summary. */
  static final long MAX_HELD_BYTES = 64L * 1024 * 1024;
  /** An envelope larger than this is never held. */
  static final long MAX_HELD_ENVELOPE_BYTES = 1024 * 1024;
  static final int BUCKET_SECONDS = 10;
  static final int BUCKETS = 90;
  /**
   * Events a tail holds before it drops: the console's stream drains it 4 times a second, so a
   * viewer gets at most 400 events a second (the page keeps 500 rows: more than anyone reads);
   * on a busier channel, a sample and the count of what it missed. Each event a viewer gets
   * costs the relay a summary and its JSON: this bound keeps an open tail's cost small.
   */
  static final int TAIL_CAPACITY = 100;

  private final Clock clock;
  private final int perChannel;
  private final Map<String, ChannelTrail> channels = new ConcurrentHashMap<>();
  private final AtomicLong heldBytes = new AtomicLong();

  public MessageTrail(Clock clock, int channelCount) {
    this.clock = clock;
    this.perChannel = Math.max(MIN_PER_CHANNEL, Math.min(MAX_PER_CHANNEL, MAX_MESSAGES / Math.max(1, channelCount)));
  }

  // ---------------------------------------------------------------- fed by the buffer

  @Override
  public void completed(BufferCall<?> call, Object result) {
    if (call instanceof BufferCall.Publish publish && result instanceof Envelope stored) {
      if (!MessageBuffer.isDuplicate(publish.envelope(), stored)) {
        long size = publish.storedHead() == null ? -1 : publish.storedHead().length;
        channel(publish.channel().name()).queued(stored, size);
      }
    } else if (call instanceof BufferCall.Lease lease && result instanceof List<?> leased) {
      ChannelTrail trail = channel(lease.channel().name());
      for (Object each : leased) {
        trail.leased((Envelope) each, lease.owner(), lease.leaseMillis());
      }
    } else if (call instanceof BufferCall.Ack ack && Boolean.TRUE.equals(result)) {
      channel(ack.channel().name()).settled(ack.messageId(), "ack", "delivered", "acked", null);
    } else if (call instanceof BufferCall.Nack nack && result instanceof MessageBuffer.NackOutcome outcome) {
      String attemptOutcome = nack.retry() ? "nack_retry" : "nack_reject";
      switch (outcome) {
        case REQUEUED -> channel(nack.channel().name()).settled(nack.messageId(), attemptOutcome, "retrying", "nacked", null);
        case DEAD_LETTERED -> channel(nack.channel().name()).settled(nack.messageId(), attemptOutcome, "dead_lettered",
            "dead_lettered", nack.retry() ? "max_deliveries" : "rejected");
        default -> { }
      }
    } else if (call instanceof BufferCall.Release release && result instanceof Integer count && count > 0) {
      channel(release.channel().name()).released(release.owner());
    } else if (call instanceof BufferCall.Replay replay && result instanceof List<?> ids) {
      ChannelTrail trail = channel(replay.channel().name());
      ids.forEach(id -> trail.changed(String.valueOf(id), "queued", "replayed"));
    } else if (call instanceof BufferCall.DeleteDeadLetter delete && Boolean.TRUE.equals(result)) {
      channel(delete.channel().name()).changed(delete.messageId(), "deleted", "deleted");
    }
  }

  @Override
  public void leasesExpired(ChannelSpec channel, int count) {
    channel(channel.name()).expired(clock.millis());
  }

  // ---------------------------------------------------------------- read by the console

  /** The channel's recent messages as summaries, oldest first (at most {@code limit}, the newest). */
  public List<JsonObject> recent(String channel, int limit) {
    ChannelTrail trail = channels.get(channel);
    return trail == null ? List.of() : trail.recent(limit);
  }

  /**
   * One remembered message: its summary, attempts and dead-letter reason ({@code detail}) and its
   * envelope while held (else null).
   */
  public record Remembered(JsonObject detail, Envelope envelope) {}

  /** One message as the inspector shows it, or null when this process does not remember it. */
  public Remembered inspect(String channel, String messageId) {
    ChannelTrail trail = channels.get(channel);
    return trail == null ? null : trail.inspect(messageId);
  }

  /** Grows on every change of the channel: a view redraws when it moved. */
  public long version(String channel) {
    ChannelTrail trail = channels.get(channel);
    return trail == null ? 0 : trail.version.get();
  }

  /** Counts per 10-second bucket over the last 15 minutes and per-second rates over the last minute. */
  public JsonObject activity(String channel) {
    return channel(channel).activity(clock.millis());
  }

  /** Messages nacked or timed out on this process since it started. */
  public long failed(String channel) {
    ChannelTrail trail = channels.get(channel);
    return trail == null ? 0 : trail.failedTotal.get();
  }

  /** Starts a live tail of {@code channel}: summaries of every change from now on. */
  public Tail tail(String channel) {
    Tail tail = new Tail(channel(channel));
    tail.trail.tails.add(tail);
    return tail;
  }

  /** Envelope bytes held now over every channel. */
  long heldBytes() {
    return heldBytes.get();
  }

  private ChannelTrail channel(String name) {
    ChannelTrail trail = channels.get(name);
    return trail != null ? trail : channels.computeIfAbsent(name, absent -> new ChannelTrail());
  }

  /** A live tail: the console's stream drains it; {@link #close} when the viewer leaves. */
  public static final class Tail {
    private final ChannelTrail trail;
    private final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    Tail(ChannelTrail trail) {
      this.trail = trail;
    }

    boolean hasRoom() {
      return size.get() < TAIL_CAPACITY;
    }

    void offer(JsonObject summary) {
      if (size.incrementAndGet() > TAIL_CAPACITY) {
        size.decrementAndGet();
        dropped.incrementAndGet();
        return;
      }
      events.add(summary);
    }

    /** The events since the last drain (at most {@code max}, the rest stay). */
    public List<JsonObject> drain(int max) {
      List<JsonObject> out = new ArrayList<>();
      JsonObject next;
      while (out.size() < max && (next = events.poll()) != null) {
        size.decrementAndGet();
        out.add(next);
      }
      return out;
    }

    /** Events lost since the last call (the tail was full). */
    public long takeDropped() {
      return dropped.getAndSet(0);
    }

    public void close() {
      trail.tails.remove(this);
    }
  }

  // ---------------------------------------------------------------- one channel

  private final class ChannelTrail {
    private final LinkedHashMap<String, Entry> recent = new LinkedHashMap<>();
    private final CopyOnWriteArrayList<Tail> tails = new CopyOnWriteArrayList<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong failedTotal = new AtomicLong();
    private final long[][] buckets = new long[3][BUCKETS]; // queued, delivered, failed
    private final long[] bucketEpoch = new long[BUCKETS];

    synchronized void queued(Envelope envelope, long size) {
      Entry entry = recent.get(envelope.messageId());
      if (entry == null) {
        entry = remember(envelope, size);
      }
      if (entry.attempts.isEmpty()) {
        // the publish's answer can come after the message's first lease (a stream on the buffer's own
        // context leases as soon as it is told the message is ready): a leased message stays in flight
        entry.state = "queued";
      }
      count(0, clock.millis());
      publish(entry, "queued");
    }

    synchronized void leased(Envelope envelope, String owner, long leaseMillis) {
      long now = clock.millis();
      Entry entry = recent.get(envelope.messageId());
      if (entry == null) {
        entry = remember(envelope, -1); // published by another receiver, or before this one started
      }
      Attempt previous = entry.lastAttempt();
      if (previous != null && previous.outcome == null) {
        previous.finish(now >= previous.leasedAt + previous.leaseMillis ? "timeout" : "released", now);
      }
      entry.attempts.add(new Attempt(Math.max(envelope.deliveryCount(), entry.attempts.size() + 1), owner, now,
          leaseMillis));
      entry.deliveryCount = envelope.deliveryCount();
      entry.state = "in_flight";
      publish(entry, "leased");
    }

    synchronized void settled(String messageId, String outcome, String state, String event, String deadReason) {
      long now = clock.millis();
      Entry entry = recent.get(messageId);
      if (!"ack".equals(outcome)) {
        failedTotal.incrementAndGet();
        count(2, now);
      } else {
        count(1, now);
      }
      if (entry == null) {
        version.incrementAndGet();
        return;
      }
      Attempt last = entry.lastAttempt();
      if (last != null && last.outcome == null) {
        last.finish(outcome, now);
      }
      entry.state = state;
      entry.deadReason = deadReason;
      if ("delivered".equals(state)) {
        entry.releaseEnvelope(); // delivered: its body is no longer worth the memory
      }
      publish(entry, event);
    }

    synchronized void released(String owner) {
      long now = clock.millis();
      for (Entry entry : recent.values()) {
        Attempt last = entry.lastAttempt();
        if ("in_flight".equals(entry.state) && last != null && last.outcome == null && owner.equals(last.owner)) {
          last.finish("released", now);
          entry.state = "queued";
          publish(entry, "released");
        }
      }
    }

    synchronized void expired(long now) {
      for (Entry entry : recent.values()) {
        Attempt last = entry.lastAttempt();
        if ("in_flight".equals(entry.state) && last != null && last.outcome == null
            && now >= last.leasedAt + last.leaseMillis) {
          last.finish("timeout", now);
          entry.state = "timeout";
          failedTotal.incrementAndGet();
          count(2, now);
          publish(entry, "timeout");
        }
      }
    }

    synchronized void changed(String messageId, String state, String event) {
      Entry entry = recent.get(messageId);
      if (entry == null) {
        version.incrementAndGet();
        return;
      }
      entry.state = state;
      if ("queued".equals(state)) {
        entry.deadReason = null;
      }
      publish(entry, event);
    }

    synchronized List<JsonObject> recent(int limit) {
      List<JsonObject> out = new ArrayList<>();
      int skip = Math.max(0, recent.size() - limit);
      for (Entry entry : recent.values()) {
        if (skip-- > 0) {
          continue;
        }
        out.add(entry.summary(null, 0));
      }
      return out;
    }

    synchronized Remembered inspect(String messageId) {
      Entry entry = recent.get(messageId);
      return entry == null ? null : entry.detail();
    }

    synchronized JsonObject activity(long now) {
      long current = now / 1000 / BUCKET_SECONDS;
      JsonObject sparkline = new JsonObject().put("step_seconds", BUCKET_SECONDS);
      JsonObject rates = new JsonObject();
      String[] names = {"queued", "delivered", "failed"};
      for (int series = 0; series < 3; series++) {
        JsonArray points = new JsonArray();
        long lastMinute = 0;
        for (long epoch = current - BUCKETS + 1; epoch <= current; epoch++) {
          int slot = (int) Math.floorMod(epoch, (long) BUCKETS);
          long value = bucketEpoch[slot] == epoch ? buckets[series][slot] : 0;
          points.add(value);
          if (epoch > current - 6) {
            lastMinute += value;
          }
        }
        sparkline.put(names[series], points);
        rates.put(names[series], Math.round(lastMinute / 60.0 * 100) / 100.0);
      }
      return new JsonObject().put("rates", rates).put("sparkline", sparkline);
    }

    private void count(int series, long now) {
      long epoch = now / 1000 / BUCKET_SECONDS;
      int slot = (int) Math.floorMod(epoch, (long) BUCKETS);
      if (bucketEpoch[slot] != epoch) {
        bucketEpoch[slot] = epoch;
        buckets[0][slot] = 0;
        buckets[1][slot] = 0;
        buckets[2][slot] = 0;
      }
      buckets[series][slot]++;
    }

    private Entry remember(Envelope envelope, long size) {
      Entry entry = new Entry(envelope, size);
      if (size >= 0 && size <= MAX_HELD_ENVELOPE_BYTES && heldBytes.addAndGet(size) <= MAX_HELD_BYTES) {
        entry.envelope = envelope;
        entry.heldBytes = size;
      } else if (size >= 0 && size <= MAX_HELD_ENVELOPE_BYTES) {
        heldBytes.addAndGet(-size); // over the budget: the summary only
      } // size unknown (leased here, published elsewhere): not held, the inspector shows the summary
      recent.put(envelope.messageId(), entry);
      if (recent.size() > perChannel) {
        Iterator<Entry> oldest = recent.values().iterator();
        oldest.next().releaseEnvelope();
        oldest.remove();
      }
      return entry;
    }

    private void publish(Entry entry, String event) {
      version.incrementAndGet();
      if (tails.isEmpty()) {
        return;
      }
      boolean room = false;
      for (Tail tail : tails) {
        room |= tail.hasRoom();
      }
      if (!room) { // every viewer is behind: count the loss, build nothing
        tails.forEach(tail -> tail.dropped.incrementAndGet());
        return;
      }
      JsonObject summary = entry.summary(event, clock.millis());
      for (Tail tail : tails) {
        tail.offer(summary);
      }
    }
  }

  // ---------------------------------------------------------------- one message

  private final class Entry {
    final String messageId;
    final String webhookId;
    final String queuedAt;
    final String expiresAt;
    final long size;
    Envelope envelope;
    long heldBytes;
    String state = "queued";
    String deadReason;
    int deliveryCount;
    final List<Attempt> attempts = new ArrayList<>(2);

    Entry(Envelope envelope, long size) {
      this.messageId = envelope.messageId();
      this.webhookId = envelope.webhookId();
      this.queuedAt = envelope.timestamp();
      this.expiresAt = envelope.expiresAt();
      this.size = size;
      this.deliveryCount = envelope.deliveryCount();
    }

    Attempt lastAttempt() {
      return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    void releaseEnvelope() {
      if (envelope != null && heldBytes > 0) {
        MessageTrail.this.heldBytes.addAndGet(-heldBytes);
      }
      envelope = null;
      heldBytes = 0;
    }

    JsonObject summary(String event, long at) {
      JsonObject summary = new JsonObject()
          .put("message_id", messageId)
          .put("webhook_id", webhookId)
          .put("size", size)
          .put("queued_at", queuedAt)
          .put("attempts", attempts.size())
          .put("state", state);
      if (event != null) {
        summary.put("event", event).put("at", Envelope.format(Instant.ofEpochMilli(at)));
      }
      return summary;
    }

    Remembered detail() {
      JsonArray attemptList = new JsonArray();
      attempts.forEach(attempt -> attemptList.add(attempt.toJson()));
      JsonObject detail = summary(null, 0)
          .put("expires_at", expiresAt)
          .put("delivery_count", deliveryCount)
          .put("attempts", attemptList)
          .put("dead_letter", deadReason == null ? null : new JsonObject().put("reason", deadReason));
      return new Remembered(detail, envelope);
    }
  }

  private static final class Attempt {
    final int number;
    final String owner;
    final long leasedAt;
    final long leaseMillis;
    String outcome;
    long outcomeAt;

    Attempt(int number, String owner, long leasedAt, long leaseMillis) {
      this.number = number;
      this.owner = owner;
      this.leasedAt = leasedAt;
      this.leaseMillis = leaseMillis;
    }

    void finish(String value, long at) {
      outcome = value;
      outcomeAt = at;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("number", number)
          .put("connection_id", owner)
          .put("leased_at", Envelope.format(Instant.ofEpochMilli(leasedAt)))
          .put("outcome", outcome == null ? "pending" : outcome)
          .put("outcome_at", outcome == null ? null : Envelope.format(Instant.ofEpochMilli(outcomeAt)));
    }
  }
}
