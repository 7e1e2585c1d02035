package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The object body matches Python's json.dumps(payload, indent=2) (expected texts produced by CPython 3.11). */
class PythonJsonTest {

  @Test
  void prettyTextMatchesPythonIndentTwo() {
    JsonObject payload = new JsonObject("""
        {"a":[1,2.5,1e16,1.5e-05,{}],"b":{},"c":[],"d":"\\u00e9\\u0001\\u007f\\ud83d\\ude00\\"\\\\/","e":null,
         "f":true,"g":-0.0,"h":100.0,"i":0.0001,"j":123456789.123,"k":1e22,"l":[[]]}""");
    assertEquals("""
        {
          "a": [
            1,
            2.5,
            1e+16,
            1.5e-05,
            {}
          ],
          "b": {},
          "c": [],
          "d": "\\u00e9\\u0001\\u007f\\ud83d\\ude00\\"\\\\/",
          "e": null,
          "f": true,
          "g": -0.0,
          "h": 100.0,
          "i": 0.0001,
          "j": 123456789.123,
          "k": 1e+22,
          "l": [
            []
          ]
        }""", PythonJson.pretty(payload));
  }

  @Test
  void floatsFollowPythonRepr() {
    assertEquals("0.1", PythonJson.floatRepr(0.1));
    assertEquals("1e-05", PythonJson.floatRepr(0.00001));
    assertEquals("0.001", PythonJson.floatRepr(0.001));
    assertEquals("1234567890123456.0", PythonJson.floatRepr(1234567890123456.0));
    assertEquals("1.2345678901234568e+17", PythonJson.floatRepr(123456789012345678.0));
    assertEquals("-2.5e-100", PythonJson.floatRepr(-2.5e-100));
    assertEquals("0.0", PythonJson.floatRepr(0.0));
  }

  @Test
  void bodiesByPayloadKind() {
    assertEquals("[\n  1,\n  \"x\"\n]", text(new JsonArray().add(1).add("x")));
    assertEquals("plain text ü", text("plain text ü"));
    assertEquals("42", text(42));
    assertEquals("true", text(true));
    assertEquals("null", text(null));
    byte[] raw = {0, (byte) 0xff, 'a'};
    assertEquals(3, S3ModuleVerticle.body(Buffer.buffer(raw)).length);
    assertEquals((byte) 0xff, S3ModuleVerticle.body(Buffer.buffer(raw))[1]);
  }

  private static String text(Object payload) {
    return new String(S3ModuleVerticle.body(payload), StandardCharsets.UTF_8);
  }
}
