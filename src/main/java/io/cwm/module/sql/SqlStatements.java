package io.cwm.module.sql;

import io.cwm.module.sql.SqlTarget.Field;
import io.cwm.module.sql.SqlTarget.Index;
import io.cwm.module.sql.SqlTarget.StorageMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL text of one {@link SqlTarget} in one {@link SqlDialect}: the statements that create its
 * table and indexes and the parameterised INSERT (with the dialect's upsert clause). Every
 * identifier goes through {@link SqlNames#quote}; every value is a parameter. Pure: built once per
 * target and compared as text to decide whether a table was already prepared.
 *
 * @param ddl CREATE TABLE IF NOT EXISTS, then the CREATE INDEX IF NOT EXISTS statements, in order
 * @param insert the INSERT statement
 * @param insertTypes the parameter types of {@code insert}, in order (for the row builder)
 * @param ddlKey the DDL as one text, built once: which table preparation a call needs
 */
public record SqlStatements(List<String> ddl, String insert, List<ColumnType> insertTypes, String ddlKey) {

  public SqlStatements(List<String> ddl, String insert, List<ColumnType> insertTypes) {
    this(ddl, insert, insertTypes, String.join(";\n", ddl));
  }

  public static SqlStatements of(SqlDialect dialect, SqlTarget target) {
    return new SqlStatements(ddl(dialect, target), insert(dialect, target), insertTypes(target));
  }

  private static List<String> ddl(SqlDialect dialect, SqlTarget target) {
    SqlNames names = dialect.names();
    String table = names.quote(target.table());
    String id = names.quote("id") + " " + dialect.idColumn();
    String webhookId = names.quote("webhook_id") + " " + dialect.typeSql(ColumnType.TEXT) + " NOT NULL";
    String moment = " " + dialect.typeSql(ColumnType.TIMESTAMP) + " DEFAULT CURRENT_TIMESTAMP";
    String createdAt = names.quote("created_at") + moment;
    String payload = names.quote("payload") + " " + dialect.typeSql(ColumnType.JSON) + " NOT NULL";
    String headers = names.quote("headers") + " " + dialect.typeSql(ColumnType.JSON);
    List<String> columns = new ArrayList<>();
    switch (target.mode()) {
      case JSON -> columns.addAll(List.of(id, webhookId, names.quote("timestamp") + moment, payload, headers,
          createdAt));
      case RELATIONAL -> columns.addAll(List.of(id, webhookId, createdAt));
      case HYBRID -> {
        columns.addAll(List.of(id, webhookId, payload, createdAt));
        if (target.includeHeaders()) {
          columns.add(headers);
        }
      }
    }
    for (Field field : target.fields()) {
      StringBuilder column = new StringBuilder(names.quote(field.column())).append(' ').append(dialect.columnSql(field));
      field.constraints().forEach(constraint -> column.append(' ').append(constraint));
      columns.add(column.toString());
    }
    List<String> statements = new ArrayList<>();
    statements.add("CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", columns) + ")");
    if (target.mode() == StorageMode.JSON && target.upsert()) {
      statements.addAll(dialect.jsonUpsertIndexes(target));
    }
    for (Index index : target.indexes()) {
      statements.add("CREATE INDEX IF NOT EXISTS " + names.quote(index.name()) + " ON " + table + " ("
          + index.columns().stream().map(column -> dialect.indexColumn(target, column))
              .collect(Collectors.joining(", ")) + ")");
    }
    return List.copyOf(statements);
  }

  /** The inserted columns, in parameter order. */
  public static List<String> insertColumns(SqlTarget target) {
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

  private static List<ColumnType> insertTypes(SqlTarget target) {
    List<ColumnType> types = new ArrayList<>();
    switch (target.mode()) {
      case JSON -> types.addAll(List.of(ColumnType.TEXT, ColumnType.TIMESTAMP, ColumnType.JSON, ColumnType.JSON));
      case RELATIONAL -> types.add(ColumnType.TEXT);
      case HYBRID -> {
        types.addAll(List.of(ColumnType.TEXT, ColumnType.JSON));
        if (target.includeHeaders()) {
          types.add(ColumnType.JSON);
        }
      }
    }
    target.fields().forEach(field -> types.add(field.type()));
    return List.copyOf(types);
  }

  private static String insert(SqlDialect dialect, SqlTarget target) {
    SqlNames names = dialect.names();
    List<String> columns = insertColumns(target);
    List<ColumnType> types = insertTypes(target);
    List<String> placeholders = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      placeholders.add(dialect.placeholder(types.get(i), i + 1));
    }
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(names.quote(target.table())).append(" (")
        .append(columns.stream().map(names::quote).collect(Collectors.joining(", ")))
        .append(") VALUES (").append(String.join(", ", placeholders)).append(')');
    Field conflict = target.conflictField();
    if (conflict != null) {
      // every inserted column but webhook_id (the first insert's id is kept); the
      // conflict column is included, which keeps the SET list non-empty for a one-field schema
      sql.append(' ').append(dialect.upsert(names.quote(conflict.column()),
          columns.subList(1, columns.size()).stream().map(names::quote).toList()));
    }
    return sql.toString();
  }
}
