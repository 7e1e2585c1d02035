package io.cwm.module.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.module.sql.ColumnType;
import io.cwm.module.sql.SqlStatements;
import io.cwm.module.sql.SqlTarget;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL text built for each storage mode: quoted identifiers, parameters only. */
class PostgresSqlTest {

  private static SqlStatements sql(String json) {
    return SqlStatements.of(PostgresDialect.INSTANCE, SqlTarget.fromConfig(new JsonObject(json), PostgresDialect.INSTANCE.names()));
  }

  @Test
  void jsonMode() {
    SqlStatements sql = sql("{\"table\": \"events\"}");
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS \"events\" (\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
        + "\"webhook_id\" TEXT NOT NULL, \"timestamp\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP, "
        + "\"payload\" JSONB NOT NULL, \"headers\" JSONB, "
        + "\"created_at\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)"), sql.ddl());
    assertEquals("INSERT INTO \"events\" (\"webhook_id\", \"timestamp\", \"payload\", \"headers\") "
        + "VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb)", sql.insert());
  }

  @Test
  void jsonModeUpsertAddsTheGinIndexButNoConflictClause() {
    SqlStatements sql = sql("{\"table\": \"events\", \"upsert\": true, \"upsert_key\": \"event_id\"}");
    assertEquals("CREATE INDEX IF NOT EXISTS \"events_payload_gin\" ON \"events\" USING GIN (\"payload\")", sql.ddl().get(1));
    assertEquals("INSERT INTO \"events\" (\"webhook_id\", \"timestamp\", \"payload\", \"headers\") "
        + "VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb)", sql.insert());
  }

  @Test
  void ginIndexNameIsCutToTheIdentifierLimit() {
    String table = "t".repeat(60);
    assertEquals(63, PostgresDialect.ginIndexName(table).length());
  }

  @Test
  void relationalModeWithUpsertAndIndexes() {
    SqlStatements sql = sql("""
        {"table": "orders", "storage_mode": "relational", "upsert": true, "upsert_key": "order_id",
         "schema": {"fields": {
           "order_id": {"column": "order_ref", "type": "integer", "constraints": ["UNIQUE", "NOT NULL"]},
           "total": {"type": "float"},
           "meta": {"type": "json", "constraints": ["DEFAULT 1); DROP TABLE x; --"]}},
          "indexes": {"idx_orders_total": {"columns": ["total", "created_at"]}}}}
        """);
    assertEquals(List.of(
        "CREATE TABLE IF NOT EXISTS \"orders\" (\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
            + "\"webhook_id\" TEXT NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP, "
            + "\"order_ref\" BIGINT UNIQUE NOT NULL, \"total\" DOUBLE PRECISION, \"meta\" JSONB)",
        "CREATE INDEX IF NOT EXISTS \"idx_orders_total\" ON \"orders\" (\"total\", \"created_at\")"), sql.ddl());
    assertEquals("INSERT INTO \"orders\" (\"webhook_id\", \"order_ref\", \"total\", \"meta\") "
        + "VALUES ($1, $2, $3, $4::text::jsonb) ON CONFLICT (\"order_ref\") DO UPDATE SET "
        + "\"order_ref\" = EXCLUDED.\"order_ref\", \"total\" = EXCLUDED.\"total\", \"meta\" = EXCLUDED.\"meta\"",
        sql.insert());
    assertEquals(List.of(ColumnType.TEXT, ColumnType.BIGINT, ColumnType.DOUBLE, ColumnType.JSON), sql.insertTypes());
  }

  @Test
  void relationalModeWithoutUpsertIsAPlainInsert() {
    SqlStatements sql = sql("{\"table\": \"t\", \"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {\"type\": \"date\"}}}}");
    assertEquals("INSERT INTO \"t\" (\"webhook_id\", \"a\") VALUES ($1, $2)", sql.insert());
  }

  @Test
  void hybridModeWithHeaders() {
    SqlStatements sql = sql("""
        {"table": "mixed", "storage_mode": "hybrid", "upsert": true, "upsert_key": "ref",
         "schema": {"fields": {"ref": {"constraints": ["UNIQUE", "PRIMARY KEY"]}, "n": {"type": "bool"}}}}
        """);
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS \"mixed\" (\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
        + "\"webhook_id\" TEXT NOT NULL, \"payload\" JSONB NOT NULL, "
        + "\"created_at\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP, \"headers\" JSONB, "
        + "\"ref\" TEXT UNIQUE, \"n\" BOOLEAN)"), sql.ddl());
    assertEquals("INSERT INTO \"mixed\" (\"webhook_id\", \"payload\", \"headers\", \"ref\", \"n\") "
        + "VALUES ($1, $2::text::jsonb, $3::text::jsonb, $4, $5) ON CONFLICT (\"ref\") DO UPDATE SET "
        + "\"payload\" = EXCLUDED.\"payload\", \"headers\" = EXCLUDED.\"headers\", \"ref\" = EXCLUDED.\"ref\", "
        + "\"n\" = EXCLUDED.\"n\"", sql.insert());
  }

  @Test
  void hybridModeWithoutHeadersHasNoHeadersColumn() {
    SqlStatements sql = sql("{\"table\": \"mixed\", \"storage_mode\": \"other\", \"include_headers\": false}");
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS \"mixed\" (\"id\" UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
        + "\"webhook_id\" TEXT NOT NULL, \"payload\" JSONB NOT NULL, "
        + "\"created_at\" TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)"), sql.ddl());
    assertEquals("INSERT INTO \"mixed\" (\"webhook_id\", \"payload\") VALUES ($1, $2::text::jsonb)", sql.insert());
  }

  @Test
  void jsonValuesAreCastOnTheServer() {
    assertEquals("$3::text::jsonb", PostgresDialect.INSTANCE.placeholder(ColumnType.JSON, 3));
    assertEquals("$3", PostgresDialect.INSTANCE.placeholder(ColumnType.BIGINT, 3));
  }
}
