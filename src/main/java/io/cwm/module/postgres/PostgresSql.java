package io.cwm.module.postgres;

import static io.cwm.module.postgres.SqlNames.quote;

import io.cwm.module.postgres.PostgresTarget.Field;
import io.cwm.module.postgres.PostgresTarget.Index;
import io.cwm.module.postgres.PostgresTarget.StorageMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL text of one {@link PostgresTarget}: the statements that create its table and indexes and
 * the parameterised INSERT (with {@code ON CONFLICT … DO UPDATE} for an upsert). Every identifier
 * goes through {@link SqlNames#quote}; every value is a {@code $n} parameter. Pure: built once per
 * target and compared as text to decide whether a table was already prepared.
 *
 * @param ddl CREATE TABLE IF NOT EXISTS, then the CREATE INDEX IF NOT EXISTS statements, in order
 * @param insert the INSERT statement
 * @param insertTypes the parameter types of {@code insert}, in order (for the row builder)
 */
record PostgresSql(List<String> ddl, String insert, List<ColumnType> insertTypes) {

  private static final String ID = "\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid()";
  private static final String WEBHOOK_ID = "\"webhook_id\" TEXT NOT NULL";
  private static final String CREATED_AT = "\"created_at\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP";
  private static final String PAYLOAD = "\"payload\" JSONB NOT NULL";
  private static final String HEADERS = "\"headers\" JSONB";

  static PostgresSql of(PostgresTarget target) {
    return new PostgresSql(ddl(target), insert(target), insertTypes(target));
  }

  private static List<String> ddl(PostgresTarget target) {
    String table = quote(target.table());
    List<String> columns = new ArrayList<>();
    switch (target.mode()) {
      case JSON -> columns.addAll(List.of(ID, WEBHOOK_ID,
          "\"timestamp\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP", PAYLOAD, HEADERS, CREATED_AT));
      case RELATIONAL -> columns.addAll(List.of(ID, WEBHOOK_ID, CREATED_AT));
      case HYBRID -> {
        columns.addAll(List.of(ID, WEBHOOK_ID, PAYLOAD, CREATED_AT));
        if (target.includeHeaders()) {
          columns.add(HEADERS);
        }
      }
    }
    for (Field field : target.fields()) {
      StringBuilder column = new StringBuilder(quote(field.column())).append(' ').append(field.type().sql());
      field.constraints().forEach(constraint -> column.append(' ').append(constraint));
      columns.add(column.toString());
    }
    List<String> statements = new ArrayList<>();
    statements.add("CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", columns) + ")");
    if (target.mode() == StorageMode.JSON && target.upsert()) {
      // a GIN index on payload for payload->>key look-ups, created after the table
      statements.add("CREATE INDEX IF NOT EXISTS " + quote(ginIndexName(target.table()))
          + " ON " + table + " USING GIN (\"payload\")");
    }
    for (Index index : target.indexes()) {
      statements.add("CREATE INDEX IF NOT EXISTS " + quote(index.name()) + " ON " + table + " ("
          + index.columns().stream().map(SqlNames::quote).collect(Collectors.joining(", ")) + ")");
    }
    return List.copyOf(statements);
  }

  /** {@code <table>_payload_gin}, cut to the identifier limit as PostgreSQL would. */
  static String ginIndexName(String table) {
    String name = table + "_payload_gin";
    return name.length() > SqlNames.MAX_IDENTIFIER ? name.substring(0, SqlNames.MAX_IDENTIFIER) : name;
  }

  /** The inserted columns, in parameter order. */
  static List<String> insertColumns(PostgresTarget target) {
    List<String> columns = new ArrayList<>();
    switch (target.mode()) {
      case JSON -> columns.addAll(List.of("webhook_id", "timestamp", "payload", "headers"));
      case RELATIONAL -> columns.add("webhook_id");
      case HYBRID -> {
        columns.addAll(List.of("webhook_id", "payload"));
        if (target.includeHeaders()) {
          columns.add("headers");
        }
      }
    }
    target.fields().forEach(field -> columns.add(field.column()));
    return columns;
  }

  private static List<ColumnType> insertTypes(PostgresTarget target) {
    List<ColumnType> types = new ArrayList<>();
    switch (target.mode()) {
      case JSON -> types.addAll(List.of(ColumnType.TEXT, ColumnType.TIMESTAMPTZ, ColumnType.JSONB, ColumnType.JSONB));
      case RELATIONAL -> types.add(ColumnType.TEXT);
      case HYBRID -> {
        types.addAll(List.of(ColumnType.TEXT, ColumnType.JSONB));
        if (target.includeHeaders()) {
          types.add(ColumnType.JSONB);
        }
      }
    }
    target.fields().forEach(field -> types.add(field.type()));
    return List.copyOf(types);
  }

  private static String insert(PostgresTarget target) {
    List<String> columns = insertColumns(target);
    List<ColumnType> types = insertTypes(target);
    List<String> placeholders = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      placeholders.add(types.get(i).placeholder(i + 1));
    }
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(quote(target.table())).append(" (")
        .append(columns.stream().map(SqlNames::quote).collect(Collectors.joining(", ")))
        .append(") VALUES (").append(String.join(", ", placeholders)).append(')');
    Field conflict = target.conflictField();
    if (conflict != null) {
      // every inserted column but webhook_id (the first insert's id is kept); the
      // conflict column is included, which keeps the SET list non-empty for a one-field schema
      sql.append(" ON CONFLICT (").append(quote(conflict.column())).append(") DO UPDATE SET ")
          .append(columns.subList(1, columns.size()).stream()
              .map(column -> quote(column) + " = EXCLUDED." + quote(column))
              .collect(Collectors.joining(", ")));
    }
    return sql.toString();
  }
}
