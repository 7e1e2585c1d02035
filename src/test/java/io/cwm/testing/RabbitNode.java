package io.cwm.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of a test's own: {@code rabbitmq-server} (the machine's installation) with its
 * own node name, AMQP and distribution ports, data, log and config directories under a
 * temporary directory, no plugins (so no management port), so a test may kill and restart it
 * while the machine's shared broker on 5672 keeps serving everyone else. The shared epmd is used
 * (and never stopped). {@link #kill()} is {@code kill -9} of the node's beam.smp process;
 * {@link #start()} again uses the same ports and data directory, so durable queues and persistent
 * messages survive. {@link #close()} kills the node and deletes its directory.
 */
public final class RabbitNode implements AutoCloseable {
  /** The installation's scripts, called directly: /usr/sbin's wrappers switch to the rabbitmq user. */
  private static final Path BIN = Path.of(System.getenv().getOrDefault("CWM_TEST_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"));
  private static final long START_TIMEOUT_MILLIS = 90_000;

  private final Path dir;
  private final String nodeName;
  private final int amqpPort;
  private final int distPort;
  private Process wrapper;
  private long beamPid = -1;
  private long acceptedSinceNanos;

  private RabbitNode(Path dir, String nodeName, int amqpPort, int distPort) {
    this.dir = dir;
    this.nodeName = nodeName;
    this.amqpPort = amqpPort;
    this.distPort = distPort;
  }

  /** Whether this machine has a RabbitMQ installation to run a node from. */
  public static boolean available() {
    return Files.isExecutable(BIN.resolve("rabbitmq-server")) && Files.isExecutable(BIN.resolve("rabbitmqctl"));
  }

  /** Prepares a node in a fresh temporary directory and starts it (returns once it accepts AMQP connections). */
  public static RabbitNode start(String label) throws Exception {
    Path dir = Files.createTempDirectory("cwm-rabbit-" + label + "-");
    String nodeName = "cwm-test-" + label + "-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
    int amqpPort = TestServer.freePort();
    int distPort = TestServer.freePort();
    while (distPort == amqpPort) {
      distPort = TestServer.freePort();
    }
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
    Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
    Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
        "listeners.tcp.default = 127.0.0.1:" + amqpPort,
        "loopback_users = none",
        "log.console = false",
        "log.file.level = info",
        ""));
    RabbitNode node = new RabbitNode(dir, nodeName, amqpPort, distPort);
    try {
      node.start();
    } catch (Exception | AssertionError e) {
      node.close();
      throw e;
    }
    return node;
  }

  public int port() {
    return amqpPort;
  }

  public String nodeName() {
    return nodeName;
  }

  /** {@code amqp://guest:guest@127.0.0.1:<port>/} */
  public String url() {
    return "amqp://guest:guest@127.0.0.1:" + amqpPort + "/";
  }

  private Map<String, String> environment() {
    return Map.ofEntries(
        Map.entry("HOME", dir.toString()), // the Erlang cookie of the node and of rabbitmqctl
        Map.entry("RABBITMQ_NODENAME", nodeName),
        Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
        Map.entry("RABBITMQ_NODE_PORT", String.valueOf(amqpPort)),
        Map.entry("RABBITMQ_DIST_PORT", String.valueOf(distPort)),
        Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
        Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
        Map.entry("RABBITMQ_SCHEMA_DIR", dir.resolve("schema").toString()),
        Map.entry("RABBITMQ_GENERATED_CONFIG_DIR", dir.resolve("config").toString()),
        Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
        Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString()),
        Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString()),
        Map.entry("RABBITMQ_PID_FILE", dir.resolve("beam.pid").toString()),
        Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"),
        Map.entry("ERL_FLAGS", "-kernel inet_dist_use_interface {127,0,0,1}"));
  }

  private ProcessBuilder command(String... command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(environment());
    return builder;
  }

  /**
   * Starts the node (again: same ports, same data) and returns once its AMQP port accepts
   * connections and {@code rabbitmqctl await_startup} answered.
   */
  public void start() throws Exception {
    if (wrapper != null && wrapper.isAlive()) {
      throw new IllegalStateException("node " + nodeName + " is running");
    }
    Files.deleteIfExists(dir.resolve("beam.pid"));
    wrapper = command(BIN.resolve("rabbitmq-server").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()))
        .start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!accepts()) {
      if (!wrapper.isAlive()) {
        throw new IllegalStateException("rabbitmq-server " + nodeName + " exited: " + tail("server.out"));
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("rabbitmq-server " + nodeName + " did not open port " + amqpPort + ": "
            + tail("server.out"));
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling the port with a deadline
    }
    acceptedSinceNanos = System.nanoTime();
    String ready = ctl("await_startup", "--timeout", "60");
    beamPid = findBeam().orElseThrow(() -> new IllegalStateException("no beam.smp for " + nodeName + ": " + ready));
  }

  /** When (System.nanoTime) the last {@link #start()} first found the AMQP port accepting connections. */
  public long acceptedSinceNanos() {
    return acceptedSinceNanos;
  }

  /** Whether the node's AMQP port accepts a TCP connection now. */
  public boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", amqpPort), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The node's Erlang VM: the pid file it writes at boot, else the wrapper's beam.smp child. */
  private Optional<Long> findBeam() throws IOException {
    Path pidFile = dir.resolve("beam.pid");
    if (Files.exists(pidFile)) {
      String text = Files.readString(pidFile).trim();
      if (!text.isEmpty()) {
        long pid = Long.parseLong(text);
        if (ProcessHandle.of(pid).map(this::isBeam).orElse(false)) {
          return Optional.of(pid);
        }
      }
    }
    return wrapper.descendants().filter(this::isBeam).map(ProcessHandle::pid).findFirst();
  }

  private boolean isBeam(ProcessHandle process) {
    return process.isAlive() && process.info().command().map(command -> command.endsWith("beam.smp")).orElse(false);
  }

  /** kill -9 of the node's beam.smp; returns once it is gone and the port is closed. */
  public void kill() throws Exception {
    ProcessHandle beam = ProcessHandle.of(beamPid).orElse(null);
    if (beam != null && isBeam(beam)) {
      Process kill = new ProcessBuilder("kill", "-9", String.valueOf(beamPid)).redirectErrorStream(true).start();
      kill.waitFor(10, TimeUnit.SECONDS);
      beam.onExit().get(30, TimeUnit.SECONDS);
    }
    if (wrapper != null) {
      wrapper.waitFor(30, TimeUnit.SECONDS);
      wrapper.destroyForcibly();
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (accepts() && System.currentTimeMillis() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** rabbitmqctl against this node; fails when it exits non-zero. */
  public String ctl(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-n", nodeName));
    command.addAll(List.of(arguments));
    Process process = command(command.toArray(String[]::new)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " did not finish");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + ": " + output);
    }
    return output;
  }

  private String tail(String file) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(file));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  /** Kills the node (if running) and deletes its directory. */
  @Override
  public void close() throws Exception {
    try {
      if (beamPid > 0 || wrapper != null) {
        kill();
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
