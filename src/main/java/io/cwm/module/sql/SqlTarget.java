package io.cwm.module.sql;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The module-config of the SQL modules ({@code postgresql} modules.md §3.16, {@code mysql}
 * §3.17), parsed and checked once against the module's {@link SqlNames}: {@code table} (default
 * {@code webhook_events}), {@code storage_mode} ({@code json} default, {@code relational},
 * anything else hybrid), {@code upsert},
 * {@code upsert_key} (default {@code id}), {@code include_headers} (default true) and
 * {@code schema} ({@code fields} by payload key with {@code column}, {@code type},
 * {@code constraints}, {@code default}; {@code indexes} by name with {@code columns}).
 * {@code include_timestamp} is accepted and unused (any value).
 *
 * <p>Refused at load with the key named: bad table/column/index names ({@link SqlNames}); a field
 * column that repeats another column of the table; relational storage without fields; relational
 * storage of a {@code data_type: blob} entry; an {@code upsert} (relational/hybrid) whose
 * {@code upsert_key} names no schema field (it would silently be a plain insert); a {@code default}
 * that cannot be stored in its column's type. A relational field declared {@code PRIMARY KEY}
 * becomes {@code UNIQUE NOT NULL}: the table's {@code id} column is already the primary key, and a
 * second one would make CREATE TABLE fail.
 *
 * @param fields in config order
 * @param indexes in config order, only those with columns
 */
public record SqlTarget(String table, StorageMode mode, boolean upsert, String upsertKey,
    boolean includeHeaders, List<Field> fields, List<Index> indexes) {

  static final String DEFAULT_TABLE = "webhook_events";
  static final String CURRENT_TIMESTAMP = "CURRENT_TIMESTAMP";

  /** How a webhook becomes a row. */
  public enum StorageMode { JSON, RELATIONAL, HYBRID }

  /**
   * One schema field: the top-level payload key it reads, its column, type and kept constraints.
   *
   * @param constraints upper-case, only NOT NULL / UNIQUE / (relational) PRIMARY KEY
   * @param hasDefault whether {@code default} was given (even as null)
   * @param defaultValue the configured default ({@code "CURRENT_TIMESTAMP"} means the call time)
   */
  public record Field(String key, String column, ColumnType type, List<String> constraints,
      boolean hasDefault, Object defaultValue) {

    /** The parameter for this field's value in the payload (null when absent). */
    public Object parameter(Object value, OffsetDateTime now) {
      if (value == null && hasDefault) {
        value = CURRENT_TIMESTAMP.equals(defaultValue) ? now : defaultValue;
      }
      return type.parameter(value);
    }
  }

  /** A {@code CREATE INDEX IF NOT EXISTS} on the table. */
  public record Index(String name, List<String> columns) {}

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static SqlTarget fromConfig(JsonObject moduleConfig, SqlNames names) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    String table = table(config, names);
    StorageMode mode = switch (Coerce.string(config, "storage_mode", "json")) {
      case "json" -> StorageMode.JSON;
      case "relational" -> StorageMode.RELATIONAL;
      default -> StorageMode.HYBRID;
    };
    boolean upsert = Coerce.bool(config, "upsert", false);
    String upsertKey = upsertKey(config);
    boolean includeHeaders = Coerce.bool(config, "include_headers", true);
    JsonObject schema = Coerce.object(config, "schema");
    List<Field> fields = fields(schema, mode, names);
    List<Index> indexes = indexes(schema, names);
    if (mode == StorageMode.RELATIONAL && fields.isEmpty()) {
      throw new ConfigException("schema.fields", "relational storage needs at least one field");
    }
    SqlTarget target = new SqlTarget(table, mode, upsert, upsertKey, includeHeaders,
        List.copyOf(fields), List.copyOf(indexes));
    if (upsert && mode != StorageMode.JSON && target.conflictField() == null) {
      throw new ConfigException("upsert_key", "names no field of schema.fields (upsert needs the "
          + "payload key of a field whose column is UNIQUE or PRIMARY KEY)");
    }
    return target;
  }

  /** The field whose column is the upsert's conflict target, or null for a plain insert. */
  public Field conflictField() {
    if (!upsert || mode == StorageMode.JSON) {
      return null;
    }
    return fields.stream().filter(field -> field.key().equals(upsertKey)).findFirst().orElse(null);
  }

  /** The columns every table of this mode has before the field columns. */
  public List<String> fixedColumns() {
    return switch (mode) {
      case JSON -> List.of("id", "webhook_id", "timestamp", "payload", "headers", "created_at");
      case RELATIONAL -> List.of("id", "webhook_id", "created_at");
      case HYBRID -> includeHeaders
          ? List.of("id", "webhook_id", "payload", "created_at", "headers")
          : List.of("id", "webhook_id", "payload", "created_at");
    };
  }

  private static String table(JsonObject config, SqlNames names) {
    Object value = config.getValue("table");
    if (value == null) {
      return DEFAULT_TABLE;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException("table", "must be a string");
    }
    String name = text.trim();
    String problem = names.tableProblem(name);
    if (problem != null) {
      throw new ConfigException("table", problem);
    }
    return name;
  }

  private static String upsertKey(JsonObject config) {
    Object value = config.getValue("upsert_key");
    if (value == null) {
      return "id";
    }
    if (!(value instanceof String key)) {
      throw new ConfigException("upsert_key", "must be a string");
    }
    if (key.isEmpty() || key.length() > 256) {
      throw new ConfigException("upsert_key", "must be 1 to 256 characters");
    }
    for (String bad : new String[] {"\"", "'", ";", "--", "/*", "*/", "\r", "\n", "\0"}) {
      if (key.contains(bad)) {
        throw new ConfigException("upsert_key", "must not contain quotes, ';', '--', comments or control characters");
      }
    }
    return key;
  }

  private static List<Field> fields(JsonObject schema, StorageMode mode, SqlNames names) {
    JsonObject configured = within("schema", () -> Coerce.object(schema, "fields"));
    if (mode == StorageMode.JSON) {
      // json storage has no field columns; the fields are not read
      return List.of();
    }
    List<Field> fields = new ArrayList<>();
    SqlTarget probe = new SqlTarget("t", mode, false, "id", true, List.of(), List.of());
    Set<String> taken = new HashSet<>();
    probe.fixedColumns().forEach(column -> taken.add(column.toLowerCase(Locale.ROOT)));
    for (Map.Entry<String, Object> entry : configured) {
      String key = entry.getKey();
      String at = "schema.fields." + key;
      if (key.isEmpty() || key.length() > 256 || key.indexOf('\0') >= 0 || key.indexOf('\n') >= 0
          || key.indexOf('\r') >= 0) {
        throw new ConfigException("schema.fields", "field names must be 1 to 256 characters without control characters");
      }
      if (!(entry.getValue() instanceof JsonObject field)) {
        throw new ConfigException(at, "must be an object");
      }
      String column = within(at, () -> Coerce.string(field, "column", key));
      column = column == null ? key : column.trim();
      String problem = names.columnProblem(column);
      if (problem != null) {
        throw new ConfigException(at + ".column", problem);
      }
      // PostgreSQL folds nothing here (we quote), but "Amount" and "amount" in one table would be
      // two columns that confuse every reader (and one column to MySQL): refuse case-insensitive
      // repeats too
      if (!taken.add(column.toLowerCase(Locale.ROOT))) {
        throw new ConfigException(at + ".column", "column '" + column + "' is already a column of the table");
      }
      Object typeName = field.getValue("type");
      if (typeName != null && !(typeName instanceof String)) {
        throw new ConfigException(at + ".type", "must be a string");
      }
      ColumnType type = ColumnType.of(typeName == null ? "string" : (String) typeName);
      List<String> constraints = constraints(field, at, mode);
      boolean hasDefault = field.containsKey("default");
      Object defaultValue = field.getValue("default");
      if (hasDefault && !CURRENT_TIMESTAMP.equals(defaultValue)) {
        try {
          type.parameter(defaultValue);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(at + ".default", "does not fit the column type " + type + ": " + e.getMessage());
        }
      } else if (hasDefault) {
        try {
          type.parameter(OffsetDateTime.now(ZoneOffset.UTC));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(at + ".default", "CURRENT_TIMESTAMP needs a datetime, date, time, text or json column");
        }
      }
      fields.add(new Field(key, column, type, List.copyOf(constraints), hasDefault, defaultValue));
    }
    return fields;
  }

  private static List<String> constraints(JsonObject field, String at, StorageMode mode) {
    Object value = field.getValue("constraints");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(at + ".constraints", "must be a list of strings");
    }
    List<String> kept = new ArrayList<>();
    for (Object element : array) {
      if (!(element instanceof String text)) {
        throw new ConfigException(at + ".constraints", "must be a list of strings");
      }
      String upper = text.trim().toUpperCase(Locale.ROOT);
      if (upper.equals("PRIMARY KEY") && mode == StorageMode.RELATIONAL) {
        addOnce(kept, "UNIQUE");
        addOnce(kept, "NOT NULL");
      } else if (upper.equals("NOT NULL") || upper.equals("UNIQUE")) {
        addOnce(kept, upper);
      }
      // anything else is ignored (never pasted into the DDL)
    }
    return kept;
  }

  /** Runs a Coerce read whose ConfigException names a key relative to {@code prefix}. */
  private static <T> T within(String prefix, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new ConfigException(prefix + "." + e.key(), e.getMessage());
    }
  }

  private static void addOnce(List<String> list, String value) {
    if (!list.contains(value)) {
      list.add(value);
    }
  }

  private static List<Index> indexes(JsonObject schema, SqlNames names) {
    JsonObject configured = within("schema", () -> Coerce.object(schema, "indexes"));
    List<Index> indexes = new ArrayList<>();
    for (Map.Entry<String, Object> entry : configured) {
      String at = "schema.indexes." + entry.getKey();
      String name = entry.getKey().trim();
      String problem = names.indexProblem(name);
      if (problem != null) {
        throw new ConfigException(at, "index name " + problem);
      }
      if (!(entry.getValue() instanceof JsonObject index)) {
        throw new ConfigException(at, "must be an object");
      }
      List<String> columns = new ArrayList<>();
      for (String column : within(at, () -> Coerce.stringList(index, "columns"))) {
        String trimmed = column.trim();
        String columnProblem = names.columnProblem(trimmed);
        if (columnProblem != null) {
          throw new ConfigException(at + ".columns", "column name " + columnProblem);
        }
        columns.add(trimmed);
      }
      if (!columns.isEmpty()) {
        indexes.add(new Index(name, List.copyOf(columns)));
      }
    }
    return indexes;
  }
}
