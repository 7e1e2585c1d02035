package io.cwm.module.sql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.sql.SqlTarget.Field;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of one INSERT, in the order of {@link SqlStatements#insertColumns}: webhook id,
 * then per mode the call time, the payload and the headers as JSON text, then one value per schema
 * field read from the top-level payload key (the field's default when absent, converted by
 * {@link ColumnType}); each bound as the dialect wants ({@link SqlDialect#bind}).
 *
 * <p>Blob payloads (a {@link Buffer}): json and hybrid storage keep them as a JSON string holding
 * the bytes in standard base64; field columns read nothing from a blob (as from any payload that is
 * not an object). Relational storage has nowhere to put the bytes, so it refuses them as a CONFIG
 * failure (also refused at load when the entry says {@code data_type: blob}).
 */
public final class SqlRow {
  private SqlRow() {}

  /**
   * @throws ModuleFailure VALIDATION when a field value does not fit its column type, CONFIG for
   *     a blob in relational storage
   */
  public static Tuple of(SqlDialect dialect, SqlTarget target, String webhookId, Object payload,
      Map<String, String> headers, OffsetDateTime now) {
    boolean blob = payload instanceof Buffer;
    Object document = blob ? Base64.getEncoder().encodeToString(((Buffer) payload).getBytes()) : payload;
    String headersJson = headers == null ? "{}" : new JsonObject(new TreeMap<>(headers)).encode();
    // a JSON null payload is stored as the JSON literal null: the column is NOT NULL
    String documentJson = document == null ? "null" : Json.encode(document);
    List<Object> values = new ArrayList<>();
    values.add(webhookId == null ? "unknown" : webhookId);
    switch (target.mode()) {
      case JSON -> {
        values.add(dialect.bind(ColumnType.TIMESTAMP, now));
        values.add(documentJson);
        values.add(target.includeHeaders() ? headersJson : null);
      }
      case RELATIONAL -> {
        if (blob) {
          throw new ModuleFailure(Category.CONFIG, dialect.module() + " relational storage cannot store a blob payload");
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
      Object parameter;
      try {
        parameter = field.parameter(value, now);
      } catch (IllegalArgumentException e) {
        throw new ModuleFailure(Category.VALIDATION, dialect.module() + " field '" + field.key() + "' "
            + e.getMessage() + " for column type " + dialect.typeSql(field.type()));
      }
      values.add(parameter == null ? null : dialect.bind(field.type(), parameter));
    }
    return Tuple.from(values);
  }
}
