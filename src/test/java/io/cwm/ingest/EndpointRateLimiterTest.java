package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EndpointRateLimiterTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
  private final EndpointRateLimiter limiter = new EndpointRateLimiter(3, clock);

  @Test
  void requestsUpToTheLimitAreAllowed() {
    assertTrue(limiter.allow("203.0.113.5"));
    assertTrue(limiter.allow("203.0.113.5"));
    assertTrue(limiter.allow("203.0.113.5"));
  }

  @Test
  void requestOverTheLimitInTheSameMinuteIsRefused() {
    for (int i = 0; i < 3; i++) {
      limiter.allow("203.0.113.5");
    }
    clock.advance(Duration.ofSeconds(59));
    assertFalse(limiter.allow("203.0.113.5"));
  }

  @Test
  void refusedRequestsDoNotExtendTheWindow() {
    for (int i = 0; i < 10; i++) {
      limiter.allow("203.0.113.5");
    }
    clock.advance(Duration.ofMinutes(1));
    assertTrue(limiter.allow("203.0.113.5"));
  }

  @Test
  void eachClientHasItsOwnWindow() {
    for (int i = 0; i < 3; i++) {
      limiter.allow("203.0.113.5");
    }
    assertTrue(limiter.allow("198.51.100.7"));
    assertFalse(limiter.allow("203.0.113.5"));
  }

  @Test
  void windowIsTheCalendarMinute() {
    clock.advance(Duration.ofSeconds(59));
    for (int i = 0; i < 3; i++) {
      limiter.allow("203.0.113.5");
    }
    clock.advance(Duration.ofSeconds(1));
    assertTrue(limiter.allow("203.0.113.5"));
  }

  @Test
  void newWindowStartsAFreshCount() {
    for (int i = 0; i < 3; i++) {
      limiter.allow("203.0.113.5");
    }
    clock.advance(Duration.ofMinutes(5));
    assertTrue(limiter.allow("203.0.113.5"));
    assertTrue(limiter.allow("203.0.113.5"));
    assertTrue(limiter.allow("203.0.113.5"));
    assertFalse(limiter.allow("203.0.113.5"));
  }

  @Test
  void limitIsReported() {
    assertEquals(3, limiter.limit());
  }

  @Test
  void zeroLimitRefusesEverything() {
    assertFalse(new EndpointRateLimiter(0, clock).allow("203.0.113.5"));
  }
}
