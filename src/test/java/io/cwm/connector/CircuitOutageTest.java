package io.cwm.connector;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16, point 4, end to end and short ({@link CircuitOutageCase}): the target is down 15 s
 * ({@code -Dcwm.circuit.outage.seconds}) under load, on each transport, on the embedded buffer;
 * {@code RedisCircuitOutageTest} and {@code RabbitMqCircuitOutageTest} run it on the other two.
 */
public class CircuitOutageTest extends CircuitOutageCase {
  @ParameterizedTest(name = "{0}, target {1}")
  @CsvSource({"websocket, refused", "sse, http_503", "long_poll, refused"})
  protected void aTargetDownUnderLoadDeadLettersNothingAndGetsEverythingAfter(String protocol, String failure)
      throws Exception {
    new Scenario(protocol, failure.equals("refused")).run();
  }
}
