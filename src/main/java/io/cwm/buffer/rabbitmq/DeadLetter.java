package io.cwm.buffer.rabbitmq;

import com.rabbitmq.client.BasicProperties;
import io.cwm.buffer.Envelope;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * One message of a channel's DLQs as browsed (basic.get, not yet settled): made by Java (headers
 * {@code x-cwm-reason}, {@code x-cwm-dead-lettered-at}) or by the broker (TTL expiry, another
 * receiver's basic.reject: {@code x-death}).
 *
 * @param queueIndex which DLQ of the channel, in the order they were browsed
 * @param position place in that DLQ (0 = head = oldest)
 * @param envelope the stored envelope, or null when the body is not one
 * @param javaMade whether Java made it (else the broker did: not yet counted)
 */
record DeadLetter(int queueIndex, int position, long deliveryTag, String messageId, String webhookId,
    String reason, Instant deadLetteredAt, JsonObject envelope, boolean javaMade, RabbitMQMessage message) {

  /** Oldest first: by dead-letter time, then by place in the DLQ. */
  static final Comparator<DeadLetter> OLDEST_FIRST = Comparator.comparing(DeadLetter::deadLetteredAt)
      .thenComparingInt(DeadLetter::position).thenComparingInt(DeadLetter::queueIndex);

  static DeadLetter of(int queueIndex, int position, String queueWebhookId, RabbitMQMessage message) {
    BasicProperties properties = message.properties();
    Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    JsonObject envelope;
    try {
      envelope = new JsonObject(message.body());
    } catch (RuntimeException e) {
      envelope = null;
    }
    String messageId = properties.getMessageId() != null ? properties.getMessageId()
        : envelope == null ? null : envelope.getString("message_id");
    String webhookId = headers.get("webhook_id") != null ? headers.get("webhook_id").toString()
        : envelope != null && envelope.getString("webhook_id") != null ? envelope.getString("webhook_id")
        : queueWebhookId;
    String reason = null;
    Instant at = null;
    boolean javaMade = headers.get(RabbitLayout.REASON_HEADER) != null;
    if (javaMade) {
      reason = headers.get(RabbitLayout.REASON_HEADER).toString();
      Object time = headers.get(RabbitLayout.DEAD_LETTERED_AT_HEADER);
      at = time == null ? null : Envelope.parse(time.toString());
    } else if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
        && deaths.get(0) instanceof Map<?, ?> death) {
      reason = death.get("reason") == null ? null : death.get("reason").toString();
      at = death.get("time") instanceof Date date ? date.toInstant() : null;
    }
    if (reason == null && headers.get("x-first-death-reason") != null) {
      reason = headers.get("x-first-death-reason").toString();
    }
    if (at == null && properties.getTimestamp() != null) {
      at = properties.getTimestamp().toInstant();
    }
    return new DeadLetter(queueIndex, position, message.envelope().getDeliveryTag(), messageId, webhookId,
        reason == null ? "failed" : reason, at == null ? Instant.EPOCH : at, envelope, javaMade, message);
  }

  /** The admin item: {@code message_id, webhook_id, reason, dead_lettered_at, envelope, delivery_count}. */
  JsonObject item() {
    return new JsonObject()
        .put("message_id", messageId)
        .put("webhook_id", webhookId)
        .put("reason", reason)
        .put("dead_lettered_at", Envelope.format(deadLetteredAt))
        .put("delivery_count", envelope == null ? null : envelope.getValue("delivery_count"))
        .put("envelope", envelope);
  }
}
