package io.cwm.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryCurveTest {

  @Test
  void delaysGrowByTheMultiplierFromTheInitialDelay() {
    RetryCurve curve = RetryCurve.ofMillis(500, 2, 60_000);
    List<Long> delays = new ArrayList<>();
    for (int attempt = 0; attempt < 5; attempt++) {
      delays.add(curve.delayMillis(attempt));
    }
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L), delays);
  }

  @Test
  void delaysStopAtTheCap() {
    RetryCurve curve = RetryCurve.ofSeconds(1, 2, 60);
    assertEquals(32_000, curve.delayMillis(5));
    assertEquals(60_000, curve.delayMillis(6));
    assertEquals(60_000, curve.delayMillis(1_000_000)); // the power overflows to infinity: still the cap
  }

  @Test
  void secondsAreReadAsMillisecondsAndFractionsRounded() {
    RetryCurve curve = RetryCurve.ofSeconds(0.25, 1.5, 60);
    assertEquals(250, curve.delayMillis(0));
    assertEquals(375, curve.delayMillis(1));
    assertEquals(570, RetryCurve.ofSeconds(0.57, 2, 60).delayMillis(0)); // 0.57 × 1000 is 569.99…
  }

  @Test
  void aMultiplierBelowOneShrinksTheDelays() {
    RetryCurve curve = RetryCurve.ofSeconds(1, 0.5, 60);
    assertEquals(1000, curve.delayMillis(0));
    assertEquals(500, curve.delayMillis(1));
  }

  @Test
  void aNegativeAttemptCountsAsTheFirst() {
    assertEquals(1000, RetryCurve.ofSeconds(1, 2, 60).delayMillis(-3));
  }

  @Test
  void aZeroInitialDelayStaysZero() {
    assertEquals(0, RetryCurve.ofSeconds(0, 2, 60).delayMillis(5));
  }

  @Test
  void jitterAddsUpToItsFractionOnTopOfTheCappedDelay() {
    RetryCurve curve = RetryCurve.ofSeconds(1, 2, 60).withJitter(0.3);
    assertEquals(1000, curve.delayMillis(0, 0));
    assertEquals(1300, curve.delayMillis(0, 1));
    assertEquals(2600, curve.delayMillis(1, 1));
    assertEquals(78_000, curve.delayMillis(10, 1));
  }

  @Test
  void randomJitterStaysWithinItsBand() {
    RetryCurve curve = RetryCurve.ofMillis(1000, 2, 4000).withJitter(0.3);
    for (int i = 0; i < 1000; i++) {
      long first = curve.delayMillis(0);
      assertTrue(first >= 1000 && first <= 1300, "first delay " + first);
      long capped = curve.delayMillis(20);
      assertTrue(capped >= 4000 && capped <= 5200, "capped delay " + capped);
    }
  }

  @Test
  void withoutJitterEveryDelayIsTheCurve() {
    RetryCurve curve = RetryCurve.ofMillis(100, 3, 10_000);
    for (int i = 0; i < 100; i++) {
      assertEquals(900, curve.delayMillis(2));
    }
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RetryCurve.ofMillis(-1, 2, 100));
    assertThrows(IllegalArgumentException.class, () -> RetryCurve.ofMillis(Double.NaN, 2, 100));
    assertThrows(IllegalArgumentException.class, () -> RetryCurve.ofMillis(1, 0, 100));
    assertThrows(IllegalArgumentException.class, () -> RetryCurve.ofMillis(1, 2, -5));
    assertThrows(IllegalArgumentException.class, () -> RetryCurve.ofMillis(1, 2, 100).withJitter(1.5));
  }
}
