package io.cwm.faults;

import io.cwm.testing.TestConnector;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.cwm.testing.TcpProxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One scenario on one buffer: its own directory, receiver and connector processes (from the
 * jar), target, loader and channel. The scenario drives the fault; {@link #verdict} waits for
 * every accepted webhook to reach the target (or the deadline) and says what happened.
 */
final class Run implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(10_000));
  private static final String ADMIN_TOKEN = "faults-admin-token-0123456789";
  private static final HttpClient STATUS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  final String scenario;
  final Backend backend;
  final int size;
  final Path dir;
  final String channel;
  final Target target;
  final Loader loader;
  /** The receivers: one, or a cluster ({@link Setup#receivers}); {@link #receiver} is the first. */
  final List<JarProcess> receivers = new ArrayList<>();
  final List<Integer> ports = new ArrayList<>();
  final JarProcess receiver;
  final JarProcess connector;
  /** Between the connector and the receivers (a balancer over them): partitions cut it. */
  final TcpProxy link;
  /** Between the loader and the receivers when there are several (else the loader posts directly), or null. */
  final TcpProxy edge;
  /** Between the receivers and their buffer service ({@link Setup#bufferProxy}), or null. */
  final TcpProxy bufferLink;
  /** Webhooks the scenario makes undeliverable: they must end as dead letters, and only they. */
  final Set<String> poison = java.util.concurrent.ConcurrentHashMap.newKeySet();

  Run(String scenario, Backend backend, int size, Path root, Setup setup) throws Exception {
    this.scenario = scenario;
    this.backend = backend;
    this.size = size;
    this.dir = fresh(root.resolve(scenario + "-" + backend.label()));
    this.target = new Target();
    this.channel = "faults-" + scenario + "-" + backend.label() + "-" + Long.toHexString(System.nanoTime());
    JsonObject relay = new JsonObject().put("channel", channel).put("channel_token", "tok")
        .put("max_queue_size", Math.max(10_000, size * 2)).put("max_in_flight", 50).put("ack_timeout_seconds", 30)
        .mergeIn(setup.channel());
    Files.writeString(dir.resolve("webhooks.json"), new JsonObject()
        .put("relay", new JsonObject().put("module", "webhook_connect").put("module-config", relay)).encodePrettily());
    bufferLink = setup.bufferProxy() ? new TcpProxy("127.0.0.1", backend.port()) : null;
    int count = setup.receivers();
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(freshPort());
      clusterPorts.add(freshPort());
    }
    for (int i = 0; i < count; i++) {
      receivers.add(receiverProcess(i, count, clusterPorts));
    }
    receiver = receivers.get(0);
    link = new TcpProxy("127.0.0.1", ports);
    edge = count > 1 ? new TcpProxy("127.0.0.1", ports) : null;
    JsonObject connectorJson = new JsonObject().put("cloud_url", "http://127.0.0.1:" + link.port())
        .put("channel", channel).put("token", "tok").put("protocol", "websocket")
        .put("reconnect_delay", 0.2).put("max_reconnect_delay", 2).put("max_concurrent_requests", 20)
        .put("default_target", new JsonObject().put("url", "http://127.0.0.1:" + target.port() + "/sink")
            .put("timeout_seconds", 5).put("retry_max_attempts", 2).put("retry_delay_seconds", 0.2))
        .mergeIn(setup.connector());
    Files.writeString(dir.resolve("connector.json"), connectorJson.encodePrettily());
    connector = new JarProcess(dir, "connector", Map.of(), "connector", "--config", dir.resolve("connector.json").toString());
    loader = new Loader(scenario + "-" + backend.label(), edge != null ? edge.port() : ports.get(0), 16);
  }

  /** Receiver {@code i} of {@code count}: its port, its buffer (maybe through the proxy), its cluster membership. */
  private JarProcess receiverProcess(int i, int count, List<Integer> clusterPorts) {
    Map<String, String> env = new HashMap<>(backend.env(bufferLink != null ? bufferLink.port()
        : backend == Backend.EMBEDDED ? 0 : backend.port()));
    env.put("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN_TOKEN);
    List<String> arguments = new ArrayList<>(List.of("receiver", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--data-dir", dir.resolve("data-" + i).toString(), "--host", "127.0.0.1", "--port", String.valueOf(ports.get(i))));
    if (count > 1) {
      arguments.add("--cluster");
      env.put("CWM_CLUSTER_HOST", "127.0.0.1");
      env.put("CWM_CLUSTER_PORT", String.valueOf(clusterPorts.get(i)));
      env.put("CWM_CLUSTER_NAME", channel);
      env.put("CWM_CLUSTER_MEMBERS", clusterPorts.stream().filter(p -> !p.equals(clusterPorts.get(i)))
          .map(p -> "127.0.0.1:" + p).collect(java.util.stream.Collectors.joining(",")));
    }
    return new JarProcess(dir, count > 1 ? "receiver-" + i : "receiver", env, arguments.toArray(String[]::new));
  }

  /**
   * A free port for a process to listen on later. It comes from below Linux's ephemeral range
   * (32768 and up), where nothing that binds port 0 (the targets and proxies of runs going on at
   * the same time, the JVMs' own sockets) can take it before the process binds it, and no two
   * picks of the suite are the same.
   */
  private static int freshPort() {
    while (true) {
      int port = 20_000 + Math.floorMod(NEXT_PORT.getAndIncrement(), 10_000);
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (java.io.IOException taken) {
        // in use: the next one
      }
    }
  }

  /** The run's directory, emptied of an earlier run's data and logs. */
  private static Path fresh(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  /** Starts every receiver at once and waits until each is ready. */
  void startReceivers() throws Exception {
    for (JarProcess process : receivers) {
      process.start();
    }
    for (int i = 0; i < receivers.size(); i++) {
      awaitReady(i);
    }
  }

  void startReceiver() throws Exception {
    startReceiver(0);
  }

  /** Starts receiver {@code i} and waits until it is ready; fails at once if it exits. */
  void startReceiver(int i) throws Exception {
    receivers.get(i).start();
    awaitReady(i);
  }

  /** Waits until receiver {@code i} is ready; fails at once if it exits. */
  private void awaitReady(int i) throws Exception {
    JarProcess process = receivers.get(i);
    await(60_000, () -> ready(i) || !process.alive(), "receiver " + i + " ready (" + process.log() + ")");
    if (!process.alive()) {
      throw new AssertionError("receiver " + i + " exited at start; see " + process.log());
    }
  }

  void startConnector() throws Exception {
    connector.start();
  }

  /** Whether the first receiver is ready. */
  boolean ready() {
    return ready(0);
  }

  /** Whether receiver {@code i} answers {@code /ready} with 200 (up, its buffer reachable). */
  boolean ready(int i) {
    try {
      return STATUS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(i) + "/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception notYet) {
      return false;
    }
  }

  /** The channel's stats ({@code /connect/status}) from the first receiver alive, or null while none answers. */
  JsonObject stats() {
    JsonObject answer = firstAnswer("/connect/status/" + channel, "tok");
    return answer == null ? null : answer.getJsonObject("stats");
  }

  /** The ids ({@code fault_id} of the payload) of the channel's dead letters, from the admin API, or null. */
  List<String> deadLetterIds() {
    JsonObject answer = firstAnswer("/admin/webhook-connect/channels/" + channel + "/dead-letters?limit=100", ADMIN_TOKEN);
    return answer == null ? null : answer.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .map(letter -> letter.getValue("payload") instanceof JsonObject payload ? payload.getString("fault_id") : null)
        .toList();
  }

  /** The JSON a {@code GET path} (bearer {@code token}) answers with 200 from the first receiver alive, or null. */
  private JsonObject firstAnswer(String path, String token) {
    for (int i = 0; i < receivers.size(); i++) {
      if (!receivers.get(i).alive()) {
        continue;
      }
      try {
        HttpResponse<String> response = STATUS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(i)
            + path)).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return new JsonObject(response.body());
        }
      } catch (Exception notNow) {
        // the next one
      }
    }
    return null;
  }

  /** Lets a fault last {@code millis} (the scenario's clock, checked with a deadline). */
  static void hold(long millis, String what) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    await(millis + 10_000, () -> System.currentTimeMillis() >= end, what);
  }

  static void await(long timeoutMillis, BooleanSupplier condition, String what) throws InterruptedException {
    if (!TestConnector.await(timeoutMillis, condition)) {
      throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
    }
  }

  /**
   * Waits (up to {@code timeoutMillis}) until every webhook the loader got 200 for reached the
   * target, then reports the run.
   */
  Verdict verdict(long timeoutMillis) throws Exception {
    loader.awaitDone(120_000);
    TestConnector.await(timeoutMillis, () -> loader.accepted().stream().allMatch(id -> target.received(id)
        || poison.contains(id)));
    List<String> lost = loader.accepted().stream().filter(id -> !target.received(id) && !poison.contains(id)).sorted()
        .toList();
    JsonObject[] stats = new JsonObject[1];
    // the poison's last delivery may end after the healthy ones arrived
    TestConnector.await(poison.isEmpty() ? 30_000 : timeoutMillis, () -> (stats[0] = stats()) != null
        && stats[0].getLong("messages_dead_lettered", -1L) >= poison.size());
    long deadLetters = stats[0] == null ? -1 : stats[0].getLong("messages_dead_lettered", -1L);
    long end = target.faultEndNanos();
    long first = target.firstAfterMark();
    // the backlog the fault left: the last arrival of a webhook accepted before the fault ended
    long backlog = loader.accepted().stream().filter(id -> loader.acceptedAt(id) < end && target.received(id))
        .mapToLong(target::firstArrival).max().orElse(0);
    return new Verdict(scenario, backend, loader.posted(), loader.accepted().size(),
        (int) loader.accepted().stream().filter(target::received).count(), lost, target.duplicates(),
        loader.refused(), deadLetters, first == 0 || end == Long.MAX_VALUE ? -1 : (first - end) / 1_000_000,
        backlog == 0 || end == Long.MAX_VALUE ? -1 : Math.max(0, backlog - end) / 1_000_000,
        receivers.stream().map(p -> p.log().toString()).collect(java.util.stream.Collectors.joining(", "))
            + ", " + connector.log());
  }

  @Override
  public void close() throws Exception {
    loader.close();
    connector.close();
    for (JarProcess process : receivers) {
      process.close();
    }
    link.close();
    if (edge != null) {
      edge.close();
    }
    if (bufferLink != null) {
      bufferLink.close();
    }
    target.close();
  }
}
