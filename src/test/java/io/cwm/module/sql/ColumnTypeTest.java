package io.cwm.module.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Payload values into typed columns: converted when unambiguous, refused otherwise. */
class ColumnTypeTest {
  private static final OffsetDateTime NOW = OffsetDateTime.of(2024, 5, 1, 10, 15, 30, 0, ZoneOffset.UTC);

  @Test
  void nullStaysNull() {
    for (ColumnType type : ColumnType.values()) {
      assertNull(type.parameter(null), type.name());
    }
  }

  @Test
  void integers() {
    assertEquals(12L, ColumnType.BIGINT.parameter(12));
    assertEquals(12L, ColumnType.BIGINT.parameter("12"));
    assertEquals(12L, ColumnType.BIGINT.parameter(" 12 "));
    assertEquals(12L, ColumnType.BIGINT.parameter(12.0));
    assertEquals(Long.MAX_VALUE, ColumnType.BIGINT.parameter(Long.MAX_VALUE));
    for (Object bad : new Object[] {"12.5", 12.5, "twelve", true, "", 1e20, new JsonObject(), "9223372036854775808"}) {
      assertThrows(IllegalArgumentException.class, () -> ColumnType.BIGINT.parameter(bad), String.valueOf(bad));
    }
  }

  @Test
  void floats() {
    assertEquals(2.5, ColumnType.DOUBLE.parameter(2.5));
    assertEquals(3.0, ColumnType.DOUBLE.parameter(3));
    assertEquals(10.25, ColumnType.DOUBLE.parameter("10.25"));
    for (Object bad : new Object[] {"ten", false, "NaN", "Infinity", new JsonArray()}) {
      assertThrows(IllegalArgumentException.class, () -> ColumnType.DOUBLE.parameter(bad), String.valueOf(bad));
    }
  }

  @Test
  void booleans() {
    assertEquals(true, ColumnType.BOOLEAN.parameter(true));
    assertEquals(false, ColumnType.BOOLEAN.parameter("FALSE"));
    for (Object bad : new Object[] {"yes", 1, "1"}) {
      assertThrows(IllegalArgumentException.class, () -> ColumnType.BOOLEAN.parameter(bad), String.valueOf(bad));
    }
  }

  @Test
  void timestamps() {
    assertEquals(NOW, ColumnType.TIMESTAMP.parameter("2024-05-01T10:15:30Z"));
    assertEquals(NOW.toInstant(), ((OffsetDateTime) ColumnType.TIMESTAMP.parameter("2024-05-01T12:15:30+02:00")).toInstant());
    assertEquals(NOW, ColumnType.TIMESTAMP.parameter("2024-05-01T10:15:30"));
    assertEquals(NOW.withHour(0).withMinute(0).withSecond(0), ColumnType.TIMESTAMP.parameter("2024-05-01"));
    assertEquals(NOW, ColumnType.TIMESTAMP.parameter(NOW.toEpochSecond()));
    assertEquals(NOW.plusNanos(500_000_000), ColumnType.TIMESTAMP.parameter(NOW.toEpochSecond() + 0.5));
    assertEquals(NOW, ColumnType.TIMESTAMP.parameter(NOW));
    for (Object bad : new Object[] {"yesterday", true, new JsonObject()}) {
      assertThrows(IllegalArgumentException.class, () -> ColumnType.TIMESTAMP.parameter(bad), String.valueOf(bad));
    }
  }

  @Test
  void datesAndTimes() {
    assertEquals(LocalDate.of(2024, 5, 1), ColumnType.DATE.parameter("2024-05-01"));
    assertEquals(LocalDate.of(2024, 5, 1), ColumnType.DATE.parameter("2024-05-01T23:00:00Z"));
    assertEquals(LocalDate.of(2024, 5, 1), ColumnType.DATE.parameter(NOW));
    assertEquals(LocalTime.of(10, 15, 30), ColumnType.TIME.parameter("10:15:30"));
    assertEquals(LocalTime.of(10, 15, 30), ColumnType.TIME.parameter("10:15:30+01:00"));
    assertEquals(LocalTime.of(10, 15, 30), ColumnType.TIME.parameter(NOW));
    assertThrows(IllegalArgumentException.class, () -> ColumnType.DATE.parameter("May 1st"));
    assertThrows(IllegalArgumentException.class, () -> ColumnType.DATE.parameter(20240501));
    assertThrows(IllegalArgumentException.class, () -> ColumnType.TIME.parameter("noon"));
  }

  @Test
  void textTakesScalarsAndJsonText() {
    assertEquals("abc", ColumnType.TEXT.parameter("abc"));
    assertEquals("12", ColumnType.TEXT.parameter(12));
    assertEquals("true", ColumnType.TEXT.parameter(true));
    assertEquals("{\"a\":1}", ColumnType.TEXT.parameter(new JsonObject().put("a", 1)));
    assertEquals("2024-05-01T10:15:30Z", ColumnType.TEXT.parameter(NOW));
  }

  @Test
  void jsonTakesAnyValueAsJsonText() {
    assertEquals("{\"a\":[1,\"x\"]}", ColumnType.JSON.parameter(new JsonObject().put("a", new JsonArray().add(1).add("x"))));
    assertEquals("\"text\"", ColumnType.JSON.parameter("text"));
    assertEquals("5", ColumnType.JSON.parameter(5));
  }
}
