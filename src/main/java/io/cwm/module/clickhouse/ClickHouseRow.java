package io.cwm.module.clickhouse;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One webhook as a row of the log table (modules.md §3.10), in ClickHouse's JSONEachRow format:
 * {@code id} (random UUID), {@code webhook_id}, {@code timestamp} (UTC epoch seconds, so the
 * server's time zone cannot shift it), {@code payload}, {@code headers}; {@code created_at} is
 * left to the column's {@code DEFAULT now()}.
 *
 * <p>{@code payload}: JSON text for objects and arrays, the text itself for a string, JSON text
 * for numbers, booleans and null ({@code true}, {@code null}; Python writes its own spelling
 * {@code True}, {@code None}), and for a blob ({@code data_type: blob}) the base64 of its bytes
 * (Python writes its {@code b'...'} repr; {@code base64Decode(payload)} gives the bytes back).
 * {@code headers}: the headers as a JSON object, or {@code {}} when not included.
 */
public final class ClickHouseRow {
  /** The columns every insert names (created_at takes its default). */
  public static final List<String> COLUMNS = List.of("id", "webhook_id", "timestamp", "payload", "headers");

  private ClickHouseRow() {}

  /** The payload column's text. */
  public static String payloadText(Object payload) {
    if (payload instanceof Buffer blob) {
      return Base64.getEncoder().encodeToString(blob.getBytes());
    }
    if (payload instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (payload instanceof String text) {
      return text;
    }
    if (payload instanceof JsonObject object) {
      return object.encode();
    }
    if (payload instanceof JsonArray array) {
      return array.encode();
    }
    return String.valueOf(payload); // numbers, booleans, null
  }

  /** The headers column's text: a JSON object (lower-case names), or {@code {}}. */
  public static String headersText(Map<String, String> headers, boolean include) {
    if (!include || headers == null || headers.isEmpty()) {
      return "{}";
    }
    return new JsonObject(new LinkedHashMap<>(headers)).encode();
  }

  /** Appends one JSONEachRow line to {@code rows}. */
  public static void append(Buffer rows, String webhookId, Instant timestamp, String payload, String headers) {
    JsonObject row = new JsonObject(new LinkedHashMap<>(8))
        .put("id", UUID.randomUUID().toString())
        .put("webhook_id", webhookId == null ? "" : webhookId)
        .put("timestamp", timestamp.getEpochSecond())
        .put("payload", payload)
        .put("headers", headers);
    rows.appendString(row.encode()).appendByte((byte) '\n');
  }

  /** The DDL of the log table (Python's schema; MergeTree by month, ordered by webhook and time). */
  public static String createTable(String qualifiedTable) {
    return "CREATE TABLE IF NOT EXISTS " + qualifiedTable + " (id String, webhook_id String, timestamp DateTime, "
        + "payload String, headers String, created_at DateTime DEFAULT now()) ENGINE = MergeTree() "
        + "PARTITION BY toYYYYMM(timestamp) ORDER BY (webhook_id, timestamp)";
  }
}
