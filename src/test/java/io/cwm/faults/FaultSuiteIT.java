package io.cwm.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.RabbitNode;
import io.cwm.testing.TcpProxy;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault suite (issue 20): real receiver and connector processes from the built jar, the
 * buffer on a service of the suite's own, a target that records every delivery and a loader
 * that records exactly which webhooks got a 200; then a fault, with real signals and a TCP proxy
 * that partitions. Every scenario runs on each buffer it applies to. The runs of scenarios that
 * mostly wait (target outage, partitions, clustered receivers, the poison message) run at the same time, each
 * on its own service, sharing nothing but the CPU ({@code -Dfaults.parallel=false}: one after
 * the other); the others run in turn. A webhook answered 200 that never
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
  private static final long PARTITION_MILLIS = Integer.getInteger("faults.partition.seconds", 30) * 1000L;
  /** Posting rate of the scenarios whose fault lasts a while: the load goes on through it (about 45 s of posting). */
  private static final int PACED_RATE = Math.max(50, SIZE / 45);
  private static final long FLOW_DEADLINE_MILLIS = LARGE ? 600_000 : 120_000;
  private static final long DELIVERY_DEADLINE_MILLIS = LARGE ? 900_000 : 180_000;
  private static final boolean PARALLEL = !"false".equals(System.getProperty("faults.parallel"));
  /** {@code -Dfaults.only=REGEX}: only the runs whose {@code <scenario>-<buffer>} matches (e.g. {@code link-.*-redis}). */
  private static final java.util.regex.Pattern ONLY = System.getProperty("faults.only", "").isBlank() ? null
      : java.util.regex.Pattern.compile(System.getProperty("faults.only"));
  private static final Path REPORT = Path.of("target", "faults", "report.md");
  private static final Set<Backend> ALL = EnumSet.allOf(Backend.class);
  private static final Set<Backend> SERVICES = EnumSet.of(Backend.REDIS, Backend.RABBITMQ);

  private final List<Verdict> verdicts = Collections.synchronizedList(new ArrayList<>());
  private Path root;

  /** The two kinds of network partition ({@link TcpProxy}). */
  enum Partition {
    DROP, BLACK_HOLE;

    void apply(TcpProxy proxy) {
      if (this == DROP) {
        proxy.cut();
      } else {
        proxy.blackHole();
      }
    }

    String label() {
      return this == DROP ? "drop" : "blackhole";
    }
  }

  /** One scenario's body on one buffer. */
  @FunctionalInterface
  interface Scenario {
    void run(Backend backend) throws Exception;
  }

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
        .append(SIZE).append(" webhooks per run; target outage ").append(OUTAGE_MILLIS / 1000).append(" s; partitions ")
        .append(PARTITION_MILLIS / 1000).append(" s; the runs of the scenarios that mostly wait (outage, partitions, clusters, poison) ")
        .append(PARALLEL ? "at the same time" : "in turn")
        .append(". lost = answered 200 but never delivered (must be 0).\n\n").append(Verdict.HEADER);
    List<Verdict> rows = new ArrayList<>(verdicts);
    rows.sort(java.util.Comparator.comparingInt(verdicts::indexOf));
    rows.forEach(verdict -> table.append(verdict.row()));
    Files.writeString(REPORT, table.toString());
    System.out.println(table);
    for (Backend backend : Backend.values()) {
      backend.stop();
    }
  }

  /** One run of a scenario: its label for failures, and its body. */
  private record Job(String label, java.util.concurrent.Callable<Void> body) {}

  /** The jobs of {@code scenario} on each of {@code backends} (RabbitMQ only where the machine has it). */
  private static List<Job> jobs(Set<Backend> backends, Scenario scenario) {
    return backends.stream().filter(b -> b != Backend.RABBITMQ || RabbitNode.available())
        .map(backend -> new Job(backend.label(), () -> {
          scenario.run(backend);
          return null;
        })).toList();
  }

  /** {@link #jobs} for each variant of a scenario (partition kinds, transports). */
  private static <V> List<Job> jobs(List<V> variants, Set<Backend> backends, java.util.function.BiFunction<V, Backend,
      Scenario> scenario) {
    List<Job> all = new ArrayList<>();
    for (V variant : variants) {
      jobs(backends, backend -> scenario.apply(variant, backend).run(backend)).forEach(job ->
          all.add(new Job(variant + " on " + job.label(), job.body())));
    }
    return all;
  }

  /**
   * Runs the jobs one after the other, or all at once when {@code together} (and not {@code
   * -Dfaults.parallel=false}): for scenarios that mostly wait (a partition, a poison message's
   * redeliveries, restarts), whose jobs share nothing but the CPU. Scenarios that load the CPU
   * (ingest at full speed, a drain) run in turn: together they take as long on 2 cores, and their
   * recovery times would measure the machine. Fails with every job's failure.
   */
  private static void runAll(boolean together, List<Job> jobs) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(together && PARALLEL ? Math.max(1, jobs.size()) : 1);
    try {
      List<Future<Void>> runs = new ArrayList<>();
      jobs.forEach(job -> runs.add(threads.submit(job.body())));
      List<String> failures = new ArrayList<>();
      Throwable first = null;
      for (int i = 0; i < runs.size(); i++) {
        try {
          runs.get(i).get();
        } catch (java.util.concurrent.ExecutionException failed) {
          if (failed.getCause() instanceof NotChosen) {
            continue;
          }
          failures.add(jobs.get(i).label() + ": " + failed.getCause());
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

  private Run run(String scenario, Backend backend, Setup setup) throws Exception {
    if (ONLY != null && !ONLY.matcher(scenario + "-" + backend.label()).matches()) {
      throw new NotChosen();
    }
    return new Run(scenario, backend, SIZE, root, setup);
  }

  /** A run that {@code -Dfaults.only} leaves out. */
  private static final class NotChosen extends RuntimeException {
    NotChosen() {
      super(null, null, false, false);
    }
  }

  /** Records the verdict and fails on a lost webhook (naming it) or a dead letter the scenario does not cause. */
  private void judge(Run run, Verdict verdict) {
    verdicts.add(verdict);
    System.out.print(Verdict.HEADER + verdict.row());
    assertTrue(verdict.lost().isEmpty(), () -> run.scenario + " on " + run.backend.label() + ": " + verdict.lost().size()
        + " webhook(s) answered 200 and never delivered, e.g. " + verdict.lost().subList(0, Math.min(10,
        verdict.lost().size())) + "; logs: " + verdict.logs());
    assertEquals(run.poison.size(), verdict.deadLetters(), () -> run.scenario + " on " + run.backend.label()
        + ": dead letters other than the scenario's " + run.poison + "; logs: " + verdict.logs());
    if (!run.poison.isEmpty()) {
      assertEquals(run.poison, Set.copyOf(run.deadLetterIds()), () -> run.scenario + " on " + run.backend.label()
          + ": the dead letters are not the poison alone; logs: " + verdict.logs());
    }
    assertTrue(verdict.accepted() > 0, "the loader got some 200s");
  }

  /**
   * Receivers and connector up (its session open), then the loader posting (at {@code
   * perSecond}, 0: full speed), until a {@code 1/divisor} share is delivered.
   */
  private static void flowing(Run run, int divisor, int perSecond) throws Exception {
    run.startReceivers();
    run.startConnector();
    // the load starts with the connector's session, so a steady load still goes on when the fault
    // comes, however long the JVMs took to start beside the other runs
    Run.await(60_000, () -> {
      JsonObject stats = run.stats();
      return stats != null && stats.getInteger("connected_clients", 0) >= 1;
    }, "the connector's session open");
    run.loader.post("relay", SIZE, perSecond);
    Run.await(FLOW_DEADLINE_MILLIS, () -> run.target.unique() >= SIZE / divisor, "1/" + divisor + " delivered");
  }

  /**
   * Under a steady load, {@code proxy} partitioned ({@code kind}) for the partition's length, then
   * healed. The partition comes once a tenth is delivered (the paced load lasts about 45 s, a
   * tenth takes 4.5 s at its rate): with ten runs at once on 2 cores, a run whose deliveries lag
   * far behind the load must still meet its partition while the load goes on.
   */
  private static void partitioned(Run run, Partition kind, TcpProxy proxy) throws Exception {
    flowing(run, 10, PACED_RATE);
    assertTrue(run.loader.posted() < SIZE, "the load still goes on when the partition begins");
    kind.apply(proxy);
    Run.hold(PARTITION_MILLIS, "the partition's end");
    proxy.restore();
  }

  /** The fault is over: waits for every accepted webhook to arrive and judges the run. */
  private void faultOver(Run run) throws Exception {
    run.target.markFaultEnd();
    judge(run, run.verdict(DELIVERY_DEADLINE_MILLIS));
  }

  @Order(1)
  @Test
  void receiverKilledDuringIngest() throws Exception {
    runAll(false, jobs(ALL, backend -> {
      try (Run run = run("receiver-kill", backend, Setup.DEFAULT)) {
        run.startReceiver();
        run.startConnector();
        run.loader.post("relay", SIZE);
        Run.await(FLOW_DEADLINE_MILLIS, () -> run.loader.accepted().size() >= SIZE / 3, "a third accepted");
        run.receiver.kill9();
        run.startReceiver();
        faultOver(run);
      }
    }));
  }

  @Order(2)
  @Test
  void connectorKilledDuringDrain() throws Exception {
    runAll(false, jobs(ALL, backend -> {
      try (Run run = run("connector-kill", backend, Setup.DEFAULT)) {
        run.startReceiver();
        run.loader.post("relay", SIZE);
        run.loader.awaitDone(300_000);
        run.startConnector();
        Run.await(FLOW_DEADLINE_MILLIS, () -> run.target.unique() >= run.loader.accepted().size() / 3, "a third delivered");
        run.connector.kill9();
        run.startConnector();
        faultOver(run);
      }
    }));
  }

  @Order(3)
  @Test
  void connectorFrozenPastTheHeartbeatTimeout() throws Exception {
    runAll(false, jobs(ALL, backend -> {
      try (Run run = run("connector-sigstop", backend, Setup.DEFAULT.channel("heartbeat_interval_seconds", 1))) {
        flowing(run, 4, 0);
        run.connector.stop();
        // the receiver evicts the silent session (no heartbeat for 3 intervals) and frees its messages
        Run.await(30_000, () -> {
          JsonObject stats = run.stats();
          return stats != null && stats.getInteger("connected_clients", -1) == 0;
        }, "the frozen connector's session evicted");
        run.connector.resume();
        faultOver(run);
      }
    }));
  }

  @Order(4)
  @Test
  void targetOutage() throws Exception {
    runAll(true, jobs(ALL, backend -> {
      try (Run run = run("target-503", backend, Setup.DEFAULT)) {
        flowing(run, 4, 0);
        run.target.outage(OUTAGE_MILLIS);
        Run.hold(OUTAGE_MILLIS, "the outage's end");
        faultOver(run);
      }
    }));
  }

  @Order(5)
  @Test
  void bufferServiceKilled() throws Exception {
    runAll(false, jobs(SERVICES, backend -> {
      try (Run run = run("buffer-kill", backend, Setup.DEFAULT)) {
        run.startReceiver();
        run.startConnector();
        run.loader.post("relay", SIZE);
        Run.await(FLOW_DEADLINE_MILLIS, () -> run.loader.accepted().size() >= SIZE / 3, "a third accepted");
        backend.kill9();
        // the receiver notices: /ready answers 503 (buffer unreachable) and ingest refuses
        Run.await(30_000, () -> !run.ready(), "the receiver sees its buffer gone");
        backend.restart();
        Run.await(60_000, run::ready, "the receiver back on its buffer");
        faultOver(run);
      }
    }));
  }

  @Order(6)
  @Test
  void partitionsConnectorToReceiverAndReceiverToBuffer() throws Exception {
    List<Job> all = new ArrayList<>(jobs(List.of(Partition.values()), ALL, (kind, b) -> backend -> {
      try (Run run = run("link-" + kind.label(), backend, Setup.DEFAULT)) {
        partitioned(run, kind, run.link);
        faultOver(run);
      }
    }));
    all.addAll(jobs(List.of(Partition.values()), SERVICES, (kind, b) -> backend -> {
      try (Run run = run("buffer-" + kind.label(), backend, Setup.DEFAULT.proxiedBuffer())) {
        partitioned(run, kind, run.bufferLink);
        Run.await(60_000, run::ready, "the receiver back on its buffer");
        faultOver(run);
      }
    }));
    runAll(true, all);
  }

  @Order(7)
  @Test
  void clusteredReceiversOneKilledAndThreeRestartedInTurn() throws Exception {
    List<Job> all = new ArrayList<>(jobs(SERVICES, backend -> {
      try (Run run = run("cluster-kill", backend, Setup.DEFAULT.receivers(2))) {
        // the connector's first connection goes to receiver 0 (the balancer's first turn)
        flowing(run, 5, PACED_RATE);
        run.receivers.get(0).kill9();
        faultOver(run);
      }
    }));
    all.addAll(jobs(SERVICES, backend -> {
      try (Run run = run("rolling-restart", backend, Setup.DEFAULT.receivers(3))) {
        flowing(run, 10, PACED_RATE);
        for (int i = 0; i < run.receivers.size(); i++) {
          int exit = run.receivers.get(i).terminate();
          assertEquals(0, exit, "receiver " + i + " exit code after SIGTERM; see " + run.receivers.get(i).log());
          run.startReceiver(i);
        }
        faultOver(run);
      }
    }));
    runAll(true, all);
  }

  @Order(8)
  @Test
  void poisonMessage() throws Exception {
    runAll(true, jobs(List.of("websocket", "sse"), ALL, (protocol, b) -> backend -> {
      Setup setup = Setup.DEFAULT.connector("protocol", protocol).connector("max_message_bytes", 1 << 20);
      try (Run run = run("poison-" + protocol, backend, setup)) {
        flowing(run, 5, PACED_RATE);
        // bigger than the connector takes: every delivery of it breaks the connector's link
        String poison = run.scenario + "-" + backend.label() + "-poison";
        run.poison.add(poison);
        assertEquals(200, run.loader.postOne("relay", poison, 2 << 20), "the poison message accepted");
        faultOver(run);
      }
    }));
  }
}
