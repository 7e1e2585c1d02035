package io.cwm.buffer;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The stored message of Webhook Connect (spec §2.2), in the exact JSON shape every peer reads and
 * writes (Python receivers and connectors included), so a shared buffer and the wire stay
 * compatible. {@code deliveryCount} is kept with the message.
 */
public record Envelope(String messageId, String channel, String webhookId, String timestamp,
    String expiresAt, JsonObject headers, Object payload, long sequence, int deliveryCount) {

  /** ISO-8601 UTC with microseconds and a numeric offset, the wire format of spec §2.4. */
  private static final DateTimeFormatter PYTHON_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

  /** A new message as received now; the sequence is stamped by the buffer at publish. */
  public static Envelope create(String channel, String webhookId, JsonObject headers, Object payload,
      Instant now, long ttlSeconds) {
    return new Envelope(newMessageId(), channel, webhookId, format(now),
        format(now.plusSeconds(ttlSeconds)), headers, payload, 0, 0);
  }

  /** {@code msg_} + the first 16 hex digits of a random UUID (§2.3). */
  public static String newMessageId() {
    return "msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public static String format(Instant instant) {
    return PYTHON_TIME.format(instant.atOffset(ZoneOffset.UTC));
  }

  /** Parses a timestamp with or without fraction, with {@code +00:00} or {@code Z}; null if absent or bad. */
  public static Instant parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  public Envelope withSequence(long value) {
    return new Envelope(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, value, deliveryCount);
  }

  public Envelope withDeliveryCount(int value) {
    return new Envelope(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, sequence, value);
  }

  /** True when {@code expires_at} is set and not after {@code now}. */
  public boolean expiredAt(Instant now) {
    Instant expires = parse(expiresAt);
    return expires != null && !expires.isAfter(now);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("message_id", messageId)
        .put("channel", channel)
        .put("webhook_id", webhookId)
        .put("timestamp", timestamp)
        .put("expires_at", expiresAt)
        .put("metadata", new JsonObject().put("source", "webhook_connect_module"))
        .put("headers", headers)
        .put("payload", payload)
        .put("sequence", sequence)
        .put("delivery_count", deliveryCount)
        .put("state", "pending");
  }

  /** Reads an envelope of any writer; unknown fields are ignored. */
  public static Envelope fromJson(JsonObject json) {
    JsonObject headers = json.getValue("headers") instanceof JsonObject object ? object : new JsonObject();
    Number sequence = json.getValue("sequence") instanceof Number number ? number : 0;
    Number deliveries = json.getValue("delivery_count") instanceof Number number ? number : 0;
    return new Envelope(json.getString("message_id"), json.getString("channel"),
        json.getString("webhook_id"), json.getString("timestamp"), json.getString("expires_at"),
        headers, json.getValue("payload"), sequence.longValue(), deliveries.intValue());
  }

  /** The {@code webhook} frame of the streaming protocol (§3.2): flat, no channel or expiry. */
  public JsonObject webhookFrame() {
    return new JsonObject()
        .put("type", "webhook")
        .put("message_id", messageId)
        .put("sequence", sequence)
        .put("webhook_id", webhookId)
        .put("timestamp", timestamp)
        .put("headers", headers)
        .put("payload", payload);
  }
}
