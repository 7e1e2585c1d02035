package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  private static final JsonObject STRIPE = new JsonObject()
      .put("id", "evt_1").put("type", "payment_intent.succeeded").put("livemode", false).putNull("request")
      .put("data", new JsonObject().put("object", new JsonObject().put("id", "pi_1").put("amount", 2000)))
      .put("items", new JsonArray().add("a").add("b")).put("a/b", "slash");

  @Test
  void aHeaderNameIsMatchedWithoutCase() {
    FieldSelector selector = FieldSelector.parse("X-GitHub-Delivery");
    assertTrue(selector.isHeader());
    assertEquals("x-github-delivery", selector.headerName());
    assertEquals("d-1", selector.find(Map.of("x-github-delivery", "d-1"), STRIPE));
    assertEquals("d-2", selector.find(new JsonObject().put("X-GitHub-Delivery", "d-2"), STRIPE));
    assertSame(FieldSelector.ABSENT, selector.find(Map.of("other", "x"), STRIPE));
  }

  @Test
  void aPointerReadsTheJsonPayload() {
    assertEquals("evt_1", FieldSelector.parse("/id").find(Map.of(), STRIPE));
    assertEquals(2000, FieldSelector.parse("/data/object/amount").find(Map.of(), STRIPE));
    assertEquals("b", FieldSelector.parse("/items/1").find(Map.of(), STRIPE));
    assertEquals("slash", FieldSelector.parse("/a~1b").find(Map.of(), STRIPE));
    assertEquals("2000", FieldSelector.text(FieldSelector.parse("/data/object/amount").find(Map.of(), STRIPE)));
    assertEquals("false", FieldSelector.text(FieldSelector.parse("/livemode").find(Map.of(), STRIPE)));
    assertEquals("{\"id\":\"pi_1\",\"amount\":2000}", FieldSelector.text(FieldSelector.parse("/data/object").find(Map.of(), STRIPE)));
  }

  @Test
  void aJsonNullIsPresentButHasNoText() {
    FieldSelector selector = FieldSelector.parse("/request");
    assertNull(selector.find(Map.of(), STRIPE));
    assertNull(FieldSelector.text(null));
    assertSame(FieldSelector.ABSENT, FieldSelector.parse("/missing").find(Map.of(), STRIPE));
    assertSame(FieldSelector.ABSENT, FieldSelector.parse("/data/missing/deeper").find(Map.of(), STRIPE));
    assertNull(FieldSelector.text(FieldSelector.ABSENT));
  }

  @Test
  void aBlobOrAStringHasNoPointerValues() {
    assertSame(FieldSelector.ABSENT, FieldSelector.parse("/id").find(Map.of(), Buffer.buffer("{\"id\":1}")));
    assertSame(FieldSelector.ABSENT, FieldSelector.parse("/id").find(Map.of(), "text"));
    assertSame(FieldSelector.ABSENT, FieldSelector.parse("/id").find(new JsonObject(), null));
  }

  @Test
  void badSelectorsAreRefusedWithAReason() {
    assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse(""));
    assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse(null));
    assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse("X Bad Header"));
    assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse("/" + "a".repeat(FieldSelector.MAX_LENGTH)));
    assertFalse(FieldSelector.parse(" /id ").isHeader());
    assertEquals("/id", FieldSelector.parse(" /id ").toString());
  }

  @Test
  void aMissAtAPointerDoesNotChangeTheSelector() {
    FieldSelector id = FieldSelector.parse("/id");
    JsonObject without = new JsonObject().put("type", "payment_intent.succeeded");
    assertSame(FieldSelector.ABSENT, id.find(Map.of(), without));
    assertSame(FieldSelector.ABSENT, id.find(Map.of(), without), "the second miss is a miss too, not the whole payload");
    assertEquals("evt_1", id.find(Map.of(), new JsonObject().put("id", "evt_1")));
  }

  @Test
  void selectorsOfTheSameTextAreEqualSoAReloadedSpecIsUnchanged() {
    assertEquals(FieldSelector.parse("/data/id"), FieldSelector.parse(" /data/id "));
    assertEquals(FieldSelector.parse("/data/id").hashCode(),
        FieldSelector.parse("/data/id").hashCode());
    assertNotEquals(FieldSelector.parse("/data/id"), FieldSelector.parse("X-Id"));
  }
}
