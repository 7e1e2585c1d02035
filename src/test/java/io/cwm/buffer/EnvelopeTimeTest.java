package io.cwm.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written timestamp format and its fast parse agree with java.time on every input. */
class EnvelopeTimeTest {
  private static final DateTimeFormatter PYTHON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

  @Test
  void formatMatchesTheFormatterAndParseReadsItBack() {
    SplittableRandom random = new SplittableRandom(7);
    long from = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(from, to), random.nextInt(1_000_000) * 1000L);
      String text = Envelope.format(instant);
      assertEquals(PYTHON_TIME.format(instant.atOffset(ZoneOffset.UTC)), text);
      assertEquals(instant, Envelope.parse(text));
    }
  }

  @Test
  void edgesOfDaysAndYearsAndOtherYears() {
    for (String text : new String[] {"2024-02-29T23:59:59.999999+00:00", "2025-01-01T00:00:00.000000+00:00",
        "1970-01-01T00:00:00.000001+00:00"}) {
      assertEquals(text, Envelope.format(Envelope.parse(text)));
    }
    Instant ancient = Instant.parse("0999-12-31T23:59:59Z");
    assertEquals(PYTHON_TIME.format(ancient.atOffset(ZoneOffset.UTC)), Envelope.format(ancient));
  }

  @Test
  void otherShapesGoThroughTheGeneralParser() {
    assertEquals(Instant.parse("2026-12-06T20:22:58Z"), Envelope.parse("2026-12-06T20:22:58Z"));
    assertEquals(Instant.parse("2026-12-06T20:22:58.5Z"), Envelope.parse("2026-12-06T20:22:58.500+00:00"));
    assertEquals(Instant.parse("2026-12-06T18:22:58.000001Z"), Envelope.parse("2026-12-06T20:22:58.000001+02:00"));
  }

  @Test
  void impossibleDatesAndTimesAreNull() {
    for (String text : new String[] {"2026-13-06T20:22:58.000000+00:00", "2026-02-30T20:22:58.000000+00:00",
        "2026-12-06T24:22:58.000000+00:00", "2026-12-06T20:60:58.000000+00:00", "2026-12-06T20:22:60.000000+00:00",
        "2026-12-06T20:22:58.00000x+00:00", "2026-12-0xT20:22:58.000000+00:00", "", "yesterday"}) {
      assertNull(Envelope.parse(text), text);
    }
    assertNull(Envelope.parse(null));
  }
}
