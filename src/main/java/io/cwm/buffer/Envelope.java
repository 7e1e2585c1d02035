package io.cwm.buffer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The stored message of Webhook Connect (spec §2.2), in the exact JSON shape every peer reads and
 * writes (Python receivers and connectors included), so a shared buffer and the wire stay
 * compatible. {@code deliveryCount} is kept with the message. {@code extras} are the fields only
 * Java peers write (Python readers ignore unknown fields): see {@link Extras}.
 */
public record Envelope(String messageId, String channel, String webhookId, String timestamp,
    String expiresAt, JsonObject headers, Object payload, long sequence, int deliveryCount, Extras extras) {

  /**
   * The Java-only envelope fields, each written only when set.
   *
   * @param rawBodyBase64 the exact request body, base64 as on the wire ({@code raw_body}), or null:
   *     kept as text so that a lease, which reads the stored JSON and writes the frame, copies it
   *     without decoding and encoding it again ({@link #rawBody} decodes)
   * @param dedupKey the webhook's idempotency key ({@code dedup_key}), or null
   * @param orderingKey the channel's ordering key of this message ({@code ordering_key}), or null
   * @param traceparent the W3C trace context of the span that stored the message ({@code traceparent},
   *     issue 19) and, in a frame, of the delivery attempt that sent it; null when tracing is off
   */
  public record Extras(String rawBodyBase64, String dedupKey, String orderingKey, String traceparent) {
    public static final Extras NONE = new Extras(null, null, null, null);
    /** The longest {@code traceparent} read (version 00 has 55 characters; later versions may add fields). */
    static final int MAX_TRACEPARENT_CHARS = 256;

    public Extras(String rawBodyBase64, String dedupKey, String orderingKey) {
      this(rawBodyBase64, dedupKey, orderingKey, null);
    }

    /** The exact request body, or null when absent or not valid base64. */
    public byte[] rawBody() {
      if (rawBodyBase64 == null) {
        return null;
      }
      try {
        return java.util.Base64.getDecoder().decode(rawBodyBase64);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    public Extras withRawBody(byte[] value) {
      return new Extras(value == null ? null : java.util.Base64.getEncoder().encodeToString(value), dedupKey,
          orderingKey, traceparent);
    }

    public Extras withDedupKey(String value) {
      return new Extras(rawBodyBase64, value, orderingKey, traceparent);
    }

    public Extras withOrderingKey(String value) {
      return new Extras(rawBodyBase64, dedupKey, value, traceparent);
    }

    public Extras withTraceparent(String value) {
      return new Extras(rawBodyBase64, dedupKey, orderingKey, value);
    }

    /** Writes the fields that are set into {@code json}. */
    void writeTo(JsonObject json) {
      if (rawBodyBase64 != null) {
        json.put("raw_body", rawBodyBase64);
      }
      if (dedupKey != null) {
        json.put("dedup_key", dedupKey);
      }
      if (orderingKey != null) {
        json.put("ordering_key", orderingKey);
      }
      if (traceparent != null) {
        json.put("traceparent", traceparent);
      }
    }

    /** Reads the fields of any writer; a {@code raw_body} that is not base64 reads as none ({@link #rawBody} null). */
    static Extras readFrom(JsonObject json) {
      String raw = json.getValue("raw_body") instanceof String text ? text : null;
      String dedup = json.getValue("dedup_key") instanceof String text ? text : null;
      String ordering = json.getValue("ordering_key") instanceof String text ? text : null;
      String trace = json.getValue("traceparent") instanceof String text && text.length() <= MAX_TRACEPARENT_CHARS
          ? text : null;
      return raw == null && dedup == null && ordering == null && trace == null ? NONE
          : new Extras(raw, dedup, ordering, trace);
    }
  }

  public Envelope {
    extras = extras == null ? Extras.NONE : extras;
  }

  /** An envelope without Java-only fields. */
  public Envelope(String messageId, String channel, String webhookId, String timestamp,
      String expiresAt, JsonObject headers, Object payload, long sequence, int deliveryCount) {
    this(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, sequence, deliveryCount, Extras.NONE);
  }

  public Envelope withExtras(Extras value) {
    return new Envelope(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, sequence,
        deliveryCount, value);
  }

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

  /**
   * {@code 2026-12-06T20:22:58.481000+00:00}. Written by hand for years 1000 to 9999 (a
   * DateTimeFormatter cost a few percent of the relay's CPU: every message is stamped twice and
   * read at every lease); other years through the formatter.
   */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
    if (date.getYear() < 1000 || date.getYear() > 9999) {
      return PYTHON_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
    int second = (int) Math.floorMod(seconds, 86_400);
    StringBuilder text = new StringBuilder(FIXED_LENGTH);
    text.append(date.getYear()).append('-');
    digits(text, date.getMonthValue(), 2).append('-');
    digits(text, date.getDayOfMonth(), 2).append('T');
    digits(text, second / 3600, 2).append(':');
    digits(text, second / 60 % 60, 2).append(':');
    digits(text, second % 60, 2).append('.');
    return digits(text, instant.getNano() / 1000, 6).append("+00:00").toString();
  }

  /** Length of {@link #format}'s output: its parse takes a fast path. */
  private static final int FIXED_LENGTH = 32;

  private static StringBuilder digits(StringBuilder text, int value, int width) {
    for (int scale = width == 6 ? 100_000 : 10; scale > 0; scale /= 10) {
      text.append((char) ('0' + value / scale % 10));
    }
    return text;
  }

  /** Parses a timestamp with or without fraction, with {@code +00:00} or {@code Z}; null if absent or bad. */
  public static Instant parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Instant fixed = parseFixed(text);
    if (fixed != null) {
      return fixed;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The fast path of {@link #parse}: exactly {@link #format}'s shape, else null (the general parser decides). */
  private static Instant parseFixed(String text) {
    if (text.length() != FIXED_LENGTH || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
        || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != '.'
        || !text.endsWith("+00:00")) {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    int micros = number(text, 20, 6);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || micros < 0) {
      return null;
    }
    long epochSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3600L + minute * 60L + second;
    return Instant.ofEpochSecond(epochSecond, micros * 1000L);
  }

  /** The decimal number of {@code length} digits at {@code start}; -1 when a character is not a digit. */
  private static int number(String text, int start, int length) {
    int value = 0;
    for (int i = start; i < start + length; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  public Envelope withSequence(long value) {
    return new Envelope(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, value, deliveryCount,
        extras);
  }

  public Envelope withDeliveryCount(int value) {
    return new Envelope(messageId, channel, webhookId, timestamp, expiresAt, headers, payload, sequence, value,
        extras);
  }

  /** True when {@code expires_at} is set and not after {@code now}. */
  public boolean expiredAt(Instant now) {
    Instant expires = parse(expiresAt);
    return expires != null && !expires.isAfter(now);
  }

  public JsonObject toJson() {
    return storedFields()
        .put("sequence", sequence)
        .put("delivery_count", deliveryCount)
        .put("state", "pending");
  }

  /** Every field of {@link #toJson} up to the sequence, in its order. */
  private JsonObject storedFields() {
    JsonObject json = new JsonObject()
        .put("message_id", messageId)
        .put("channel", channel)
        .put("webhook_id", webhookId)
        .put("timestamp", timestamp)
        .put("expires_at", expiresAt)
        .put("metadata", new JsonObject().put("source", "webhook_connect_module"))
        .put("headers", headers)
        .put("payload", payload);
    extras.writeTo(json);
    return json;
  }

  private static final byte[] SEQUENCE_KEY = ",\"sequence\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STORED_TAIL = ",\"delivery_count\":0,\"state\":\"pending\"}".getBytes(
      StandardCharsets.UTF_8);
  /** Bytes {@link #stored} adds to a head at most (the sequence written in full). */
  public static final int STORED_EXTRA_BYTES = SEQUENCE_KEY.length + 20 + STORED_TAIL.length;

  /**
   * The stored JSON (UTF-8) up to its sequence, without the closing brace: encoded once, by the
   * thread that received the webhook, so the channel's owner only splices the sequence in
   * ({@link #stored}).
   */
  public byte[] storedHead() {
    Buffer json = storedFields().toBuffer();
    return json.getBytes(0, json.length() - 1);
  }

  /**
   * The stored JSON of this message as published with {@code sequence}: byte for byte
   * {@code withSequence(sequence).toJson().encode()} of the envelope {@code head} came from.
   */
  public static byte[] stored(byte[] head, long sequence) {
    byte[] digits = Long.toString(sequence).getBytes(StandardCharsets.US_ASCII);
    byte[] json = new byte[head.length + SEQUENCE_KEY.length + digits.length + STORED_TAIL.length];
    System.arraycopy(head, 0, json, 0, head.length);
    System.arraycopy(SEQUENCE_KEY, 0, json, head.length, SEQUENCE_KEY.length);
    System.arraycopy(digits, 0, json, head.length + SEQUENCE_KEY.length, digits.length);
    System.arraycopy(STORED_TAIL, 0, json, head.length + SEQUENCE_KEY.length + digits.length, STORED_TAIL.length);
    return json;
  }

  /** Reads an envelope of any writer; unknown fields are ignored. */
  public static Envelope fromJson(JsonObject json) {
    JsonObject headers = json.getValue("headers") instanceof JsonObject object ? object : new JsonObject();
    Number sequence = json.getValue("sequence") instanceof Number number ? number : 0;
    Number deliveries = json.getValue("delivery_count") instanceof Number number ? number : 0;
    return new Envelope(json.getString("message_id"), json.getString("channel"),
        json.getString("webhook_id"), json.getString("timestamp"), json.getString("expires_at"),
        headers, json.getValue("payload"), sequence.longValue(), deliveries.intValue(), Extras.readFrom(json));
  }

  /** The {@code webhook} frame of the streaming protocol (§3.2): flat, no channel or expiry. */
  public JsonObject webhookFrame() {
    JsonObject frame = new JsonObject()
        .put("type", "webhook")
        .put("message_id", messageId)
        .put("sequence", sequence)
        .put("webhook_id", webhookId)
        .put("timestamp", timestamp)
        .put("headers", headers)
        .put("payload", payload);
    extras.writeTo(frame);
    return frame;
  }
}
