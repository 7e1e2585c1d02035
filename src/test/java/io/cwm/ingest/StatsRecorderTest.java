package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cwm.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatsRecorderTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
  private final StatsRecorder stats = new StatsRecorder(clock);

  private JsonObject counters(String id) {
    return stats.snapshot().getJsonObject(id);
  }

  private static JsonObject expected(long total, long minute, long five, long fifteen, long thirty, long hour,
      long day, long week, long month) {
    return new JsonObject().put("total", total).put("minute", minute).put("5_minutes", five)
        .put("15_minutes", fifteen).put("30_minutes", thirty).put("hour", hour).put("day", day)
        .put("week", week).put("month", month);
  }

  @Test
  void emptyRecorderHasNoIds() {
    assertEquals(new JsonObject(), stats.snapshot());
  }

  @Test
  void requestsCountInEveryWindow() {
    stats.record("github");
    stats.record("github");

    assertEquals(expected(2, 2, 2, 2, 2, 2, 2, 2, 2), counters("github"));
  }

  @Test
  void eachIdHasItsOwnCounters() {
    stats.record("github");
    stats.record("stripe");
    stats.record("stripe");

    assertEquals(1, counters("github").getLong("total"));
    assertEquals(2, counters("stripe").getLong("total"));
  }

  @Test
  void nextMinuteLeavesTheMinuteWindow() {
    stats.record("github");
    clock.advance(Duration.ofSeconds(60));

    assertEquals(expected(1, 0, 1, 1, 1, 1, 1, 1, 1), counters("github"));
  }

  @Test
  void sixMinutesLaterOnlyTheWiderWindowsCount() {
    stats.record("github");
    clock.advance(Duration.ofMinutes(6));

    assertEquals(expected(1, 0, 0, 1, 1, 1, 1, 1, 1), counters("github"));
  }

  @Test
  void anHourLaterOnlyDayWeekMonthAndTotalCount() {
    stats.record("github");
    clock.advance(Duration.ofMinutes(60));

    assertEquals(expected(1, 0, 0, 0, 0, 0, 1, 1, 1), counters("github"));
  }

  @Test
  void aMinuteSlotReusedAnHourLaterStartsFromZero() {
    stats.record("github");
    stats.record("github");
    clock.advance(Duration.ofMinutes(60));
    stats.record("github");

    assertEquals(expected(3, 1, 1, 1, 1, 1, 3, 3, 3), counters("github"));
  }

  @Test
  void aDayLaterOnlyWeekMonthAndTotalCount() {
    stats.record("github");
    clock.advance(Duration.ofHours(24));

    assertEquals(expected(1, 0, 0, 0, 0, 0, 0, 1, 1), counters("github"));
  }

  @Test
  void eightDaysLaterOnlyMonthAndTotalCount() {
    stats.record("github");
    clock.advance(Duration.ofDays(8));

    assertEquals(expected(1, 0, 0, 0, 0, 0, 0, 0, 1), counters("github"));
  }

  @Test
  void thirtyOneDaysLaterOnlyTheTotalCounts() {
    stats.record("github");
    clock.advance(Duration.ofDays(31));

    assertEquals(expected(1, 0, 0, 0, 0, 0, 0, 0, 0), counters("github"));
  }

  @Test
  void numberOfTrackedIdsIsCapped() {
    for (int i = 0; i < 10_000; i++) {
      stats.record("hook-" + i);
    }
    stats.record("one-too-many");
    stats.record("hook-0");

    JsonObject snapshot = stats.snapshot();
    assertEquals(10_000, snapshot.size());
    assertNull(snapshot.getJsonObject("one-too-many"));
    assertEquals(2, snapshot.getJsonObject("hook-0").getLong("total"));
  }
}
