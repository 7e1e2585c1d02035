package io.cwm.module.postgres;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.postgres.PostgresTarget.Field;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one INSERT, in the order of {@link PostgresSql#insertColumns}: webhook id,
 * then per mode the call time, the payload and the headers as JSON, then one value per schema
 * field read from the top-level payload key (the field's default when absent, converted by
 * {@link ColumnType}).
 *
 * <p>Blob payloads (a {@link Buffer}): json and hybrid storage keep them as a JSON string holding
 * the bytes in standard base64; field columns read nothing from a blob (as from any payload that is
 * not an object). Relational storage has nowhere to put the bytes, so it refuses them as a CONFIG
 * failure (also refused at load when the entry says {@code data_type: blob}).
 */
final class PostgresRow {
  private PostgresRow() {}

  /**
   * @throws ModuleFailure VALIDATION when a field value does not fit its column type, CONFIG for
   *     a blob in relational storage
   */
  static Tuple of(PostgresTarget target, String webhookId, Object payload, Map<String, String> headers,
      OffsetDateTime now) {
    boolean blob = payload instanceof Buffer;
    Object document = blob ? Base64.getEncoder().encodeToString(((Buffer) payload).getBytes()) : payload;
    String headersJson = headers == null ? "{}" : new JsonObject(new java.util.TreeMap<>(headers)).encode();
    // a JSON null payload is stored as the JSON literal null: the column is NOT NULL
    String documentJson = document == null ? "null" : Json.encode(document);
    List<Object> values = new ArrayList<>();
    values.add(webhookId == null ? "unknown" : webhookId);
    switch (target.mode()) {
      case JSON -> {
        values.add(now);
        values.add(documentJson);
        values.add(target.includeHeaders() ? headersJson : null);
      }
      case RELATIONAL -> {
        if (blob) {
          throw new ModuleFailure(Category.CONFIG, "postgresql relational storage cannot store a blob payload");
        }
      }
      case HYBRID -> {
        values.add(documentJson);
        if (target.includeHeaders()) {
          values.add(headersJson);
        }
      }
    }
    JsonObject object = payload instanceof JsonObject json ? json : null;
    for (Field field : target.fields()) {
      Object value = object == null ? null : object.getValue(field.key());
      try {
        values.add(field.parameter(value, now));
      } catch (IllegalArgumentException e) {
        throw new ModuleFailure(Category.VALIDATION,
            "postgresql field '" + field.key() + "' " + e.getMessage() + " for column type " + field.type().sql());
      }
    }
    return Tuple.from(values);
  }
}
