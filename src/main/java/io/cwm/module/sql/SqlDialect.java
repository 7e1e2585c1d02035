package io.cwm.module.sql;

import io.cwm.module.sql.SqlTarget.Field;
import java.util.List;

/**
 * What differs between the SQL modules (postgresql, mysql) once the module-config is parsed: names
 * and their quoting, the SQL spelling of each {@link ColumnType}, the table's {@code id} column,
 * parameter placeholders, the upsert clause and how a parameter is bound. Everything else (storage
 * modes, schema parsing, the shape of the DDL and INSERT, row building) is shared
 * ({@link SqlTarget}, {@link SqlStatements}, {@link SqlRow}).
 */
public interface SqlDialect {

  /** The module's registry name, as failure messages name it ({@code postgresql}, {@code mysql}). */
  String module();

  /** The server's name in failure messages and logs ({@code PostgreSQL}, {@code MySQL}). */
  String product();

  /** The identifier rules and quoting. */
  SqlNames names();

  /** The SQL type of {@code type} in CREATE TABLE. */
  String typeSql(ColumnType type);

  /** The SQL type of a schema field's column (a dialect may narrow a key column's type). */
  default String columnSql(Field field) {
    return typeSql(field.type());
  }

  /** The definition of the {@code id} column after its quoted name (type, key, default). */
  String idColumn();

  /** The placeholder of parameter {@code index} (1-based) of {@code type}. */
  String placeholder(ColumnType type, int index);

  /**
   * The clause appended to the INSERT for an upsert on {@code conflictColumn}, updating
   * {@code updated} (all quoted).
   */
  String upsert(String conflictColumn, List<String> updated);

  /** DDL to run after CREATE TABLE for json storage with {@code upsert} (PostgreSQL's GIN index). */
  default List<String> jsonUpsertIndexes(SqlTarget target) {
    return List.of();
  }

  /** How {@code column} of the table appears in a CREATE INDEX column list. */
  default String indexColumn(SqlTarget target, String column) {
    return names().quote(column);
  }

  /** The value bound for a parameter of {@code type} ({@link ColumnType#parameter} output, non-null). */
  default Object bind(ColumnType type, Object parameter) {
    return parameter;
  }
}
