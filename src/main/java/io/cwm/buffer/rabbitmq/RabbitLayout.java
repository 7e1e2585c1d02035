package io.cwm.buffer.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BasicProperties;
import io.cwm.buffer.Envelope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/**
 * The RabbitMQ objects of Webhook Connect exactly as spec §5.1 lays them out, so Java and Python
 * receivers can share one broker, plus the Java-only state queues under {@code webhook_connect.j.},
 * outside that layout.
 */
final class RabbitLayout {
  static final String EXCHANGE = "webhook_connect";
  static final String DEAD_LETTER_EXCHANGE = "webhook_connect.dlx";
  static final String EXCHANGE_TYPE = "topic";
  /** Headers Java adds to the dead letters it makes (the broker's carry {@code x-death} instead). */
  static final String REASON_HEADER = "x-cwm-reason";
  static final String DEAD_LETTERED_AT_HEADER = "x-cwm-dead-lettered-at";
  private static final String STATE_PREFIX = "webhook_connect.j.state.";
  private static final String COUNTS_PREFIX = "webhook_connect.j.counts.";
  private static final String DEDUP_PREFIX = "webhook_connect.j.dedup.";

  private RabbitLayout() {}

  /** {@code webhook_connect.{channel}.{webhook_id}}. */
  static String queue(String channel, String webhookId) {
    return EXCHANGE + "." + channel + "." + webhookId;
  }

  /** {@code webhook_connect.{channel}.{webhook_id}.dlq}. */
  static String deadLetterQueue(String channel, String webhookId) {
    return queue(channel, webhookId) + ".dlq";
  }

  /** {@code {channel}.{webhook_id}}: unambiguous because webhook ids cannot contain '.'. */
  static String routingKey(String channel, String webhookId) {
    return channel + "." + webhookId;
  }

  /** Java-only: the counters of a channel, per receiver process ({@link CounterRecord} messages). */
  static String countsQueue(String channel) {
    return COUNTS_PREFIX + channel;
  }

  /**
   * Java-only, declared for a channel one of whose webhooks has {@code dedup}: the journal of its
   * dedup records (one message per stored message with a key, expiring after its window), read back
   * into the cluster's records by the first receiver that opens the channel ({@link DedupClaims}).
   */
  static String dedupQueue(String channel) {
    return DEDUP_PREFIX + channel;
  }

  static JsonObject dedupQueueArguments() {
    return new JsonObject().put("x-queue-type", "classic");
  }

  /** A persistent journal record that the broker drops after {@code ttlMillis}. */
  static AMQP.BasicProperties dedupProperties(long ttlMillis) {
    return new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
        .expiration(String.valueOf(Math.max(1, ttlMillis))).build();
  }

  /** Java-only: the last written token and sequence state of a channel (one message). */
  static String stateQueue(String channel) {
    return STATE_PREFIX + channel;
  }

  /**
   * Exactly the shared layout's arguments of the main queue; with {@code brokerLimits} also a
   * broker-side {@code max_queue_size} (x-max-length, reject-publish), outside that layout.
   */
  static JsonObject queueArguments(String channel, String webhookId, long ttlSeconds, boolean brokerLimits,
      int maxQueueSize) {
    JsonObject arguments = new JsonObject()
        .put("x-dead-letter-exchange", DEAD_LETTER_EXCHANGE)
        .put("x-dead-letter-routing-key", routingKey(channel, webhookId))
        .put("x-message-ttl", integer(ttlSeconds * 1000))
        .put("x-queue-type", "classic");
    if (brokerLimits) {
      arguments.put("x-max-length", maxQueueSize).put("x-overflow", "reject-publish");
    }
    return arguments;
  }

  static JsonObject deadLetterQueueArguments() {
    return new JsonObject().put("x-queue-type", "classic");
  }

  /** At most one message, the newest (last writer wins). */
  static JsonObject stateQueueArguments() {
    return new JsonObject().put("x-max-length", 1).put("x-overflow", "drop-head").put("x-queue-type", "classic");
  }

  /** Any number of counter records (each receiver writes its own; merging keeps the largest per process). */
  static JsonObject countsQueueArguments() {
    return new JsonObject().put("x-queue-type", "classic");
  }

  /** An int when it fits, else a long; the broker treats both alike. */
  private static Number integer(long value) {
    return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Number) (int) value : (Number) value;
  }

  /**
   * The shared layout's message properties: message_id, timestamp (receive time, seconds), persistent,
   * headers {@code channel} and {@code webhook_id}, no content type.
   */
  static AMQP.BasicProperties properties(Envelope envelope, String webhookId) {
    return properties(envelope, webhookId, Map.of());
  }

  static AMQP.BasicProperties deadLetterProperties(Envelope envelope, String webhookId, String reason, Instant at) {
    return properties(envelope, webhookId, Map.of(REASON_HEADER, reason, DEAD_LETTERED_AT_HEADER, Envelope.format(at)));
  }

  private static AMQP.BasicProperties properties(Envelope envelope, String webhookId, Map<String, Object> extra) {
    Map<String, Object> headers = new HashMap<>();
    headers.put("channel", envelope.channel());
    headers.put("webhook_id", webhookId);
    headers.putAll(extra);
    Instant received = Envelope.parse(envelope.timestamp());
    long seconds = (received == null ? Instant.now() : received).getEpochSecond();
    return new AMQP.BasicProperties.Builder()
        .messageId(envelope.messageId())
        .timestamp(new Date(seconds * 1000))
        .deliveryMode(2)
        .headers(headers)
        .build();
  }

  /**
   * The properties of a dead letter the broker made (x-death), with Java's reason headers added:
   * republished in its place, it is counted once.
   */
  static AMQP.BasicProperties adoptedProperties(BasicProperties original, String reason, Instant at) {
    Map<String, Object> headers = new HashMap<>(original.getHeaders() == null ? Map.of() : original.getHeaders());
    headers.put(REASON_HEADER, reason);
    headers.put(DEAD_LETTERED_AT_HEADER, Envelope.format(at));
    return ((AMQP.BasicProperties) original).builder().headers(headers).build();
  }

  /** A persistent message without headers, for the state queue. */
  static AMQP.BasicProperties stateProperties() {
    return new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();
  }
}
