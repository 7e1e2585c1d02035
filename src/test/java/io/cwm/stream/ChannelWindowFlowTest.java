package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ChannelSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 16: a session's window as its connector asks for it (pure, fixed clock). */
class ChannelWindowFlowTest {
  private final ChannelSpec spec = new ChannelSpec("orders", "token",
      Map.of("wh", new ChannelSpec.Queue("wh", 3600, 100)), 10, 4, 120, 30, 10);
  private final ChannelWindow window = new ChannelWindow(spec,
      Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC));

  private Session session() {
    Session session = window.newSession("c1", "laptop", "websocket", "127.0.0.1");
    window.add(session);
    return session;
  }

  @Test
  void zeroPausesAndHandsBackWhatTheSessionHoldsOneLetsOneThroughNullRestores() {
    Session session = session();
    session.inFlight.put("m1", new Session.InFlight(Long.MAX_VALUE, 0));
    session.inFlight.put("m2", new Session.InFlight(Long.MAX_VALUE, 0));
    assertEquals(2, session.room(spec.maxInFlight()));

    JsonArray report = new JsonArray().add(new JsonObject().put("target", "default_target").put("state", "open")
        .put("since", "2026-12-07T09:59:00Z").put("probes", 2).put("secret", "x"));
    assertEquals(Set.of("m1", "m2"), window.flow(session, 0, report));
    assertTrue(session.inFlight.isEmpty());
    assertEquals(0, session.room(spec.maxInFlight()), "paused");
    assertEquals(1, window.pausedCount());
    JsonObject view = session.toJson();
    assertTrue(view.getBoolean("paused"));
    assertEquals(0, view.getJsonObject("flow").getInteger("max_in_flight"));
    assertEquals(new JsonObject().put("target", "default_target").put("state", "open")
        .put("since", "2026-12-07T09:59:00Z").put("probes", 2L),
        view.getJsonObject("flow").getJsonArray("circuits").getJsonObject(0), "only the known fields are kept");
    assertTrue(view.getJsonObject("flow").getString("since").startsWith("2026-12-07T10:00:00"), view::encode);
    assertTrue(window.mostFreeSlots() == null, "no lease for a paused session");

    assertEquals(Set.of(), window.flow(session, 1, report));
    assertEquals(1, session.room(spec.maxInFlight()), "one at a time");
    assertEquals(0, window.pausedCount());
    assertFalse(session.toJson().getBoolean("paused"));

    assertEquals(Set.of(), window.flow(session, null, null));
    assertEquals(4, session.room(spec.maxInFlight()));
    assertNull(session.toJson().getValue("flow"));
  }

  @Test
  void aLongReportIsCut() {
    JsonArray many = new JsonArray();
    for (int i = 0; i < 40; i++) {
      many.add(new JsonObject().put("target", "t".repeat(500)));
    }
    JsonArray kept = ChannelWindow.report(many);
    assertEquals(ChannelWindow.MAX_REPORTED_CIRCUITS, kept.size());
    assertEquals(ChannelWindow.MAX_REPORTED_TEXT, kept.getJsonObject(0).getString("target").length());
  }
}
