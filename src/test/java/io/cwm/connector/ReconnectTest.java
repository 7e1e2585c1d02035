package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReconnectTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  private Reconnect reconnect(double initial, double max, double multiplier, double random) {
    return new Reconnect(initial, max, multiplier, now::get, () -> random);
  }

  @Test
  void doublesFromTheInitialDelayUpToTheMaximumWithJitterOnTop() {
    Reconnect noJitter = reconnect(1, 60, 2, 0);
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(noJitter.nextDelayMillis());
    }
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L), waits);
    Reconnect fullJitter = reconnect(1, 60, 2, 1);
    assertEquals(1300L, fullJitter.nextDelayMillis());
    assertEquals(2600L, fullJitter.nextDelayMillis());
  }

  @Test
  void aConnectionUpForTheStablePeriodStartsTheCurveOver() {
    Reconnect reconnect = reconnect(0.5, 10, 3, 0);
    reconnect.nextDelayMillis();
    reconnect.nextDelayMillis();
    reconnect.connected();
    assertTrue(reconnect.isConnected());
    now.addAndGet(Reconnect.STABLE_MILLIS);
    reconnect.ended();
    assertFalse(reconnect.isConnected());
    assertEquals(500L, reconnect.nextDelayMillis());
    assertEquals(1500L, reconnect.nextDelayMillis());
  }

  @Test
  void aConnectionClosedSoonAfterItOpenedKeepsTheCurveGoing() {
    Reconnect reconnect = reconnect(1, 60, 2, 0);
    reconnect.nextDelayMillis();
    reconnect.connected();
    now.addAndGet(Reconnect.STABLE_MILLIS - 1);
    reconnect.ended();
    assertEquals(2000L, reconnect.nextDelayMillis());
  }

  @Test
  void aDeliveryOnTheConnectionStartsTheCurveOver() {
    Reconnect reconnect = reconnect(1, 60, 2, 0);
    reconnect.nextDelayMillis();
    reconnect.nextDelayMillis();
    reconnect.connected();
    reconnect.delivered();
    reconnect.ended();
    assertEquals(1000L, reconnect.nextDelayMillis());
  }

  @Test
  void aDeliveryWhileNotConnectedChangesNothing() {
    Reconnect reconnect = reconnect(1, 60, 2, 0);
    reconnect.nextDelayMillis();
    reconnect.delivered();
    assertEquals(2000L, reconnect.nextDelayMillis());
  }
}
