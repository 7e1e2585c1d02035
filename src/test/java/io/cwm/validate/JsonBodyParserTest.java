package io.cwm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyParserTest {
  private static final String JSON = "application/json";

  private static Object parse(String body) {
    return JsonBodyParser.parse(Buffer.buffer(body), JSON);
  }

  private static CwmException refused(Buffer body, String contentType) {
    CwmException e = assertThrows(CwmException.class, () -> JsonBodyParser.parse(body, contentType));
    assertEquals(FailureCode.BAD_REQUEST, e.code());
    return e;
  }

  private static CwmException refused(String body) {
    return refused(Buffer.buffer(body), JSON);
  }

  private static String nestedArrays(int count, String leaf) {
    return "[".repeat(count) + leaf + "]".repeat(count);
  }

  @Test
  void objectIsParsed() {
    assertEquals(new JsonObject("{\"event\":\"push\",\"n\":1}"), parse("{\"event\":\"push\",\"n\":1}"));
  }

  @Test
  void fiftyNestedArraysWithALeafAreAccepted() {
    Object parsed = parse(nestedArrays(50, "1"));
    assertTrue(parsed instanceof JsonArray);
  }

  @Test
  void fiftyOneNestedArraysWithALeafAreRefused() {
    assertEquals("JSON too deeply nested: 51 levels (max: 50)", refused(nestedArrays(51, "1")).getMessage());
  }

  @Test
  void fiftyOneNestedEmptyArraysAreAccepted() {
    // the innermost (empty) array sits at depth 50: no value is deeper than 50
    assertTrue(parse(nestedArrays(51, "")) instanceof JsonArray);
  }

  @Test
  void deeplyNestedObjectsAreRefusedAt51Levels() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      body.append("{\"a\":");
    }
    body.append("1").append("}".repeat(51));
    assertEquals("JSON too deeply nested: 51 levels (max: 50)", refused(body.toString()).getMessage());
  }

  @Test
  void tenThousandNestedArraysAreRefusedQuicklyWithTheSameMessage() {
    String body = nestedArrays(10_000, "1");
    CwmException e = assertTimeout(Duration.ofSeconds(2), () -> refused(body));
    assertEquals("JSON too deeply nested: 51 levels (max: 50)", e.getMessage());
  }

  @Test
  void tenThousandUnclosedArraysAreRefusedWithTheDepthMessage() {
    CwmException e = assertTimeout(Duration.ofSeconds(2), () -> refused("[".repeat(10_000)));
    assertEquals("JSON too deeply nested: 51 levels (max: 50)", e.getMessage());
  }

  @Test
  void stringOfOneMebibyteIsAccepted() {
    String value = "a".repeat(JsonBodyParser.MAX_STRING_CHARS);
    assertEquals(value, ((JsonObject) parse("{\"s\":\"" + value + "\"}")).getString("s"));
  }

  @Test
  void stringOfOneMebibytePlusOneCharacterIsRefused() {
    String value = "a".repeat(1_048_577);
    assertEquals("String too long: 1048577 chars (max: 1048576)",
        refused("{\"s\":\"" + value + "\"}").getMessage());
  }

  @Test
  void tooLongStringInsideAnArrayIsRefused() {
    String value = "a".repeat(1_048_577);
    assertEquals("String too long: 1048577 chars (max: 1048576)",
        refused("[1,\"" + value + "\"]").getMessage());
  }

  @Test
  void emptyBodyIsMalformed() {
    assertEquals("Malformed JSON payload", refused(Buffer.buffer(), JSON).getMessage());
  }

  @Test
  void nullBodyIsMalformed() {
    assertEquals("Malformed JSON payload", refused(null, JSON).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{invalid json}", "   ", "{\"a\":1} trailing", "{\"a\":1}{\"b\":2}", "{\"a\":1",
      "[1,2", "{\"a\"}", "'single'", "undefined"})
  void malformedBodiesAreRefused(String body) {
    assertEquals("Malformed JSON payload", refused(body).getMessage());
  }

  @Test
  void nanAndInfinityAreAccepted() {
    JsonObject parsed = (JsonObject) parse("{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity}");
    assertTrue(Double.isNaN(parsed.getDouble("a")));
    assertEquals(Double.POSITIVE_INFINITY, parsed.getDouble("b"));
    assertEquals(Double.NEGATIVE_INFINITY, parsed.getDouble("c"));
  }

  @Test
  void duplicateKeysKeepTheLastValue() {
    assertEquals(new JsonObject("{\"a\":2}"), parse("{\"a\":1,\"a\":2}"));
  }

  @Test
  void topLevelScalarsAreAccepted() {
    assertEquals(42, ((Number) parse("42")).intValue());
    assertEquals("hello", parse("\"hello\""));
    assertEquals(Boolean.TRUE, parse("true"));
    assertEquals(1.5, parse("1.5"));
    assertNull(parse("null"));
  }

  @Test
  void topLevelArrayIsAccepted() {
    assertEquals(new JsonArray().add(1).add("two").addNull(), parse("[1,\"two\",null]"));
  }

  @Test
  void invalidUtf8FallsBackToLatin1() {
    byte[] latin1 = "{\"name\":\"café\"}".getBytes(StandardCharsets.ISO_8859_1);
    Object parsed = JsonBodyParser.parse(Buffer.buffer(latin1), JSON);
    assertEquals(new JsonObject().put("name", "café"), parsed);
  }

  @Test
  void invalidUtf8WithoutContentTypeFallsBackToLatin1() {
    byte[] latin1 = "{\"city\":\"Zürich\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(new JsonObject().put("city", "Zürich"), JsonBodyParser.parse(Buffer.buffer(latin1), null));
  }

  @Test
  void validUtf8IsReadAsUtf8() {
    byte[] utf8 = "{\"name\":\"café ✓\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(new JsonObject().put("name", "café ✓"), JsonBodyParser.parse(Buffer.buffer(utf8), JSON));
  }

  @Test
  void utf16leCharsetIsHonoured() {
    byte[] utf16 = "{\"name\":\"café ✓\"}".getBytes(StandardCharsets.UTF_16LE);
    assertEquals(new JsonObject().put("name", "café ✓"),
        JsonBodyParser.parse(Buffer.buffer(utf16), "application/json; charset=utf-16le"));
  }

  @Test
  void quotedUpperCaseCharsetIsHonoured() {
    byte[] utf16 = "{\"n\":\"é\"}".getBytes(StandardCharsets.UTF_16BE);
    assertEquals(new JsonObject().put("n", "é"),
        JsonBodyParser.parse(Buffer.buffer(utf16), "application/json; charset=\"UTF-16BE\""));
  }

  @Test
  void latin1CharsetIsHonoured() {
    byte[] latin1 = "{\"n\":\"é\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(new JsonObject().put("n", "é"),
        JsonBodyParser.parse(Buffer.buffer(latin1), "application/json; charset=iso-8859-1"));
  }

  @Test
  void cp1252CharsetIsHonoured() {
    byte[] cp1252 = {'{', '"', 'p', '"', ':', '"', (byte) 0x80, '"', '}'};
    assertEquals(new JsonObject().put("p", "€"),
        JsonBodyParser.parse(Buffer.buffer(cp1252), "application/json; charset=cp1252"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json; charset=utf-7", "application/json; charset=../../x",
      "application/json; charset=a;b", "application/json; charset=x-unknown"})
  void unknownCharsetsAreIgnoredAndTheBodyIsReadAsUtf8(String contentType) {
    assertNull(JsonBodyParser.declaredCharset(contentType));
    byte[] utf8 = "{\"n\":\"+AGEA-é\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(new JsonObject().put("n", "+AGEA-é"), JsonBodyParser.parse(Buffer.buffer(utf8), contentType));
  }

  @Test
  void charsetNameLongerThan64CharactersIsIgnored() {
    assertNull(JsonBodyParser.declaredCharset("application/json; charset=utf-8" + "x".repeat(64)));
  }

  @Test
  void charsetParameterFollowedByOtherParametersIsRead() {
    assertEquals(StandardCharsets.UTF_16LE,
        JsonBodyParser.declaredCharset("application/json; charset=utf-16le; boundary=x"));
  }
}
