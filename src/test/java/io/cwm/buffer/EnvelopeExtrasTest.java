package io.cwm.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Java-only envelope fields: written only when set, read back from the stored JSON and the frame. */
class EnvelopeExtrasTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void aPlainEnvelopeHasNoExtraFields() {
    Envelope envelope = Envelope.create("ch", "hook", new JsonObject(), new JsonObject().put("n", 1), NOW, 60);
    JsonObject json = envelope.toJson();
    assertFalse(json.containsKey("raw_body") || json.containsKey("dedup_key") || json.containsKey("ordering_key"));
    assertSame(Envelope.Extras.NONE, Envelope.fromJson(json).extras());
  }

  @Test
  void extrasSurviveTheStoredJsonTheSequenceAndTheFrame() {
    byte[] raw = "{ \"n\" : 1 }\r\n".getBytes(StandardCharsets.UTF_8);
    Envelope envelope = Envelope.create("ch", "hook", new JsonObject(), new JsonObject().put("n", 1), NOW, 60)
        .withExtras(Envelope.Extras.NONE.withRawBody(raw).withDedupKey("evt_1").withOrderingKey("cus_9"));
    byte[] stored = Envelope.stored(envelope.storedHead(), 7);
    assertEquals(envelope.withSequence(7).toJson().encode(), new String(stored, StandardCharsets.UTF_8));
    Envelope read = Envelope.fromJson(new JsonObject(new String(stored, StandardCharsets.UTF_8)));
    assertArrayEquals(raw, read.extras().rawBody());
    assertEquals("evt_1", read.extras().dedupKey());
    assertEquals("cus_9", read.withDeliveryCount(2).extras().orderingKey());
    JsonObject frame = read.webhookFrame();
    assertEquals("evt_1", frame.getString("dedup_key"));
    assertArrayEquals(raw, Envelope.fromJson(frame).extras().rawBody());
  }

  @Test
  void aBadRawBodyIsIgnored() {
    JsonObject json = Envelope.create("ch", "hook", new JsonObject(), null, NOW, 60).toJson().put("raw_body", "%%%");
    assertNull(Envelope.fromJson(json).extras().rawBody());
  }
}
