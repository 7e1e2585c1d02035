package io.cwm.buffer.redis;

import java.util.List;

/**
 * Key names of the Redis buffer (spec §5.2). The stream, consumer group, meta hash and DLQ keep
 * the names of the layout shared with the Python version, so Python receivers, their tooling and
 * {@code redis-cli} recipes keep working on the same Redis; the state only this receiver keeps in
 * Redis (leases, tokens, counters) lives under {@code webhook_connect:j:}, outside that layout.
 * One Redis, no hash tags (cluster is not supported).
 */
public final class RedisKeys {
  public static final String PREFIX = "webhook_connect:";
  /** The shared consumer group, the same for every stream. */
  public static final String GROUP = "webhook_connect_consumers";
  static final String STREAM_PREFIX = PREFIX + "stream:";
  private static final String JAVA_PREFIX = PREFIX + "j:";

  private RedisKeys() {}

  /** Stream of one webhook's queue: fields {@code message_id}, {@code data}, {@code expires_at}. */
  public static String stream(String channel, String webhookId) {
    return STREAM_PREFIX + channel + ":" + webhookId;
  }

  /** Hash {@code ttl_seconds}, {@code created_at} of one webhook's queue (shared layout; nothing reads it). */
  public static String meta(String channel, String webhookId) {
    return PREFIX + "meta:" + channel + ":" + webhookId;
  }

  /** Sorted set of the channel's dead letters, score = failure time in Unix seconds. */
  public static String deadLetters(String channel) {
    return PREFIX + "dlq:" + channel;
  }

  /**
   * Hash of the channel's token state ({@link io.cwm.buffer.TokenState}, SHA-256 hex digests
   * only): {@code current}, {@code previous} (absent when none), {@code previous_expires_at} and
   * {@code rotated_at} (Unix ms), {@code config} (digest of the configured token it was aligned with).
   */
  public static String channel(String channel) {
    return JAVA_PREFIX + "channel:" + channel;
  }

  /**
   * The dedup record of one key of one webhook's queue (string: the first message's id, expiring
   * after the webhook's dedup window), written by the publish that stored that message.
   */
  public static String dedup(String channel, String webhookId, String key) {
    return JAVA_PREFIX + "dedup:" + channel + ":" + webhookId + ":" + key;
  }

  /** Sequence counter (INCR). */
  public static String sequence(String channel) {
    return JAVA_PREFIX + "seq:" + channel;
  }

  /**
   * Hash message_id → lease JSON {@code {stream, entry_id, owner, process, deadline, deliveries}}:
   * {@code owner} the connector session, {@code process} the receiver process holding it.
   */
  public static String inFlight(String channel) {
    return JAVA_PREFIX + "inflight:" + channel;
  }

  /** Sorted set of requeued messages {@code {message_id, stream, entry_id}}, score = not-before (Unix ms). */
  public static String retry(String channel) {
    return JAVA_PREFIX + "retry:" + channel;
  }

  /** Hash of counters {@code delivered}, {@code expired}, {@code dead_lettered}. */
  public static String stats(String channel) {
    return JAVA_PREFIX + "stats:" + channel;
  }

  /** Hash message_id → deliveries so far; kept across requeues, dropped when the message is settled. */
  public static String deliveries(String channel) {
    return JAVA_PREFIX + "deliveries:" + channel;
  }

  /** Sorted set message_id → lease deadline (Unix ms): the index that makes reclaiming cheap. */
  public static String leaseDeadlines(String channel) {
    return JAVA_PREFIX + "leases:" + channel;
  }

  /** Set of the message ids leased to one owner: release without scanning the in-flight hash. */
  public static String owner(String channel, String owner) {
    return ownerPrefix(channel) + owner;
  }

  static String ownerPrefix(String channel) {
    return JAVA_PREFIX + "owner:" + channel + ":";
  }

  /**
   * Liveness of one receiver process (string, its start time; expires unless the process
   * refreshes it): a process whose key is gone is dead and its leases are requeued.
   */
  public static String alive(String process) {
    return ALIVE_PREFIX + process;
  }

  static final String ALIVE_PREFIX = JAVA_PREFIX + "alive:";

  /** Set of the receiver processes that hold (or held) leases in the channel. */
  public static String holders(String channel) {
    return JAVA_PREFIX + "holders:" + channel;
  }

  /** Set of the message ids of the channel leased by one receiver process. */
  public static String held(String channel, String process) {
    return heldPrefix(channel) + process;
  }

  static String heldPrefix(String channel) {
    return JAVA_PREFIX + "held:" + channel + ":";
  }

  /**
   * Hash ordering key → the message of the key that is out (in flight or waiting in the retry
   * set); the key's newer messages wait in {@link #parked} lists. Only for ordered channels.
   */
  public static String orderingHeads(String channel) {
    return JAVA_PREFIX + "oheads:" + channel;
  }

  /**
   * List of the messages of one ordering key read from their streams but parked behind the key's
   * head ({@code {message_id, stream, entry_id, okey}}, in the order read); gone when empty.
   */
  public static String parked(String channel, String orderingKey) {
    return parkedPrefix(channel) + orderingKey;
  }

  static String parkedPrefix(String channel) {
    return JAVA_PREFIX + "parked:" + channel + ":";
  }

  /** KEYS[1..9] of every script, in the order common.lua expects. */
  static List<String> channelKeys(String channel) {
    return List.of(inFlight(channel), retry(channel), deliveries(channel), stats(channel),
        deadLetters(channel), leaseDeadlines(channel), sequence(channel), holders(channel), orderingHeads(channel));
  }
}
