package io.cwm.buffer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import io.cwm.config.ChannelSpec;

/**
 * The one contract every Webhook Connect backend (embedded, Redis, RabbitMQ) fulfils; only
 * {@link ChannelBufferVerticle} calls it. Delivery model (spec §4.12): a message is leased to one
 * owner (a connector session) until acked (removed), nacked (requeued after a delay, or
 * dead-lettered), released (owner gone: requeued at once) or its lease expires (requeued).
 * Every lease counts as a delivery; a message past {@code maxDeliveries} or past its TTL is
 * dead-lettered instead of delivered. Nothing answered by {@link #publish} is lost.
 */
public interface MessageBuffer {

  /** Opens the backend and registers the channels (queues, groups, ...). */
  Future<Void> open(Collection<ChannelSpec> channels);

  Future<Void> close();

  /**
   * Registers, on a backend already open, channels that appeared or whose spec changed since
   * (a configuration reload): what {@link #open} prepares for each (queues, streams, groups,
   * token state aligned with a changed configured token) without opening the backend again.
   * By default {@link #open}, which the Redis and RabbitMQ backends allow to be called again
   * with more channels.
   */
  default Future<Void> addChannels(Collection<ChannelSpec> channels) {
    return open(channels);
  }

  /**
   * Stores a message durably and stamps its sequence. Fails with a {@link BufferException}:
   * QUEUE_FULL when the webhook's queue holds max_queue_size messages (ready + in flight),
   * TOO_LARGE, UNAVAILABLE. Nothing refused is stored.
   *
   * <p>Deduplication (issue 16): when the envelope carries a dedup key
   * ({@link Envelope.Extras#dedupKey}) and its webhook's queue has a window
   * ({@link ChannelSpec.Queue#deduplicates}), the backend keeps a record key → message id for the
   * window, written atomically with the message. A message whose key has a record of the same
   * webhook within the window is not stored: the answer is {@link #duplicateOf} the first message
   * (its id), and only once that first message is durably stored. A refused publish writes no record.
   */
  Future<Envelope> publish(ChannelSpec channel, Envelope envelope);

  /** What {@link #publish} answers for a duplicate: the envelope given, with the first message's id. */
  static Envelope duplicateOf(Envelope envelope, String firstMessageId) {
    return new Envelope(firstMessageId, envelope.channel(), envelope.webhookId(), envelope.timestamp(),
        envelope.expiresAt(), envelope.headers(), envelope.payload(), 0, 0, envelope.extras());
  }

  /** Whether {@code answered}, the answer of {@link #publish} for {@code sent}, says it was a duplicate. */
  static boolean isDuplicate(Envelope sent, Envelope answered) {
    return !sent.messageId().equals(answered.messageId());
  }

  /**
   * {@link #publish} with the envelope's {@link Envelope#storedHead} already encoded (by the
   * receiving thread, so the channel's owner does not encode it again); backends that store the
   * envelope JSON use it, the others ignore it.
   */
  default Future<Envelope> publish(ChannelSpec channel, Envelope envelope, byte[] storedHead) {
    return publish(channel, envelope);
  }

  /**
   * Leases up to {@code max} ready messages of the channel to {@code owner} for
   * {@code leaseMillis}; per webhook queue in publish order on first delivery. The returned
   * envelopes carry the incremented delivery count. It may answer with fewer than are ready
   * (RabbitMQ hands over what its consumers have pushed so far); callers lease again.
   */
  Future<List<Envelope>> lease(ChannelSpec channel, String owner, int max, long leaseMillis);

  /** Removes a message in flight. False when it is not in flight (unknown, already settled). */
  Future<Boolean> ack(ChannelSpec channel, String messageId);

  /** What a nack did. */
  enum NackOutcome { REQUEUED, DEAD_LETTERED, NOT_IN_FLIGHT }

  /**
   * {@code retry}: requeue after {@link ChannelSpec#retryDelayMillis}, or dead-letter with reason
   * {@code max_deliveries} when the deliveries are used up. Otherwise dead-letter with reason
   * {@code rejected}.
   */
  Future<NackOutcome> nack(ChannelSpec channel, String messageId, boolean retry);

  /** Requeues at once every message leased to {@code owner} (its session is gone). */
  default Future<Integer> release(ChannelSpec channel, String owner) {
    return release(channel, owner, Set.of());
  }

  /**
   * Requeues at once every message leased to {@code owner}; the deliveries of those in
   * {@code uncounted} are given back (their delivery count goes down by one), as when their
   * session broke with several in flight and none of them can be blamed (issue 20: a poison
   * message must not spend its neighbours' attempts).
   */
  Future<Integer> release(ChannelSpec channel, String owner, Set<String> uncounted);

  /** Requeues every message whose lease deadline has passed; returns how many. */
  Future<Integer> reclaimExpiredLeases(ChannelSpec channel);

  /** Owner of a message currently in flight, or null. */
  Future<String> leaseOwner(ChannelSpec channel, String messageId);

  Future<ChannelStats> stats(ChannelSpec channel);

  /** Dead letters, newest first: {@code {"message_id", "webhook_id", "reason", "dead_lettered_at", "envelope"}}. */
  Future<List<JsonObject>> deadLetters(ChannelSpec channel, int limit);

  /**
   * Puts dead letters back on their webhook's queue as fresh deliveries (delivery count 0, a
   * new TTL from now), in their original order; {@code messageIds} null means every dead letter
   * of the channel. Returns the ids replayed; ids that are not dead letters of the channel are
   * skipped. A replayed message is no longer a dead letter.
   */
  Future<List<String>> replayDeadLetters(ChannelSpec channel, List<String> messageIds);

  /** Drops one dead letter for good. False when it is not a dead letter of the channel. */
  Future<Boolean> deleteDeadLetter(ChannelSpec channel, String messageId);

  /**
   * The channel's token state as every receiver on this backend sees it. {@link #open} creates it
   * from {@link ChannelSpec#token} the first time and aligns it with a changed configured token
   * ({@link TokenState#alignedWith}), atomically, so concurrent start-ups agree.
   */
  Future<TokenState> tokenState(ChannelSpec channel);

  /**
   * Makes {@code newTokenHash} the current token; the current one stays valid for
   * {@code graceMillis} (only one previous token is kept). Atomic; returns the new state.
   */
  Future<TokenState> rotateToken(ChannelSpec channel, String newTokenHash, long graceMillis);

  /**
   * Registers who hears of messages that became ready without a call of this process (a backend
   * that pushes, such as RabbitMQ's consumers): called with the channel name on the buffer's
   * context. Backends that only pull never call it.
   */
  default void onReady(Consumer<String> listener) {
  }

  /** Whether the backend is reachable now (readiness). */
  Future<Boolean> ping();
}
