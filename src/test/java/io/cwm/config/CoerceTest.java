package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoerceTest {

  private static ConfigException refused(Runnable call) {
    return assertThrows(ConfigException.class, call::run);
  }

  @Test
  void numericStringIsAnInteger() {
    assertEquals(30, Coerce.integer(new JsonObject().put("timeout", "30"), "timeout", 5, 1, 3600));
    assertEquals(30, Coerce.integer(new JsonObject().put("timeout", " 30 "), "timeout", 5, 1, 3600));
  }

  @Test
  void wholeJsonNumberIsAnInteger() {
    assertEquals(30, Coerce.integer(new JsonObject().put("timeout", 30.0), "timeout", 5, 1, 3600));
  }

  @Test
  void absentIntegerGivesTheFallback() {
    assertEquals(5, Coerce.integer(new JsonObject(), "timeout", 5, 1, 3600));
  }

  @Test
  void fractionalNumberIsNotAnInteger() {
    ConfigException e = refused(() -> Coerce.integer(new JsonObject().put("port", 1.5), "port", 0, 1, 65535));
    assertEquals("port", e.key());
    assertEquals("must be an integer, got a number", e.getMessage());
  }

  @Test
  void wordIsNotAnInteger() {
    ConfigException e = refused(() -> Coerce.integer(new JsonObject().put("port", "http"), "port", 0, 1, 65535));
    assertEquals("must be an integer, got a string", e.getMessage());
  }

  @Test
  void integerOutsideItsRangeIsRefused() {
    ConfigException e = refused(() -> Coerce.integer(new JsonObject().put("port", "70000"), "port", 0, 1, 65535));
    assertEquals("port", e.key());
    assertEquals("must be between 1 and 65535, got 70000", e.getMessage());
  }

  @Test
  void integerAtTheRangeBoundsIsAccepted() {
    assertEquals(1, Coerce.integer(new JsonObject().put("port", 1), "port", 0, 1, 65535));
    assertEquals(65535, Coerce.integer(new JsonObject().put("port", "65535"), "port", 0, 1, 65535));
  }

  @Test
  void decimalStringIsANumber() {
    assertEquals(0.5, Coerce.number(new JsonObject().put("min_score", "0.5"), "min_score", 0.0, 0.0, 1.0));
  }

  @Test
  void numberOutsideItsRangeIsRefused() {
    ConfigException e = refused(() -> Coerce.number(new JsonObject().put("min_score", "1.5"), "min_score", 0.0, 0.0, 1.0));
    assertEquals("min_score", e.key());
    assertEquals("must be between 0.0 and 1.0, got 1.5", e.getMessage());
  }

  @Test
  void nanIsNotANumberInRange() {
    refused(() -> Coerce.number(new JsonObject().put("min_score", "NaN"), "min_score", 0.0, 0.0, 1.0));
  }

  @Test
  void wordIsNotANumber() {
    ConfigException e = refused(() -> Coerce.number(new JsonObject().put("min_score", "high"), "min_score", 0.0, 0.0, 1.0));
    assertEquals("must be a number, got a string", e.getMessage());
  }

  @Test
  void clampedNumberIsPulledIntoItsRange() {
    assertEquals(20, Coerce.clamped(new JsonObject().put("max_attempts", 50), "max_attempts", 3, 1, 20));
    assertEquals(1, Coerce.clamped(new JsonObject().put("max_attempts", "-4"), "max_attempts", 3, 1, 20));
    assertEquals(7, Coerce.clamped(new JsonObject().put("max_attempts", 7), "max_attempts", 3, 1, 20));
  }

  @Test
  void booleanStringsInAnyCaseAreBooleans() {
    assertTrue(Coerce.bool(new JsonObject().put("enabled", "TRUE"), "enabled", false));
    assertTrue(Coerce.bool(new JsonObject().put("enabled", "True"), "enabled", false));
    assertFalse(Coerce.bool(new JsonObject().put("enabled", "false"), "enabled", true));
    assertFalse(Coerce.bool(new JsonObject().put("enabled", " FALSE "), "enabled", true));
  }

  @Test
  void jsonBooleansAreBooleans() {
    assertTrue(Coerce.bool(new JsonObject().put("enabled", true), "enabled", false));
    assertFalse(Coerce.bool(new JsonObject().put("enabled", false), "enabled", true));
  }

  @Test
  void absentBooleanGivesTheFallback() {
    assertTrue(Coerce.bool(new JsonObject(), "enabled", true));
  }

  @Test
  void yesIsNotABoolean() {
    ConfigException e = refused(() -> Coerce.bool(new JsonObject().put("enabled", "yes"), "enabled", false));
    assertEquals("enabled", e.key());
    assertEquals("must be a boolean (true/false), got a string", e.getMessage());
  }

  @Test
  void oneIsNotABoolean() {
    ConfigException e = refused(() -> Coerce.bool(new JsonObject().put("enabled", 1), "enabled", false));
    assertEquals("must be a boolean (true/false), got a number", e.getMessage());
  }

  @Test
  void numbersAndBooleansReadAsStrings() {
    assertEquals("5672", Coerce.string(new JsonObject().put("port", 5672), "port", null));
    assertEquals("true", Coerce.string(new JsonObject().put("ssl", true), "ssl", null));
  }

  @Test
  void objectIsNotAString() {
    ConfigException e = refused(() -> Coerce.string(new JsonObject().put("host", new JsonObject()), "host", null));
    assertEquals("must be a string", e.getMessage());
  }

  @Test
  void blankRequiredStringIsRefused() {
    ConfigException e = refused(() -> Coerce.requiredString(new JsonObject().put("secret", "  "), "secret"));
    assertEquals("secret", e.key());
    assertEquals("is required and must be a non-empty string", e.getMessage());
  }

  @Test
  void listOfStringsIsRead() {
    assertEquals(List.of("a", "b"), Coerce.stringList(new JsonObject("{\"fields\":[\"a\",\"b\"]}"), "fields"));
    assertEquals(List.of(), Coerce.stringList(new JsonObject(), "fields"));
  }

  @Test
  void listWithANonStringIsRefused() {
    ConfigException e = refused(() -> Coerce.stringList(new JsonObject("{\"fields\":[\"a\",1]}"), "fields"));
    assertEquals("must be a list of strings, got an element a number", e.getMessage());
  }

  @Test
  void stringIsNotAList() {
    ConfigException e = refused(() -> Coerce.stringList(new JsonObject("{\"fields\":\"a\"}"), "fields"));
    assertEquals("must be a list of strings, got a string", e.getMessage());
  }

  @Test
  void listIsNotAnObject() {
    ConfigException e = refused(() -> Coerce.object(new JsonObject("{\"retry\":[]}"), "retry"));
    assertEquals("must be an object, got a list", e.getMessage());
  }
}
