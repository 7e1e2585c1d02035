package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheInitialDelayUpToTheMaximumWithJitterOnTop() {
    Backoff noJitter = new Backoff(1, 60, 2, () -> 0);
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(noJitter.next());
    }
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L), waits);
    Backoff fullJitter = new Backoff(1, 60, 2, () -> 1);
    assertEquals(1300L, fullJitter.next());
    assertEquals(2600L, fullJitter.next());
  }

  @Test
  void resetStartsOverFromTheInitialDelay() {
    Backoff backoff = new Backoff(0.5, 10, 3, () -> 0);
    backoff.next();
    backoff.next();
    backoff.reset();
    assertEquals(500L, backoff.next());
    assertEquals(1500L, backoff.next());
  }
}
