package io.cwm.module.sql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.SqlTarget.Field;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What differs between the SQL modules (postgresql, mysql) once the module-config is parsed: names
 * and their quoting, the SQL spelling of each {@link ColumnType}, the table's {@code id} column,
 * parameter placeholders, the upsert clause, how a parameter is bound and how the server's errors
 * are typed. Everything else (storage modes, schema parsing, the shape of the DDL and INSERT, row
 * building, table preparation) is shared ({@link SqlTarget}, {@link SqlStatements}, {@link SqlRow},
 * {@link SqlLink}).
 */
public abstract class SqlDialect {
  private final String module;
  private final String product;
  private final SqlNames names;
  private final Map<ColumnType, String> types = new EnumMap<>(ColumnType.class);
  private final String idColumn;

  /**
   * @param module the module's registry name, as failure messages name it
   * @param product the server's name in failure messages and logs
   * @param typeSpellings the SQL types that are not the type's own name ({@code DOUBLE PRECISION})
   * @param idColumn the definition of the {@code id} column after its quoted name
   */
  protected SqlDialect(String module, String product, SqlNames names, Map<ColumnType, String> typeSpellings,
      String idColumn) {
    this.module = module;
    this.product = product;
    this.names = names;
    for (ColumnType type : ColumnType.values()) {
      types.put(type, typeSpellings.getOrDefault(type, type.name()));
    }
    this.idColumn = idColumn;
  }

  /** The module's registry name ({@code postgresql}, {@code mysql}). */
  public final String module() {
    return module;
  }

  /** The server's name ({@code PostgreSQL}, {@code MySQL}). */
  public final String product() {
    return product;
  }

  /** The identifier rules and quoting. */
  public final SqlNames names() {
    return names;
  }

  /** The SQL type of {@code type} in CREATE TABLE. */
  public final String typeSql(ColumnType type) {
    return types.get(type);
  }

  /** The definition of the {@code id} column after its quoted name (type, key, default). */
  public final String idColumn() {
    return idColumn;
  }

  /** The SQL type of a schema field's column (a dialect may narrow a key column's type). */
  public String columnSql(Field field) {
    return typeSql(field.type());
  }

  /** The placeholder of parameter {@code index} (1-based) of {@code type}. */
  public abstract String placeholder(ColumnType type, int index);

  /**
   * The clause appended to the INSERT for an upsert on {@code conflictColumn}, updating
   * {@code updated} (all quoted).
   */
  public abstract String upsert(String conflictColumn, List<String> updated);

  /** DDL to run after CREATE TABLE for json storage with {@code upsert} (PostgreSQL's GIN index). */
  public List<String> jsonUpsertIndexes(SqlTarget target) {
    return List.of();
  }

  /** How {@code column} of the table appears in a CREATE INDEX column list. */
  public String indexColumn(SqlTarget target, String column) {
    return names.quote(column);
  }

  /** The value bound for a parameter of {@code type} ({@link ColumnType#parameter} output, non-null). */
  public Object bind(ColumnType type, Object parameter) {
    return parameter;
  }

  /** The typed failure for anything the driver or the server failed with. */
  public abstract ModuleFailure classify(Throwable failure);
}
