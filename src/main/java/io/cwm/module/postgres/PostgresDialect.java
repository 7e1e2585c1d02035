package io.cwm.module.postgres;

import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.ColumnType;
import io.cwm.module.sql.SqlDialect;
import io.cwm.module.sql.SqlNames;
import io.cwm.module.sql.SqlTarget;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL's side of the SQL modules (modules.md §3.16): double-quoted names of at most 63
 * characters, none starting with {@code pg_} (an unqualified name resolves in {@code pg_catalog}
 * first, so {@code pg_class} would mean the system catalog); TEXT, BIGINT, DOUBLE PRECISION,
 * BOOLEAN, TIMESTAMP WITH TIME ZONE, DATE, TIME, JSONB; {@code $n} placeholders, JSON values sent as
 * text and cast on the server ({@code $n::text::jsonb}) so every JSON value keeps its meaning;
 * {@code ON CONFLICT (…) DO UPDATE SET c = EXCLUDED.c}; a GIN index on payload for json storage with
 * upsert.
 */
public final class PostgresDialect extends SqlDialect {
  static final int MAX_IDENTIFIER = 63;
  private static final SqlNames NAMES = new SqlNames('"', MAX_IDENTIFIER, SqlNames.KEYWORDS, Set.of(), "pg_");
  /** After NAMES: the constructor reads it. */
  public static final PostgresDialect INSTANCE = new PostgresDialect();

  private PostgresDialect() {
    super(PostgresModuleVerticle.NAME, "PostgreSQL", NAMES, Map.of(ColumnType.DOUBLE, "DOUBLE PRECISION",
        ColumnType.TIMESTAMP, "TIMESTAMP WITH TIME ZONE", ColumnType.JSON, "JSONB"),
        "UUID PRIMARY KEY DEFAULT gen_random_uuid()");
  }

  @Override
  public String placeholder(ColumnType type, int index) {
    return type == ColumnType.JSON ? "$" + index + "::text::jsonb" : "$" + index;
  }

  @Override
  public String upsert(String conflictColumn, List<String> updated) {
    return "ON CONFLICT (" + conflictColumn + ") DO UPDATE SET "
        + String.join(", ", updated.stream().map(column -> column + " = EXCLUDED." + column).toList());
  }

  @Override
  public List<String> jsonUpsertIndexes(SqlTarget target) {
    // a GIN index on payload for payload->>key look-ups, created after the table
    return List.of("CREATE INDEX IF NOT EXISTS " + NAMES.quote(ginIndexName(target.table()))
        + " ON " + NAMES.quote(target.table()) + " USING GIN (\"payload\")");
  }

  @Override
  public ModuleFailure classify(Throwable failure) {
    return PostgresFailures.classify(failure);
  }

  /** {@code <table>_payload_gin}, cut to the identifier limit as PostgreSQL would. */
  static String ginIndexName(String table) {
    String name = table + "_payload_gin";
    return name.length() > MAX_IDENTIFIER ? name.substring(0, MAX_IDENTIFIER) : name;
  }
}
