package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The circuit of one target as plain logic on a fake clock (issue 16, point 4). */
class CircuitTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Circuit circuit = new Circuit("default_target", CircuitSettings.DEFAULT, now::get);

  @Test
  void opensAfterTheThresholdOfFailuresInARowAndASuccessResetsTheCount() {
    for (int i = 0; i < 4; i++) {
      assertFalse(circuit.failed());
    }
    assertFalse(circuit.succeeded(), "closed: a success only resets the count");
    assertTrue(circuit.allows());
    assertEquals(0, circuit.failuresInARow());
    for (int i = 0; i < 4; i++) {
      assertFalse(circuit.failed());
    }
    assertTrue(circuit.allows());
    assertTrue(circuit.failed(), "the fifth failure in a row opens it");
    assertEquals(Circuit.State.OPEN, circuit.state());
    assertFalse(circuit.allows());
    assertEquals(1_000_000, circuit.openedAt());
    assertEquals(1, circuit.timesOpened());
    assertFalse(circuit.failed(), "a delivery that started before it opened does not open it again");
  }

  @Test
  void probesFollowTheCurveOneSecondDoublingToSixtyAndTheSinceTimeStays() {
    openIt();
    List<Long> waits = new ArrayList<>();
    for (int probe = 0; probe < 10; probe++) {
      long due = circuit.nextProbeAt();
      waits.add(due - now.get());
      now.set(due - 1);
      assertFalse(circuit.probeDue(), "not before its time");
      now.set(due);
      assertTrue(circuit.probeDue());
      circuit.startProbe();
      assertEquals(Circuit.State.PROBING, circuit.state());
      assertFalse(circuit.probeDue(), "one probe at a time");
      assertEquals(-1, circuit.nextProbeAt());
      assertFalse(circuit.failed());
    }
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L, 60000L, 60000L), waits);
    assertEquals(10, circuit.probesSent());
    assertEquals(1_000_000, circuit.openedAt(), "open since the first opening, across failed probes");
    assertEquals(1, circuit.timesOpened());
  }

  @Test
  void aProbeThatSucceedsClosesItAndTheNextOpeningStartsTheCurveAgain() {
    openIt();
    now.addAndGet(1000);
    circuit.startProbe();
    circuit.failed();
    now.addAndGet(2000);
    circuit.startProbe();
    assertTrue(circuit.succeeded(), "the probe closed it");
    assertEquals(Circuit.State.CLOSED, circuit.state());
    assertTrue(circuit.allows());
    assertEquals(-1, circuit.openedAt());
    openIt();
    assertEquals(1000, circuit.nextProbeAt() - now.get(), "back to the first step");
    assertEquals(2, circuit.timesOpened());
  }

  @Test
  void aDeliveryThatStartedBeforeItOpenedAndSucceedsClosesIt() {
    openIt();
    assertTrue(circuit.succeeded(), "the target is up after all");
    assertEquals(Circuit.State.CLOSED, circuit.state());
    assertEquals(0, circuit.probesSent());
  }

  @Test
  void anAbandonedProbeWaitsAgainWithoutLengtheningTheWait() {
    openIt();
    now.addAndGet(1000);
    circuit.startProbe();
    circuit.failed(); // next wait 2 s
    now.addAndGet(2000);
    circuit.startProbe();
    circuit.probeAbandoned();
    assertEquals(Circuit.State.OPEN, circuit.state());
    assertEquals(2000, circuit.nextProbeAt() - now.get());
  }

  @Test
  void aProbeOnlyWhenOpen() {
    assertThrows(IllegalStateException.class, circuit::startProbe);
  }

  @Test
  void settingsShapeTheCurveAndTheThreshold() {
    Circuit quick = new Circuit("targets.a", new CircuitSettings(1, 0.5, 2, 3), now::get);
    assertTrue(quick.failed());
    assertEquals(500, quick.nextProbeAt() - now.get());
    now.set(quick.nextProbeAt());
    quick.startProbe();
    quick.failed();
    assertEquals(1500, quick.nextProbeAt() - now.get());
    now.set(quick.nextProbeAt());
    quick.startProbe();
    quick.failed();
    assertEquals(2000, quick.nextProbeAt() - now.get(), "capped");
  }

  private void openIt() {
    for (int i = 0; i < CircuitSettings.DEFAULT.failureThreshold(); i++) {
      circuit.failed();
    }
    assertEquals(Circuit.State.OPEN, circuit.state());
  }
}
