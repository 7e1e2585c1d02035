package io.cwm.buffer.embedded;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferStartRefused;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.TokenState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded backend: messages in H2's MVStore under the data directory, so a single node
 * needs no broker. A publish completes only after its write is committed and fsynced to the
 * file (group commit: one commit serves every publish waiting at that moment), so what was
 * answered 200 survives {@code kill -9} and power loss. Leases live in memory: after a restart
 * every message that was in flight is ready again (delivered at least once).
 *
 * <p>Per channel: map {@code msg:<channel>} (sequence → envelope JSON), {@code deliveries:<channel>}
 * (delivery counts), {@code dead:<channel>} and {@code deadIds:<channel>} (dead letters and their
 * index by message id), the channel's entry in {@code tokens} (token state) and counters in
 * {@code meta} (see {@link ChannelIndex}). Token changes (alignment at open, rotation) and
 * dead-letter replay and delete are answered, like a publish, only once committed.
 */
public final class EmbeddedBuffer implements MessageBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBuffer.class);
  private static final String FILE_NAME = "webhook-connect.mv.db";
  private static final int COMPACT_FILL_RATE = 80;
  private static final int COMPACT_WRITE_BYTES = 16 * 1024 * 1024;
  /** How long a dead chunk is kept before its space is reused (with fsync on). */
  static final int RETENTION_MILLIS = 1000;
  /** Time the store may spend shrinking its file at shutdown. */
  private static final int CLOSE_COMPACT_MILLIS = 3000;

  private final Vertx vertx;
  private final Path dataDir;
  private final Clock clock;
  private final boolean fsync;
  private final Map<String, ChannelIndex> channels = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<CompletableFuture<Void>> commitRequests = new LinkedBlockingQueue<>();
  private volatile MVStore store;
  private MVMap<String, Long> meta;
  private Thread committer;
  private volatile boolean closing;
  /** Buffer instances that opened this store and have not closed it: the last close closes the file. */
  private int users;

  public EmbeddedBuffer(Vertx vertx, Path dataDir, Clock clock, boolean fsync) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.clock = clock;
    this.fsync = fsync;
  }

  /**
   * Opens the store (once: the buffer instances of a process share it, each registering the
   * channels it owns; the store closes with the last of them) and registers the channels; creates each channel's token state from
   * its configured token, or aligns it with a changed one (under this object's lock, so within
   * this process; the store file admits one process). Completes once that is committed. Fails
   * with {@link BufferStartRefused} when another process (or another buffer in this one) holds
   * the store file's lock: retrying would only log that every few seconds.
   */
  @Override
  public synchronized Future<Void> open(Collection<ChannelSpec> specs) {
    try {
      if (store == null) {
        Files.createDirectories(dataDir);
        // MVStore's background writer stays on: it compacts the file (acked messages leave dead
        // chunks behind); publishes are still committed and fsynced explicitly before the 200.
        store = new MVStore.Builder().fileName(dataDir.resolve(FILE_NAME).toString()).open();
        if (fsync) {
          // every commit is fsynced before it is answered, so dead chunks need not wait MVStore's
          // default 45 s before their space is reused: at a few MB of chunks a second under load
          // that wait alone grew the file by hundreds of MB
          store.setRetentionTime(RETENTION_MILLIS);
        }
        meta = store.openMap("meta");
        closing = false;
        committer = new Thread(this::commitLoop, "cwm-buffer-commit");
        committer.setDaemon(true);
        committer.start();
        LOG.info("embedded buffer open at {}", dataDir.resolve(FILE_NAME));
      }
      register(specs);
      users++;
      return commit();
    } catch (MVStoreException e) {
      if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED) {
        return cannotOpen(e);
      }
      Path absolute = dataDir.toAbsolutePath();
      return Future.failedFuture(new BufferStartRefused("embedded buffer: data directory " + absolute
          + " is in use by another cwm process (lock on " + absolute.resolve(FILE_NAME) + ")"));
    } catch (Exception e) {
      return cannotOpen(e);
    }
  }

  /**
   * The channels of a reload on the open store, as {@link #open} registers them; the store is not
   * opened again (an instance that opens it for the first time calls {@link #open}).
   */
  @Override
  public synchronized Future<Void> addChannels(Collection<ChannelSpec> specs) {
    if (store == null) {
      return Future.failedFuture(new BufferException(BufferException.Reason.UNAVAILABLE, "buffer closed"));
    }
    try {
      register(specs);
      return commit();
    } catch (Exception e) {
      return cannotOpen(e);
    }
  }

  /** Under this object's lock: an index per channel, its token state created or aligned with the configured token. */
  private void register(Collection<ChannelSpec> specs) {
    long now = clock.millis();
    for (ChannelSpec spec : specs) {
      ChannelIndex index = channels.computeIfAbsent(spec.name(), name -> new ChannelIndex(name, store, meta));
      TokenState before = index.token();
      TokenState after = index.alignToken(spec.token(), now);
      if (before != null && !before.currentHash().equals(after.currentHash())) {
        LOG.info("configured channel token changed: now current, the previous one valid for {} s [channel: {}]",
            TokenState.CONFIG_CHANGE_GRACE_SECONDS, spec.name());
      }
    }
  }

  private Future<Void> cannotOpen(Exception e) {
    LOG.error("embedded buffer cannot open {}: {}", dataDir, e.toString());
    return Future.failedFuture(new BufferException(BufferException.Reason.UNAVAILABLE,
        "embedded buffer cannot open its data directory"));
  }

  /** Size of the store file; 0 while closed. */
  public long fileBytes() {
    MVStore current = store;
    return current == null || current.isClosed() ? 0 : current.getFileStore().size();
  }

  /** What the live pages take in the file, as MVStore's fill rates estimate it; 0 while closed. */
  public long liveBytes() {
    MVStore current = store;
    if (current == null || current.isClosed()) {
      return 0;
    }
    long size = current.getFileStore().size();
    return size * current.getFileStore().getFillRate() / 100 * current.getFileStore().getChunksFillRate() / 100;
  }

  @Override
  public Future<Void> close() {
    Thread thread;
    synchronized (this) {
      if (store == null || --users > 0) {
        return Future.succeededFuture();
      }
      closing = true;
      thread = committer;
    }
    // never interrupt the committer: an interrupt closes the NIO file channel under MVStore
    commitRequests.add(new CompletableFuture<>());
    return vertx.executeBlocking(() -> {
      thread.join(5000);
      synchronized (this) {
        store.commit();
        store.close(CLOSE_COMPACT_MILLIS);
        store = null;
        channels.clear();
      }
      return null;
    });
  }

  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope) {
    return publish(spec, envelope, envelope.storedHead());
  }

  /** The JSON is encoded before the lock (by the receiving thread when it comes through the bus). */
  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope, byte[] storedHead) {
    ChannelSpec.Queue queue = spec.queue(envelope.webhookId());
    ChannelIndex index = channels.get(spec.name());
    if (index == null || queue == null) {
      return Future.failedFuture(new BufferException(BufferException.Reason.UNKNOWN_CHANNEL, "unknown channel"));
    }
    if (storedHead.length >= ChannelSpec.MAX_MESSAGE_BYTES) { // too large whatever its sequence
      return Future.failedFuture(new BufferException(BufferException.Reason.TOO_LARGE, "message too large"));
    }
    Envelope stamped;
    synchronized (this) {
      if (store == null) {
        return Future.failedFuture(new BufferException(BufferException.Reason.UNAVAILABLE, "buffer closed"));
      }
      String dedupKey = queue.deduplicates() ? envelope.extras().dedupKey() : null;
      long now = dedupKey == null ? 0 : clock.millis();
      if (dedupKey != null) {
        String first = index.duplicateOf(envelope.webhookId(), dedupKey, now);
        if (first != null) {
          // the first message was put before its record, under this lock; its commit may still be
          // running: the next commit covers it, and only then is the duplicate answered
          return commit().map(MessageBuffer.duplicateOf(envelope, first));
        }
      }
      if (index.depth(envelope.webhookId()) >= queue.maxQueueSize()) {
        return Future.failedFuture(new BufferException(BufferException.Reason.QUEUE_FULL, "queue full"));
      }
      stamped = envelope.withSequence(index.nextSequence());
      byte[] json = Envelope.stored(storedHead, stamped.sequence());
      if (json.length > ChannelSpec.MAX_MESSAGE_BYTES) {
        return Future.failedFuture(new BufferException(BufferException.Reason.TOO_LARGE, "message too large"));
      }
      index.add(stamped, json);
      if (dedupKey != null) {
        index.recordDedup(envelope.webhookId(), dedupKey, stamped.messageId(), now + queue.dedupWindowSeconds() * 1000);
      }
    }
    return commit().map(stamped);
  }

  @Override
  public synchronized Future<List<Envelope>> lease(ChannelSpec spec, String owner, int max, long leaseMillis) {
    ChannelIndex index = channels.get(spec.name());
    if (index == null || store == null) {
      return Future.succeededFuture(List.of());
    }
    Instant now = clock.instant();
    List<Envelope> leased = new ArrayList<>();
    while (leased.size() < max) {
      Envelope next = index.takeReady(now.toEpochMilli());
      if (next == null) {
        break;
      }
      if (next.expiredAt(now)) {
        index.deadLetter(next, "expired", now);
        continue;
      }
      if (next.deliveryCount() >= spec.maxDeliveries()) {
        index.deadLetter(next, "max_deliveries", now);
        continue;
      }
      Envelope delivered = next.withDeliveryCount(next.deliveryCount() + 1);
      index.lease(delivered, owner, now.toEpochMilli() + leaseMillis);
      leased.add(delivered);
    }
    return Future.succeededFuture(leased);
  }

  @Override
  public synchronized Future<Boolean> ack(ChannelSpec spec, String messageId) {
    ChannelIndex index = channels.get(spec.name());
    return Future.succeededFuture(index != null && store != null && index.ack(messageId));
  }

  @Override
  public synchronized Future<NackOutcome> nack(ChannelSpec spec, String messageId, boolean retry) {
    ChannelIndex index = channels.get(spec.name());
    if (index == null || store == null) {
      return Future.succeededFuture(NackOutcome.NOT_IN_FLIGHT);
    }
    Envelope envelope = index.settle(messageId);
    if (envelope == null) {
      return Future.succeededFuture(NackOutcome.NOT_IN_FLIGHT);
    }
    Instant now = clock.instant();
    if (!retry) {
      index.deadLetter(envelope, "rejected", now);
      return Future.succeededFuture(NackOutcome.DEAD_LETTERED);
    }
    if (envelope.deliveryCount() >= spec.maxDeliveries()) {
      index.deadLetter(envelope, "max_deliveries", now);
      return Future.succeededFuture(NackOutcome.DEAD_LETTERED);
    }
    index.requeue(envelope, now.toEpochMilli() + ChannelSpec.retryDelayMillis(envelope.deliveryCount()));
    return Future.succeededFuture(NackOutcome.REQUEUED);
  }

  @Override
  public synchronized Future<Integer> release(ChannelSpec spec, String owner, Set<String> uncounted) {
    ChannelIndex index = channels.get(spec.name());
    return Future.succeededFuture(index == null || store == null ? 0 : index.release(owner, uncounted));
  }

  @Override
  public synchronized Future<Integer> reclaimExpiredLeases(ChannelSpec spec) {
    ChannelIndex index = channels.get(spec.name());
    return Future.succeededFuture(index == null || store == null ? 0 : index.reclaim(clock.millis()));
  }

  @Override
  public synchronized Future<String> leaseOwner(ChannelSpec spec, String messageId) {
    ChannelIndex index = channels.get(spec.name());
    return Future.succeededFuture(index == null ? null : index.owner(messageId));
  }

  @Override
  public synchronized Future<ChannelStats> stats(ChannelSpec spec) {
    ChannelIndex index = channels.get(spec.name());
    if (index == null) {
      Map<String, Long> empty = new TreeMap<>();
      spec.queues().keySet().forEach(webhookId -> empty.put(webhookId, 0L));
      return Future.succeededFuture(new ChannelStats(spec.name(), 0, 0, 0, 0, 0, empty));
    }
    return Future.succeededFuture(index.stats(spec.queues().keySet()));
  }

  @Override
  public synchronized Future<List<JsonObject>> deadLetters(ChannelSpec spec, int limit) {
    ChannelIndex index = channels.get(spec.name());
    return Future.succeededFuture(index == null ? List.of() : index.deadLetters(limit));
  }

  @Override
  public synchronized Future<Boolean> ping() {
    return Future.succeededFuture(store != null && !store.isClosed());
  }

  /** Waits for the next group commit; completes on the caller's context. */
  private Future<Void> commit() {
    CompletableFuture<Void> request = new CompletableFuture<>();
    commitRequests.add(request);
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(request, context);
  }

  private void commitLoop() {
    List<CompletableFuture<Void>> batch = new ArrayList<>();
    while (!closing) {
      try {
        CompletableFuture<Void> first = commitRequests.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          batch.add(first);
          commitRequests.drainTo(batch);
        }
        // No lock here: MVStore commits concurrently with puts, and every put of a waiting
        // publish happened before its request was queued, so this commit includes it. Holding
        // the buffer's monitor would stall the event loop for the length of a commit.
        MVStore current = store;
        if (current == null) {
          break;
        }
        if (first == null) {
          // a quiet second: move live pages out of mostly-dead chunks so their space is reused
          // (not under load: a compaction on this thread held every waiting publish for up to 100 ms)
          current.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
        }
        if (current.hasUnsavedChanges()) {
          current.commit();
        }
        if (fsync && !batch.isEmpty()) {
          current.sync();
        }
        batch.forEach(request -> request.complete(null));
      } catch (InterruptedException interrupted) {
        break;
      } catch (RuntimeException e) {
        LOG.error("embedded buffer commit failed: {}", e.toString());
        BufferException failure = new BufferException(BufferException.Reason.UNAVAILABLE, "buffer write failed");
        batch.forEach(request -> request.completeExceptionally(failure));
      }
      batch.clear();
    }
    List<CompletableFuture<Void>> left = new ArrayList<>();
    commitRequests.drainTo(left);
    synchronized (this) {
      if (store != null && !store.isClosed()) {
        store.commit();
        if (fsync) {
          store.sync();
        }
      }
    }
    left.forEach(request -> request.complete(null));
  }

  /**
   * Oldest dead letter first; stops at the first one whose webhook queue holds max_queue_size
   * messages and returns what was replayed until then. Dead letters of a webhook that no longer
   * feeds the channel are skipped. Replayed messages keep their sequence, so they come before
   * newer messages of their queue.
   */
  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec spec, List<String> messageIds) {
    List<String> replayed;
    synchronized (this) {
      ChannelIndex index = channels.get(spec.name());
      if (index == null || store == null) {
        return unknownOrClosed(index);
      }
      replayed = index.replay(messageIds, spec::queue, clock.instant());
    }
    LOG.info("dead letters replayed [channel: {}, count: {}]", spec.name(), replayed.size());
    return replayed.isEmpty() ? Future.succeededFuture(replayed) : commit().map(replayed);
  }

  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec spec, String messageId) {
    boolean deleted;
    synchronized (this) {
      ChannelIndex index = channels.get(spec.name());
      if (index == null || store == null) {
        return unknownOrClosed(index);
      }
      deleted = index.deleteDead(messageId);
    }
    if (deleted) {
      LOG.info("dead letter deleted [channel: {}, message_id: {}]", spec.name(), messageId);
    }
    return deleted ? commit().map(true) : Future.succeededFuture(false);
  }

  @Override
  public synchronized Future<TokenState> tokenState(ChannelSpec spec) {
    ChannelIndex index = channels.get(spec.name());
    if (index == null || store == null) {
      return unknownOrClosed(index);
    }
    TokenState state = index.token();
    if (state != null) {
      return Future.succeededFuture(state);
    }
    TokenState created = index.alignToken(spec.token(), clock.millis()); // open() made it; only a hand-edited store lacks it
    return commit().map(created);
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec spec, String newTokenHash, long graceMillis) {
    TokenState rotated;
    synchronized (this) {
      ChannelIndex index = channels.get(spec.name());
      if (index == null || store == null) {
        return unknownOrClosed(index);
      }
      rotated = index.rotateToken(spec.token(), newTokenHash, graceMillis, clock.millis());
    }
    LOG.info("channel token rotated [channel: {}]", spec.name());
    return commit().map(rotated);
  }

  private <T> Future<T> unknownOrClosed(ChannelIndex index) {
    return Future.failedFuture(index == null
        ? new BufferException(BufferException.Reason.UNKNOWN_CHANNEL, "unknown channel")
        : new BufferException(BufferException.Reason.UNAVAILABLE, "buffer closed"));
  }
}
