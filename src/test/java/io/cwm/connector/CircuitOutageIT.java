package io.cwm.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's own test (failsafe): the local target is down for ten minutes under load
 * ({@code -Dcwm.circuit.outage.seconds}, 600 by default), with the default circuit (opens after 5
 * failures in a row, probes after 1 s doubling to 60 s): nothing is dead-lettered, everything
 * arrives after, and the connector's probes stay within one per step of the curve (about 15 in ten
 * minutes). The three transports run at once, each with its own receiver, connector and target
 * (they mostly wait); WebSocket and long-poll see connection refused, SSE a 503.
 */
class CircuitOutageIT extends CircuitOutageCase {
  @Override
  protected CircuitSettings settings() {
    return CircuitSettings.DEFAULT;
  }

  @Override
  protected long outageMillis() {
    return (long) (Double.parseDouble(System.getProperty("cwm.circuit.outage.seconds", "600")) * 1000);
  }

  @Override
  protected int loadPerSecond() {
    return 5;
  }

  @Test
  void tenMinutesDownOnEveryTransport() throws Exception {
    List<Scenario> runs = List.of(new Scenario("websocket", true), new Scenario("sse", false),
        new Scenario("long_poll", true));
    ExecutorService threads = Executors.newFixedThreadPool(runs.size());
    try {
      List<Future<Void>> running = new ArrayList<>();
      runs.forEach(run -> running.add(threads.submit(() -> {
        run.run();
        return null;
      })));
      List<String> failures = new ArrayList<>();
      Throwable first = null;
      for (int i = 0; i < running.size(); i++) {
        try {
          running.get(i).get();
        } catch (java.util.concurrent.ExecutionException failed) {
          failures.add(runs.get(i) + ": " + failed.getCause());
          first = first == null ? failed.getCause() : first;
        }
      }
      if (first != null) {
        throw new AssertionError(String.join("\n", failures), first);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
