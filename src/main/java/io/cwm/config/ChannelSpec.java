package io.cwm.config;

import io.cwm.retry.RetryCurve;

import java.util.Map;

/**
 * A Webhook Connect channel as defined by the {@code webhook_connect} entries of webhooks.json
 * (spec §2.1), registered at start-up. Several webhooks may feed one channel: each has its own
 * queue with its own TTL and size limit.
 *
 * @param name channel name
 * @param token the configured {@code channel_token}: the initial token (the buffer keeps the current one, see {@code TokenState})
 * @param queues per webhook id: TTL and max queue size
 * @param maxConnections concurrent connector connections on the channel
 * @param maxInFlight unacknowledged messages per connection
 * @param ackTimeoutSeconds lease length of a delivery before it is requeued
 * @param heartbeatIntervalSeconds server heartbeat interval
 * @param maxDeliveries deliveries before a message is dead-lettered
 * @param orderingKey {@code "ordering": {"key": ...}}: where a message's ordering key is read at
 *     ingest (messages with the same key are delivered one at a time in publish order), or null
 *     when the channel is unordered
 */
public record ChannelSpec(String name, String token, Map<String, Queue> queues,
    int maxConnections, int maxInFlight, int ackTimeoutSeconds, int heartbeatIntervalSeconds,
    int maxDeliveries, FieldSelector orderingKey) {

  /** An unordered channel. */
  public ChannelSpec(String name, String token, Map<String, Queue> queues, int maxConnections, int maxInFlight,
      int ackTimeoutSeconds, int heartbeatIntervalSeconds, int maxDeliveries) {
    this(name, token, queues, maxConnections, maxInFlight, ackTimeoutSeconds, heartbeatIntervalSeconds,
        maxDeliveries, null);
  }

  /** Whether messages of the same ordering key are delivered one at a time, in publish order. */
  public boolean ordered() {
    return orderingKey != null;
  }

  public static final int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

  /**
   * One webhook's queue inside the channel.
   *
   * @param rawBody {@code raw_body} of the webhook's module-config: keep the exact request bytes in
   *     the envelope ({@code Envelope.Extras.rawBody}); true by default
   * @param dedupWindowSeconds how long the buffer remembers a message's idempotency key
   *     ({@code Envelope.Extras.dedupKey}, the entry's {@code dedup}); 0: no deduplication
   */
  public record Queue(String webhookId, long ttlSeconds, int maxQueueSize, boolean rawBody, long dedupWindowSeconds) {
    /** A queue that keeps raw bodies (the default), without deduplication. */
    public Queue(String webhookId, long ttlSeconds, int maxQueueSize) {
      this(webhookId, ttlSeconds, maxQueueSize, true, 0);
    }

    /** A queue without deduplication. */
    public Queue(String webhookId, long ttlSeconds, int maxQueueSize, boolean rawBody) {
      this(webhookId, ttlSeconds, maxQueueSize, rawBody, 0);
    }

    /** A queue that keeps raw bodies, with deduplication over {@code dedupWindowSeconds} (0: none). */
    public Queue(String webhookId, long ttlSeconds, int maxQueueSize, long dedupWindowSeconds) {
      this(webhookId, ttlSeconds, maxQueueSize, true, dedupWindowSeconds);
    }

    /** True when a message of this queue with a dedup key is deduplicated. */
    public boolean deduplicates() {
      return dedupWindowSeconds > 0;
    }
  }

  public Queue queue(String webhookId) {
    return queues.get(webhookId);
  }

  /** The delays of a nack with retry: 1 s doubling, capped at 60 s. */
  public static final RetryCurve REDELIVERY = RetryCurve.ofMillis(1000, 2, 60_000);

  /** Redelivery delay after the given number of deliveries (from 1): {@link #REDELIVERY}. */
  public static long retryDelayMillis(int deliveries) {
    return REDELIVERY.delayMillis(deliveries - 1);
  }
}
