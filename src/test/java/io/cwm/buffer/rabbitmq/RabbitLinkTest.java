package io.cwm.buffer.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The reconnect schedule of every RabbitMQ buffer link. */
class RabbitLinkTest {
  @Test
  void retriesAfterHalfASecondDoublingToTwoSecondsForAsLongAsItFails() {
    assertEquals(List.of(500L, 1000L, 2000L, 2000L, 2000L),
        IntStream.rangeClosed(1, 5).mapToObj(failures -> RabbitLink.retryDelayMillis(failures, 0)).toList());
    assertEquals(2000L, RabbitLink.retryDelayMillis(1_000_000, 0), "never longer, however long it lasts");
  }

  @Test
  void jitterAddsUpToAQuarter() {
    assertEquals(625L, RabbitLink.retryDelayMillis(1, 25));
    assertEquals(2500L, RabbitLink.retryDelayMillis(9, 25));
  }
}
