package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.cwm.config.ChannelSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup records of the RabbitMQ buffer (issue 16). RabbitMQ has no compare-and-set that a
 * receiver could run with a publish (a queue can only be appended to and read destructively; the
 * {@link StateStore}'s state message is last-writer-wins), so the records live in the Vert.x
 * cluster's shared map ({@code cwm.dedup}: Hazelcast, one backup, when the receivers run with
 * {@code --cluster}; this process's memory otherwise). A publish claims its key with
 * {@code putIfAbsent} (pending, {@value #PENDING_TTL_MILLIS} ms), publishes the message with its
 * publisher confirm, then marks the record stored for the window and appends it to the channel's
 * journal in the broker ({@link RabbitLayout#dedupQueue}, read back by {@link #load} when the
 * cluster has no records of the channel); a failed publish removes its claim. An arrival that
 * finds a pending claim waits (polling after {@value #POLL_MILLIS} ms, doubling to
 * {@value #MAX_POLL_MILLIS} ms, at most {@value #WAIT_MILLIS} ms) until it is stored (answered as a
 * duplicate of it) or gone (claims again), so no duplicate is answered before the first message is confirmed. What is
 * not atomic: claim, message and mark are three writes; a receiver killed between the confirm and
 * the mark leaves a pending claim that blocks the key (503) for at most the pending TTL, after
 * which a retry is stored as a second message (at-least-once, as without dedup).
 */
final class DedupClaims {
  private static final Logger LOG = LoggerFactory.getLogger(DedupClaims.class);
  static final String MAP = "cwm.dedup";
  /** A claim whose publish never settled (its receiver died) frees the key after this long. */
  static final long PENDING_TTL_MILLIS = 30_000;
  /** A waiting arrival looks again after 10 ms, doubling to 200 ms (it must not flood the cluster map). */
  static final long POLL_MILLIS = 10;
  static final long MAX_POLL_MILLIS = 200;
  /** Below the receiver's 5 s publish timeout. */
  static final long WAIT_MILLIS = 4_000;
  private static final String PENDING = "pending ";
  private static final String STORED = "stored ";

  /** Journal records read back at most per channel at open (a larger journal is read in part, with a warning). */
  static final int LOAD_LIMIT = 200_000;
  private static final String LOADED = "loaded\n";

  private final Vertx vertx;
  private final Clock clock;
  private final RabbitLink publisher;
  private final AdminSteps admin;
  private Future<AsyncMap<String, String>> map;

  DedupClaims(Vertx vertx, Clock clock, RabbitLink publisher, AdminSteps admin) {
    this.vertx = vertx;
    this.clock = clock;
    this.publisher = publisher;
    this.admin = admin;
  }

  /**
   * Reads the journals ({@link RabbitLayout#dedupQueue}) of the deduplicating channels back into
   * the records, once per cluster (the first receiver to open a channel after every receiver was
   * down; without a cluster, each process at its start). Never fails the open: a journal that cannot
   * be read leaves the records to the cluster, with a warning.
   */
  Future<Void> load(List<ChannelSpec> specs) {
    List<Future<Void>> loads = new ArrayList<>();
    for (ChannelSpec spec : specs) {
      if (spec.queues().values().stream().anyMatch(ChannelSpec.Queue::deduplicates)) {
        loads.add(loadJournal(spec.name()).recover(failure -> {
          LOG.warn("[channel: {}] dedup journal not read back: {}", spec.name(), failure.toString());
          return Future.succeededFuture();
        }));
      }
    }
    return Future.all(loads).mapEmpty();
  }

  private Future<Void> loadJournal(String channel) {
    String marker = LOADED + channel;
    return map().compose(records -> records.putIfAbsent(marker, "1").compose(previous -> {
      if (previous != null) {
        return Future.succeededFuture(); // another member read it (or this process, earlier)
      }
      String queue = RabbitLayout.dedupQueue(channel);
      return admin.run(client -> StateStore.getAll(client, queue, new ArrayList<>(), LOAD_LIMIT)
              .compose(messages -> StateStore.requeueAll(client, messages).map(messages)))
          .compose(messages -> {
            if (messages.size() >= LOAD_LIMIT) {
              LOG.warn("[channel: {}] dedup journal holds {} records or more: only the first were read back",
                  channel, LOAD_LIMIT);
            }
            long now = clock.millis();
            List<Future<?>> puts = new ArrayList<>();
            for (RabbitMQMessage message : messages) {
              JsonObject record;
              try {
                record = new JsonObject(message.body());
              } catch (RuntimeException unreadable) {
                continue;
              }
              long left = record.getLong("expires_at", 0L) - now;
              if (left > 0 && record.getString("webhook_id") != null && record.getString("key") != null) {
                puts.add(records.putIfAbsent(channel + "\n" + record.getString("webhook_id") + "\n"
                    + record.getString("key"), STORED + record.getString("message_id"), left));
              }
            }
            LOG.info("[channel: {}] dedup journal read back: {} live record(s)", channel, puts.size());
            return Future.all(puts).<Void>mapEmpty();
          })
          .recover(failure -> records.remove(marker).transform(removed -> Future.failedFuture(failure)));
    }));
  }

  /** Appends a stored record to the channel's journal (confirmed), expiring with its window. */
  private Future<Void> journal(Envelope stored, String key, long windowMillis) {
    JsonObject record = new JsonObject().put("webhook_id", stored.webhookId()).put("key", key)
        .put("message_id", stored.messageId()).put("expires_at", clock.millis() + windowMillis);
    return publisher.publish("", RabbitLayout.dedupQueue(stored.channel()), RabbitLayout.dedupProperties(windowMillis),
        Buffer.buffer(record.encode()));
  }

  /**
   * Says once, at open, when a webhook deduplicates and this process is not clustered: its records
   * are then its own, and another receiver on the same broker does not see them.
   */
  void warnIfLocal(java.util.Collection<io.cwm.config.ChannelSpec> specs) {
    boolean deduplicating = specs.stream().anyMatch(spec -> spec.queues().values().stream()
        .anyMatch(io.cwm.config.ChannelSpec.Queue::deduplicates));
    if (deduplicating && !vertx.isClustered() && !warned) {
      warned = true;
      LOG.warn("dedup on the RabbitMQ buffer keeps its records in this process (not clustered): receivers that "
          + "share the broker deduplicate only across --cluster members");
    }
  }

  private boolean warned;

  private Future<AsyncMap<String, String>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(MAP);
    }
    return map;
  }

  /**
   * Runs {@code publish} unless {@code key} of the envelope's channel and webhook has a record
   * within {@code windowMillis}; answers its stored envelope, or {@link MessageBuffer#duplicateOf}
   * the first message.
   */
  Future<Envelope> publishOnce(Envelope envelope, String key, long windowMillis, Supplier<Future<Envelope>> publish) {
    String record = envelope.channel() + "\n" + envelope.webhookId() + "\n" + key;
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    return attempt(record, envelope, key, windowMillis, publish, deadline, POLL_MILLIS);
  }

  private Future<Envelope> attempt(String record, Envelope envelope, String key, long windowMillis,
      Supplier<Future<Envelope>> publish, long deadline, long pollMillis) {
    String claim = PENDING + envelope.messageId();
    return map().recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(records -> records.putIfAbsent(record, claim, PENDING_TTL_MILLIS)
        .recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(previous -> {
          if (previous == null) {
            return publish.get().compose(
                stored -> Future.join(
                        records.put(record, STORED + stored.messageId(), windowMillis).onFailure(failure ->
                            LOG.warn("[channel: {}, webhook_id: {}, message_id: {}] dedup record not marked stored: {}",
                                envelope.channel(), envelope.webhookId(), stored.messageId(), failure.toString())),
                        journal(stored, key, windowMillis).onFailure(failure ->
                            LOG.warn("[channel: {}, webhook_id: {}, message_id: {}] dedup record not journaled "
                                + "(kept by the cluster only): {}", envelope.channel(), envelope.webhookId(),
                                stored.messageId(), failure.toString())))
                    .transform(marked -> Future.succeededFuture(stored)),
                failure -> records.removeIfPresent(record, claim)
                    .transform(removed -> Future.failedFuture(failure)));
          }
          if (previous.startsWith(STORED)) {
            return Future.succeededFuture(MessageBuffer.duplicateOf(envelope, previous.substring(STORED.length())));
          }
          if (System.nanoTime() > deadline) {
            return Future.failedFuture(new BufferException(Reason.UNAVAILABLE,
                "the first message with this dedup key is not stored yet"));
          }
          return vertx.timer(pollMillis).compose(waited -> attempt(record, envelope, key, windowMillis, publish,
              deadline, Math.min(pollMillis * 2, MAX_POLL_MILLIS)));
        }));
  }

  private static BufferException unavailable(Throwable failure) {
    LOG.warn("dedup records unreachable: {}", failure.toString());
    return new BufferException(Reason.UNAVAILABLE, "dedup records unavailable");
  }
}
