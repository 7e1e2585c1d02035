package io.cwm.module.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.SqlRow;
import io.cwm.module.sql.SqlTarget;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The INSERT parameters per storage mode, blobs and refused values. */
class PostgresRowTest {
  private static final OffsetDateTime NOW = OffsetDateTime.of(2024, 5, 1, 10, 15, 30, 0, ZoneOffset.UTC);
  private static final Map<String, String> HEADERS = Map.of("x-b", "2", "x-a", "1");

  private static SqlTarget target(String json) {
    return SqlTarget.fromConfig(new JsonObject(json), PostgresDialect.INSTANCE.names());
  }

  @Test
  void jsonRowHasWebhookIdTimePayloadAndHeaders() {
    Tuple row = SqlRow.of(PostgresDialect.INSTANCE, target("{}"), "hook", new JsonObject().put("a", 1), HEADERS, NOW);
    assertEquals(4, row.size());
    assertEquals("hook", row.getValue(0));
    assertEquals(NOW, row.getValue(1));
    assertEquals("{\"a\":1}", row.getValue(2));
    assertEquals(new JsonObject().put("x-a", "1").put("x-b", "2"), new JsonObject((String) row.getValue(3)));
  }

  @Test
  void jsonRowWithoutHeadersStoresNull() {
    Tuple row = SqlRow.of(PostgresDialect.INSTANCE, target("{\"include_headers\": false}"), "hook", "text", HEADERS, NOW);
    assertEquals("\"text\"", row.getValue(2));
    assertNull(row.getValue(3));
  }

  @Test
  void jsonNullPayloadIsTheJsonLiteral() {
    assertEquals("null", SqlRow.of(PostgresDialect.INSTANCE, target("{}"), "hook", null, HEADERS, NOW).getValue(2));
  }

  @Test
  void blobIsABase64JsonStringInJsonAndHybrid() {
    Buffer bytes = Buffer.buffer(new byte[] {0, 1, (byte) 0xfe});
    assertEquals("\"AAH+\"", SqlRow.of(PostgresDialect.INSTANCE, target("{}"), "hook", bytes, HEADERS, NOW).getValue(2));
    Tuple hybrid = SqlRow.of(PostgresDialect.INSTANCE, target("{\"storage_mode\": \"hybrid\", \"schema\": {\"fields\": {\"a\": {\"default\": \"d\"}}}}"),
        "hook", bytes, HEADERS, NOW);
    assertEquals("\"AAH+\"", hybrid.getValue(1));
    assertEquals("d", hybrid.getValue(3), "fields read nothing from a blob; the default applies");
  }

  @Test
  void blobInRelationalStorageIsAConfigFailure() {
    SqlTarget relational = target("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"a\": {}}}}");
    ModuleFailure failure = assertThrows(ModuleFailure.class,
        () -> SqlRow.of(PostgresDialect.INSTANCE, relational, "hook", Buffer.buffer("x"), HEADERS, NOW));
    assertEquals(Category.CONFIG, failure.category());
  }

  @Test
  void relationalRowReadsTopLevelKeysWithDefaults() {
    SqlTarget relational = target("""
        {"storage_mode": "relational", "schema": {"fields": {
          "n": {"type": "integer"}, "at": {"type": "datetime", "default": "CURRENT_TIMESTAMP"},
          "s": {"default": "fallback"}, "missing": {}}}}
        """);
    Tuple row = SqlRow.of(PostgresDialect.INSTANCE, relational, "hook", new JsonObject().put("n", "7").put("s", "given"), HEADERS, NOW);
    assertEquals(5, row.size());
    assertEquals("hook", row.getValue(0));
    assertEquals(7L, row.getValue(1));
    assertEquals(NOW, row.getValue(2));
    assertEquals("given", row.getValue(3));
    assertNull(row.getValue(4));
    Tuple notAnObject = SqlRow.of(PostgresDialect.INSTANCE, relational, "hook", new io.vertx.core.json.JsonArray().add(1), HEADERS, NOW);
    assertNull(notAnObject.getValue(1));
    assertEquals("fallback", notAnObject.getValue(3));
  }

  @Test
  void aValueThatDoesNotFitIsAValidationFailureNamingTheField() {
    SqlTarget relational = target("{\"storage_mode\": \"relational\", \"schema\": {\"fields\": {\"n\": {\"type\": \"int\"}}}}");
    ModuleFailure failure = assertThrows(ModuleFailure.class,
        () -> SqlRow.of(PostgresDialect.INSTANCE, relational, "hook", new JsonObject().put("n", "seven"), HEADERS, NOW));
    assertEquals(Category.VALIDATION, failure.category());
    assertEquals("postgresql field 'n' must be an integer for column type BIGINT", failure.getMessage());
  }
}
