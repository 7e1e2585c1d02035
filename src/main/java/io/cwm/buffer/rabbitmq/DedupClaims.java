package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
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
 * publisher confirm, then marks the record stored for the window; a failed publish removes its
 * claim. An arrival that finds a pending claim waits (polling every {@value #POLL_MILLIS} ms, at
 * most {@value #WAIT_MILLIS} ms) until it is stored (answered as a duplicate of it) or gone
 * (claims again), so no duplicate is answered before the first message is confirmed. What is
 * not atomic: claim, message and mark are three writes; a receiver killed between the confirm and
 * the mark leaves a pending claim that blocks the key (503) for at most the pending TTL, after
 * which a retry is stored as a second message (at-least-once, as without dedup).
 */
final class DedupClaims {
  private static final Logger LOG = LoggerFactory.getLogger(DedupClaims.class);
  static final String MAP = "cwm.dedup";
  /** A claim whose publish never settled (its receiver died) frees the key after this long. */
  static final long PENDING_TTL_MILLIS = 30_000;
  static final long POLL_MILLIS = 10;
  /** Below the receiver's 5 s publish timeout. */
  static final long WAIT_MILLIS = 4_000;
  private static final String PENDING = "pending ";
  private static final String STORED = "stored ";

  private final Vertx vertx;
  private Future<AsyncMap<String, String>> map;

  DedupClaims(Vertx vertx) {
    this.vertx = vertx;
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
    return attempt(record, envelope, windowMillis, publish, deadline);
  }

  private Future<Envelope> attempt(String record, Envelope envelope, long windowMillis,
      Supplier<Future<Envelope>> publish, long deadline) {
    String claim = PENDING + envelope.messageId();
    return map().recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(records -> records.putIfAbsent(record, claim, PENDING_TTL_MILLIS)
        .recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(previous -> {
          if (previous == null) {
            return publish.get().compose(
                stored -> records.put(record, STORED + stored.messageId(), windowMillis)
                    .map(stored)
                    .otherwise(failure -> {
                      LOG.warn("[channel: {}, webhook_id: {}, message_id: {}] dedup record not marked stored: {}",
                          envelope.channel(), envelope.webhookId(), stored.messageId(), failure.toString());
                      return stored;
                    }),
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
          return vertx.timer(POLL_MILLIS).compose(waited -> attempt(record, envelope, windowMillis, publish, deadline));
        }));
  }

  private static BufferException unavailable(Throwable failure) {
    LOG.warn("dedup records unreachable: {}", failure.toString());
    return new BufferException(Reason.UNAVAILABLE, "dedup records unavailable");
  }
}
