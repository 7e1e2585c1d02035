package io.cwm.module.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.sql.ColumnType;
import io.cwm.module.sql.PreparedTarget;
import io.cwm.module.sql.SqlTarget;
import io.cwm.module.sql.SqlTarget.Field;
import io.cwm.module.sql.SqlTarget.StorageMode;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load-time parse of the postgresql module-config: defaults, name rules, keys in errors. */
class PostgresTargetTest {

  private static SqlTarget parse(String json) {
    return SqlTarget.fromConfig(new JsonObject(json), PostgresDialect.INSTANCE.names());
  }

  private static ConfigException refused(String json) {
    return assertThrows(ConfigException.class, () -> parse(json));
  }

  @Test
  void defaultsAreJsonStorageInWebhookEventsWithHeaders() {
    SqlTarget target = SqlTarget.fromConfig(null, PostgresDialect.INSTANCE.names());
    assertEquals("webhook_events", target.table());
    assertEquals(StorageMode.JSON, target.mode());
    assertFalse(target.upsert());
    assertEquals("id", target.upsertKey());
    assertTrue(target.includeHeaders());
    assertEquals(List.of(), target.fields());
    assertEquals(List.of(), target.indexes());
  }

  @Test
  void storageModeOtherThanJsonOrRelationalIsHybrid() {
    assertEquals(StorageMode.RELATIONAL, parse("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {}}}}").mode());
    assertEquals(StorageMode.HYBRID, parse("{\"storage_mode\": \"hybrid\"}").mode());
    assertEquals(StorageMode.HYBRID, parse("{\"storage_mode\": \"documents\"}").mode());
  }

  @Test
  void tableIsTrimmed() {
    assertEquals("events", parse("{\"table\": \"  events \"}").table());
  }

  @ParameterizedTest
  @ValueSource(strings = {"x; DROP TABLE y", "pg_catalog", "PG_class", "select", "TABLE",
      "Drop", "a\\\"b", "1abc", "a-b", "a.b", "", "   ", "caf\u00e9",
      "a123456789012345678901234567890123456789012345678901234567890123"})
  void badTableNamesAreRefusedNamingTheKey(String name) {
    ConfigException e = refused(new JsonObject().put("table", name).encode());
    assertEquals("table", e.key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"shop_pg_orders", "wasp_events", "xp_cmd_log", "sp_who_audit"})
  void pythonsSubstringBansAreNotCopied(String name) {
    assertEquals(name, parse(new JsonObject().put("table", name).encode()).table());
  }

  @Test
  void sixtyThreeCharacterTableNameIsTheLimit() {
    String name = "t".repeat(63);
    assertEquals(name, parse(new JsonObject().put("table", name).encode()).table());
    assertEquals("table", refused(new JsonObject().put("table", name + "t").encode()).key());
  }

  @Test
  void quoteInTableNameIsRefused() {
    assertEquals("table", refused("{\"table\": \"a\\\"; DROP TABLE b; --\"}").key());
  }

  @Test
  void nonStringTableIsRefused() {
    assertEquals("table", refused("{\"table\": 5}").key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\"b", "a'b", "a;b", "a--b", "a/*b", "a*/b", "a\nb", "a\rb", "a\u0000b", ""})
  void dangerousUpsertKeysAreRefused(String key) {
    assertEquals("upsert_key", refused(new JsonObject().put("upsert_key", key).encode()).key());
  }

  @Test
  void upsertKeyLongerThan256IsRefused() {
    assertEquals("upsert_key", refused(new JsonObject().put("upsert_key", "k".repeat(257)).encode()).key());
  }

  @Test
  void flagsAcceptSubstitutedStrings() {
    SqlTarget target = parse("{\"include_headers\": \"false\", \"upsert\": \"true\"}");
    assertFalse(target.includeHeaders());
    assertTrue(target.upsert());
    assertEquals("include_headers", refused("{\"include_headers\": \"maybe\"}").key());
  }

  @Test
  void fieldsTakeColumnTypeConstraintsAndDefault() {
    SqlTarget target = parse("""
        {"storage_mode": "relational", "schema": {"fields": {
          "amount": {"column": "amount_cents", "type": "INTEGER", "constraints": ["not null", "CHECK (x > 0)", "unique"]},
          "note": {},
          "when": {"type": "datetime", "default": "CURRENT_TIMESTAMP"},
          "odd": {"type": "money", "default": null}
        }}}
        """);
    List<Field> fields = target.fields();
    assertEquals(4, fields.size());
    assertEquals(new Field("amount", "amount_cents", ColumnType.BIGINT, List.of("NOT NULL", "UNIQUE"), false, null), fields.get(0));
    assertEquals(new Field("note", "note", ColumnType.TEXT, List.of(), false, null), fields.get(1));
    assertEquals(ColumnType.TIMESTAMP, fields.get(2).type());
    assertTrue(fields.get(2).hasDefault());
    assertEquals(ColumnType.TEXT, fields.get(3).type(), "unknown type is TEXT");
    assertTrue(fields.get(3).hasDefault());
  }

  @Test
  void typeMapFollowsPython() {
    Map<String, ColumnType> expected = Map.ofEntries(Map.entry("string", ColumnType.TEXT), Map.entry("text", ColumnType.TEXT),
        Map.entry("integer", ColumnType.BIGINT), Map.entry("int", ColumnType.BIGINT),
        Map.entry("float", ColumnType.DOUBLE), Map.entry("number", ColumnType.DOUBLE),
        Map.entry("boolean", ColumnType.BOOLEAN), Map.entry("bool", ColumnType.BOOLEAN),
        Map.entry("datetime", ColumnType.TIMESTAMP), Map.entry("timestamp", ColumnType.TIMESTAMP),
        Map.entry("date", ColumnType.DATE), Map.entry("time", ColumnType.TIME), Map.entry("json", ColumnType.JSON),
        Map.entry("uuid", ColumnType.TEXT), Map.entry("varchar(10); DROP TABLE x", ColumnType.TEXT));
    expected.forEach((name, type) -> assertEquals(type, ColumnType.of(name), name));
    assertEquals("DOUBLE PRECISION", PostgresDialect.INSTANCE.typeSql(ColumnType.DOUBLE));
    assertEquals("TIMESTAMP WITH TIME ZONE", PostgresDialect.INSTANCE.typeSql(ColumnType.TIMESTAMP));
  }

  @Test
  void primaryKeyBecomesUniqueNotNullInRelationalAndIsDroppedInHybrid() {
    String fields = "\"schema\": {\"fields\": {\"ref\": {\"constraints\": [\"PRIMARY KEY\"]}}}";
    assertEquals(List.of("UNIQUE", "NOT NULL"),
        parse("{\"storage_mode\": \"relational\", " + fields + "}").fields().get(0).constraints());
    assertEquals(List.of(), parse("{\"storage_mode\": \"hybrid\", " + fields + "}").fields().get(0).constraints());
  }

  @ParameterizedTest
  @ValueSource(strings = {"x; DROP TABLE y", "a\"b", "1a", "a b", "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"})
  void badColumnNamesAreRefusedNamingTheField(String column) {
    ConfigException e = refused(new JsonObject().put("storage_mode", "relational").put("schema", new JsonObject()
        .put("fields", new JsonObject().put("amount", new JsonObject().put("column", column)))).encode());
    assertEquals("schema.fields.amount.column", e.key());
  }

  @Test
  void aFieldKeyThatIsNoColumnNameNeedsAColumn() {
    assertEquals("schema.fields.order-id.column",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"order-id\": {}}}}").key());
    assertEquals("order_id",
        parse("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"order-id\": {\"column\": \"order_id\"}}}}")
            .fields().get(0).column());
  }

  @Test
  void columnsMayNotRepeatTheTablesOwnColumnsOrEachOther() {
    assertEquals("schema.fields.x.column",
        refused("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"x\": {\"column\": \"webhook_id\"}}}}").key());
    assertEquals("schema.fields.payload.column",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"payload\": {}}}}").key());
    assertEquals("schema.fields.b.column",
        refused("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {}, \"b\": {\"column\": \"A\"}}}}").key());
  }

  @Test
  void relationalNeedsFields() {
    assertEquals("schema.fields", refused("{\"storage_mode\": \"relational\"}").key());
    assertEquals("schema.fields", refused("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {}}}").key());
  }

  @Test
  void malformedSchemaPartsNameTheirKey() {
    assertEquals("schema", refused("{\"schema\": []}").key());
    assertEquals("schema.fields", refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": []}}").key());
    assertEquals("schema.fields.a", refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"a\": 1}}}").key());
    assertEquals("schema.fields.a.type",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"a\": {\"type\": 3}}}}").key());
    assertEquals("schema.fields.a.constraints",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"a\": {\"constraints\": \"UNIQUE\"}}}}").key());
  }

  @Test
  void defaultsMustFitTheirColumn() {
    assertEquals("schema.fields.n.default",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"n\": {\"type\": \"integer\", \"default\": \"many\"}}}}").key());
    assertEquals("schema.fields.n.default",
        refused("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"n\": {\"type\": \"integer\", \"default\": \"CURRENT_TIMESTAMP\"}}}}").key());
    assertEquals(7, parse("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"n\": {\"type\": \"integer\", \"default\": 7}}}}")
        .fields().get(0).defaultValue());
  }

  @Test
  void upsertInRelationalOrHybridNeedsTheKeyToBeAField() {
    assertEquals("upsert_key", refused("""
        {"storage_mode": "relational", "upsert": true, "schema": {"fields": {"ref": {}}}}
        """).key());
    SqlTarget target = parse("""
        {"storage_mode": "relational", "upsert": true, "upsert_key": "ref", "schema": {"fields": {"ref": {"column": "r"}}}}
        """);
    assertEquals("r", target.conflictField().column());
    // json storage ignores upsert (as Python at bc7b1df)
    assertNull(parse("{\"upsert\": true, \"upsert_key\": \"anything\"}").conflictField());
  }

  @Test
  void indexNamesFollowTableRulesAndColumnsColumnRules() {
    SqlTarget target = parse("{\"schema\": {\"indexes\": {\"idx_a\": {\"columns\": [\"a\", \"b\"]}, \"idx_empty\": {\"columns\": []}}}}");
    assertEquals(List.of(new SqlTarget.Index("idx_a", List.of("a", "b"))), target.indexes());
    assertEquals("schema.indexes.pg_idx", refused("{\"schema\": {\"indexes\": {\"pg_idx\": {\"columns\": [\"a\"]}}}}").key());
    assertEquals("schema.indexes.i; DROP TABLE y",
        refused("{\"schema\": {\"indexes\": {\"i; DROP TABLE y\": {\"columns\": [\"a\"]}}}}").key());
    assertEquals("schema.indexes.idx.columns",
        refused("{\"schema\": {\"indexes\": {\"idx\": {\"columns\": [\"a\\\"b\"]}}}}").key());
    assertEquals("schema.indexes.idx.columns", refused("{\"schema\": {\"indexes\": {\"idx\": {\"columns\": \"a\"}}}}").key());
  }

  @Test
  void relationalBlobEntriesAreRefusedAtLoad() {
    JsonObject config = new JsonObject("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {}}}}");
    ModuleType<PreparedTarget> module = PostgresModuleVerticle.TYPE;
    ConfigException e = assertThrows(ConfigException.class, () -> module.target(config,
        new JsonObject().put("data_type", "blob"), Env.of(Map.of())));
    assertEquals("storage_mode", e.key());
    module.target(new JsonObject(), new JsonObject().put("data_type", "blob"), Env.of(Map.of()));
  }

  @Test
  void quoteRefusesWhatTheRulesRefuse() {
    assertEquals("\"events\"", PostgresDialect.INSTANCE.names().quote("events"));
    assertThrows(IllegalArgumentException.class, () -> PostgresDialect.INSTANCE.names().quote("a\"b"));
    assertThrows(IllegalArgumentException.class, () -> PostgresDialect.INSTANCE.names().quote("x; DROP TABLE y"));
  }
}
