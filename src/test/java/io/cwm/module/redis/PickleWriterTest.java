package io.cwm.module.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every pickle is read back by the machine's python3. */
class PickleWriterTest {

  private static void assertPython(String expectedRepr, Object value) throws Exception {
    assertEquals(expectedRepr, Python.unpickleRepr(PickleWriter.dumps(value)));
  }

  @Test
  void scalarsKeepTheirPythonTypes() throws Exception {
    assertPython("None", null);
    assertPython("True", true);
    assertPython("False", false);
    assertPython("[0, 255, 256, 65535, 65536, -1, -2147483648, 2147483647, 2147483648, -9223372036854775808]",
        List.of(0, 255, 256, 65535, 65536, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 2147483648L, Long.MIN_VALUE));
    assertPython("123456789012345678901234567890", new BigInteger("123456789012345678901234567890"));
    assertPython("[1.5, -0.0, 1e+300]", List.of(1.5, -0.0, 1e300));
    assertPython("'héllo ✓ 😀'", "héllo ✓ 😀");
    assertPython("b'\\x00\\x01\\xff'", Buffer.buffer(new byte[] {0, 1, (byte) 0xff}));
    assertPython("''", "");
  }

  @Test
  void containersNest() throws Exception {
    assertPython("({'a': [1, {'b': None}], 'c': 'x'}, {'content-type': 'application/json'})",
        PickleWriter.Tuple.of(new JsonObject().put("a", new JsonArray().add(1).add(new JsonObject().putNull("b"))).put("c", "x"),
            java.util.Map.of("content-type", "application/json")));
    assertPython("()", PickleWriter.Tuple.of());
    assertPython("(1,)", PickleWriter.Tuple.of(1));
    assertPython("(1, 2, 3, 4)", PickleWriter.Tuple.of(1, 2, 3, 4));
    assertPython("([], {})", PickleWriter.Tuple.of(new JsonArray(), new JsonObject()));
  }

  @Test
  void largeContainersAreBatched() throws Exception {
    List<Object> list = new ArrayList<>();
    JsonObject dict = new JsonObject();
    for (int i = 0; i < 2500; i++) {
      list.add(i);
      dict.put("k" + i, i);
    }
    assertEquals("2500 2500 2499 2499",
        Python.run("import pickle, sys; l, d = pickle.loads(sys.stdin.buffer.read()); "
            + "print(len(l), len(d), l[-1], d['k2499'])", PickleWriter.dumps(PickleWriter.Tuple.of(list, dict))));
  }
}
