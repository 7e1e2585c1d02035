package io.cwm.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.RabbitNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault suite (issue 20): real receiver and connector processes from the built jar, the
 * buffer on a service of the suite's own, a target that records every delivery and a loader
 * that records exactly which webhooks got a 200; then a fault, with real signals. Every
 * scenario runs on the embedded, Redis and RabbitMQ buffers. A webhook answered 200 that never
 * reaches the target fails the build, named with its run and the logs to read; duplicates
 * (at-least-once) and refusals are reported. The table goes to {@code target/faults/report.md}.
 *
 * <p>Size: {@code -Dfaults.size=N} webhooks per run (default 5,000; {@code large} = 100,000, with
 * a 60 s target outage instead of 20 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
  private static final boolean LARGE = "large".equals(System.getProperty("faults.size"));
  private static final int SIZE = LARGE ? 100_000 : Integer.getInteger("faults.size", 5_000);
  private static final long OUTAGE_MILLIS = (LARGE ? 60 : Integer.getInteger("faults.outage.seconds", 20)) * 1000L;
  private static final long DELIVERY_DEADLINE_MILLIS = LARGE ? 900_000 : 180_000;
  private static final Path REPORT = Path.of("target", "faults", "report.md");

  private final List<Verdict> verdicts = new ArrayList<>();
  private Path root;

  @BeforeAll
  void startServices() throws Exception {
    root = Files.createDirectories(Path.of("target", "faults", "runs").toAbsolutePath());
    Backend.EMBEDDED.start();
    Backend.REDIS.start();
    if (RabbitNode.available()) {
      Backend.RABBITMQ.start();
    }
  }

  @AfterAll
  void report() throws Exception {
    StringBuilder table = new StringBuilder("# Fault suite\n\n")
        .append(SIZE).append(" webhooks per run; target outage ").append(OUTAGE_MILLIS / 1000).append(" s. ")
        .append("lost = answered 200 but never delivered (must be 0).\n\n").append(Verdict.HEADER);
    verdicts.forEach(verdict -> table.append(verdict.row()));
    Files.writeString(REPORT, table.toString());
    System.out.println(table);
    for (Backend backend : Backend.values()) {
      backend.stop();
    }
  }

  private Run run(String scenario, Backend backend, String channelSettings) throws Exception {
    Assumptions.assumeTrue(backend != Backend.RABBITMQ || RabbitNode.available(), "no RabbitMQ installation here");
    return new Run(scenario, backend, SIZE, root, channelSettings);
  }

  /** Records the verdict and fails on a lost webhook (naming it) or an unexpected dead letter. */
  private void judge(Run run, Verdict verdict) {
    verdicts.add(verdict);
    System.out.print(Verdict.HEADER + verdict.row());
    assertTrue(verdict.lost().isEmpty(), () -> run.scenario + " on " + run.backend.label() + ": " + verdict.lost().size()
        + " webhook(s) answered 200 and never delivered, e.g. " + verdict.lost().subList(0, Math.min(10,
        verdict.lost().size())) + "; logs: " + verdict.logs());
    assertEquals(0, verdict.deadLetters(), () -> run.scenario + " on " + run.backend.label()
        + ": dead letters where the fault causes none; logs: " + verdict.logs());
    assertTrue(verdict.accepted() > 0, "the loader got some 200s");
  }

  /** Receiver and connector up and the loader posting, until a {@code 1/divisor} share is delivered. */
  private static void flowing(Run run, int divisor) throws Exception {
    run.startReceiver();
    run.startConnector();
    run.loader.post("relay", SIZE);
    Run.await(120_000, () -> run.target.unique() >= SIZE / divisor, "1/" + divisor + " delivered");
  }

  /** The fault is over: waits for every accepted webhook to arrive and judges the run. */
  private void faultOver(Run run) throws Exception {
    run.target.markFaultEnd();
    judge(run, run.verdict(DELIVERY_DEADLINE_MILLIS));
  }

  @Order(1)
  @ParameterizedTest(name = "receiver kill -9 during ingest, restart on the same data: {0}")
  @EnumSource(Backend.class)
  void receiverKilledDuringIngest(Backend backend) throws Exception {
    try (Run run = run("receiver-kill", backend, "")) {
      run.startReceiver();
      run.startConnector();
      run.loader.post("relay", SIZE);
      Run.await(120_000, () -> run.loader.accepted().size() >= SIZE / 3, "a third accepted");
      run.receiver.kill9();
      run.startReceiver();
      faultOver(run);
    }
  }

  @Order(2)
  @ParameterizedTest(name = "connector kill -9 during a drain: {0}")
  @EnumSource(Backend.class)
  void connectorKilledDuringDrain(Backend backend) throws Exception {
    try (Run run = run("connector-kill", backend, "")) {
      run.startReceiver();
      run.loader.post("relay", SIZE);
      run.loader.awaitDone(300_000);
      run.startConnector();
      Run.await(120_000, () -> run.target.unique() >= run.loader.accepted().size() / 3, "a third delivered");
      run.connector.kill9();
      run.startConnector();
      faultOver(run);
    }
  }

  @Order(3)
  @ParameterizedTest(name = "connector SIGSTOP past the heartbeat timeout, then SIGCONT: {0}")
  @EnumSource(Backend.class)
  void connectorFrozenPastTheHeartbeatTimeout(Backend backend) throws Exception {
    try (Run run = run("connector-sigstop", backend, "\"heartbeat_interval_seconds\": 1")) {
      flowing(run, 4);
      run.connector.stop();
      // the receiver evicts the silent session (no heartbeat for 3 intervals) and frees its messages
      Run.await(30_000, () -> {
        JsonObject stats = run.stats();
        return stats != null && stats.getInteger("connected_clients", -1) == 0;
      }, "the frozen connector's session evicted");
      run.connector.resume();
      faultOver(run);
    }
  }

  @Order(5)
  @ParameterizedTest(name = "buffer service kill -9 during ingest and delivery, restart: {0}")
  @EnumSource(value = Backend.class, names = {"REDIS", "RABBITMQ"})
  void bufferServiceKilled(Backend backend) throws Exception {
    try (Run run = run("buffer-kill", backend, "")) {
      run.startReceiver();
      run.startConnector();
      run.loader.post("relay", SIZE);
      Run.await(120_000, () -> run.loader.accepted().size() >= SIZE / 3, "a third accepted");
      backend.kill9();
      // the receiver notices: /ready answers 503 (buffer unreachable) and ingest refuses
      Run.await(30_000, () -> !run.ready(), "the receiver sees its buffer gone");
      backend.restart();
      Run.await(60_000, run::ready, "the receiver back on its buffer");
      faultOver(run);
    }
  }

  @Order(4)
  @ParameterizedTest(name = "target answers 503, then recovers: {0}")
  @EnumSource(Backend.class)
  void targetOutage(Backend backend) throws Exception {
    try (Run run = run("target-503", backend, "")) {
      flowing(run, 4);
      long recovers = System.currentTimeMillis() + OUTAGE_MILLIS;
      run.target.outage(OUTAGE_MILLIS);
      Run.await(OUTAGE_MILLIS + 10_000, () -> System.currentTimeMillis() >= recovers, "the outage's end");
      faultOver(run);
    }
  }
}
