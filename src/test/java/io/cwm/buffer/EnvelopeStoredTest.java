package io.cwm.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The stored JSON spliced from a head encoded elsewhere is exactly what toJson writes. */
class EnvelopeStoredTest {
  private static Envelope envelope(Object payload) {
    return Envelope.create("payments", "stripe", new JsonObject().put("content-type", "application/json")
        .put("x-note", "caf\u00e9 \"quoted\" \u2603"), payload, Instant.parse("2026-12-06T20:00:00Z"), 3600);
  }

  @Test
  void splicedJsonIsByteForByteTheEncodedEnvelope() {
    for (Object payload : new Object[] {new JsonObject().put("id", "evt_1").put("amount", 12.5),
        new JsonArray().add(1).add("two"), "plain text \u00e9", Buffer.buffer(new byte[] {0, 1, (byte) 0xff}),
        new JsonObject()}) {
      Envelope envelope = envelope(payload);
      for (long sequence : new long[] {1, 42, Long.MAX_VALUE}) {
        String spliced = new String(Envelope.stored(envelope.storedHead(), sequence), StandardCharsets.UTF_8);
        assertEquals(envelope.withSequence(sequence).toJson().encode(), spliced);
        Envelope read = Envelope.fromJson(new JsonObject(spliced));
        assertEquals(sequence, read.sequence());
        assertEquals(envelope.messageId(), read.messageId());
        assertEquals(0, read.deliveryCount());
      }
    }
  }

  @Test
  void theLongestSpliceStaysWithinTheExtraBytes() {
    byte[] head = envelope(new JsonObject()).storedHead();
    assertEquals(head.length + Envelope.STORED_EXTRA_BYTES - 1, Envelope.stored(head, Long.MAX_VALUE).length);
  }
}
