package io.cwm.module.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.sql.ColumnType;
import io.cwm.module.sql.PreparedTarget;
import io.cwm.module.sql.SqlRow;
import io.cwm.module.sql.SqlStatements;
import io.cwm.module.sql.SqlTarget;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mysql module-config at load (§3.17 name rules) and the SQL text and parameters it becomes. */
class MySqlDialectTest {
  private static final OffsetDateTime NOW = OffsetDateTime.of(2024, 5, 1, 12, 15, 30, 0, ZoneOffset.ofHours(2));

  private static PreparedTarget load(String moduleConfig) {
    return MySqlModuleVerticle.TYPE.target(new JsonObject(moduleConfig), new JsonObject(), Env.of(Map.of()));
  }

  private static String refusedKey(String moduleConfig) {
    return assertThrows(ConfigException.class, () -> load(moduleConfig)).key();
  }

  private static SqlStatements sql(String moduleConfig) {
    return load(moduleConfig).sql();
  }

  @ParameterizedTest
  @ValueSource(strings = {"show", "DESCRIBE", "explain", "use", "Set", "select", "mysql.user", "db`x", "a b", "9lives",
      "t2345678901234567890123456789012345678901234567890123456789012345"})
  void tableNamesMySqlRefuses(String table) {
    assertEquals("table", refusedKey(new JsonObject().put("table", table).encode()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg_events", "wasp_events", "xp_log", "sp_who_audit", "mysql_events", "index",
      "t234567890123456789012345678901234567890123456789012345678901234"})
  void namesPythonRefusedForASubstringOrPostgresReasonsAreAccepted(String table) {
    assertEquals(table, load(new JsonObject().put("table", table).encode()).target().table());
  }

  @Test
  void anIndexMayNotBeCalledIndex() {
    assertEquals("schema.indexes.index", refusedKey("{\"schema\": {\"indexes\": {\"index\": {\"columns\": [\"a\"]}}}}"));
  }

  @Test
  void jsonModeTable() {
    SqlStatements sql = sql("{\"table\": \"events\"}");
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS `events` (`id` CHAR(36) PRIMARY KEY DEFAULT (UUID()), "
        + "`webhook_id` TEXT NOT NULL, `timestamp` DATETIME DEFAULT CURRENT_TIMESTAMP, `payload` JSON NOT NULL, "
        + "`headers` JSON, `created_at` DATETIME DEFAULT CURRENT_TIMESTAMP)"), sql.ddl());
    assertEquals("INSERT INTO `events` (`webhook_id`, `timestamp`, `payload`, `headers`) VALUES (?, ?, ?, ?)", sql.insert());
    assertEquals(1, sql("{\"table\": \"events\", \"upsert\": true}").ddl().size(), "no GIN index in MySQL");
  }

  @Test
  void relationalUpsertOnAStringKeyMakesTheKeyAVarcharAndIndexesTextByPrefix() {
    SqlStatements sql = sql("""
        {"table": "orders", "storage_mode": "relational", "upsert": true, "upsert_key": "ref",
         "schema": {"fields": {
           "ref": {"type": "string", "constraints": ["PRIMARY KEY"]},
           "total": {"type": "number"}, "note": {}, "at": {"type": "timestamp"}, "meta": {"type": "json"}},
          "indexes": {"idx_orders": {"columns": ["note", "total", "webhook_id"]}}}}
        """);
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS `orders` (`id` CHAR(36) PRIMARY KEY DEFAULT (UUID()), "
            + "`webhook_id` TEXT NOT NULL, `created_at` DATETIME DEFAULT CURRENT_TIMESTAMP, "
            + "`ref` VARCHAR(255) UNIQUE NOT NULL, `total` DOUBLE, `note` TEXT, `at` DATETIME, `meta` JSON)",
        "CREATE INDEX IF NOT EXISTS `idx_orders` ON `orders` (`note`(255), `total`, `webhook_id`(255))"), sql.ddl());
    assertEquals("INSERT INTO `orders` (`webhook_id`, `ref`, `total`, `note`, `at`, `meta`) VALUES (?, ?, ?, ?, ?, ?) "
        + "ON DUPLICATE KEY UPDATE `ref` = VALUES(`ref`), `total` = VALUES(`total`), `note` = VALUES(`note`), "
        + "`at` = VALUES(`at`), `meta` = VALUES(`meta`)", sql.insert());
  }

  @Test
  void hybridWithoutHeaders() {
    SqlStatements sql = sql("{\"storage_mode\": \"hybrid\", \"include_headers\": \"false\", \"schema\": {\"fields\": {\"n\": {\"type\": \"int\"}}}}");
    assertEquals("INSERT INTO `webhook_events` (`webhook_id`, `payload`, `n`) VALUES (?, ?, ?)", sql.insert());
  }

  @Test
  void momentsAreBoundAsUtcDateTimesAndBlobsAsBase64() {
    PreparedTarget json = load("{}");
    Tuple row = SqlRow.of(MySqlDialect.INSTANCE, json.target(), "hook", Buffer.buffer(new byte[] {0, 1, (byte) 0xfe}),
        Map.of("x-a", "1"), NOW);
    assertEquals(LocalDateTime.of(2024, 5, 1, 10, 15, 30), row.getValue(1));
    assertEquals("\"AAH+\"", row.getValue(2));
    assertEquals("{\"x-a\":\"1\"}", row.getValue(3));

    SqlTarget relational = load("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {"
        + "\"at\": {\"type\": \"datetime\", \"default\": \"CURRENT_TIMESTAMP\"}, \"d\": {\"type\": \"date\"}}}}").target();
    Tuple fields = SqlRow.of(MySqlDialect.INSTANCE, relational, "hook", new JsonObject().put("d", "2024-05-01T23:30:00-03:00"),
        Map.of(), NOW);
    assertEquals(LocalDateTime.of(2024, 5, 1, 10, 15, 30), fields.getValue(1));
    assertEquals(java.time.LocalDate.of(2024, 5, 1), fields.getValue(2), "the date as written, not shifted");
    assertEquals("DATETIME", MySqlDialect.INSTANCE.typeSql(ColumnType.TIMESTAMP));
  }

  @Test
  void relationalBlobEntriesAreRefusedAtLoad() {
    assertEquals("storage_mode", assertThrows(ConfigException.class, () -> MySqlModuleVerticle.TYPE.target(
        new JsonObject("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {}}}}"),
        new JsonObject().put("data_type", "blob"), Env.of(Map.of()))).key());
  }
}
