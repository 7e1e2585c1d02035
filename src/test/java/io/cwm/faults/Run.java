package io.cwm.faults;

import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One scenario on one buffer: its own directory, receiver and connector processes (from the
 * jar), target, loader and channel. The scenario drives the fault; {@link #verdict} waits for
 * every accepted webhook to reach the target (or the deadline) and says what happened.
 */
final class Run implements AutoCloseable {
  private static final HttpClient STATUS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  final String scenario;
  final Backend backend;
  final int size;
  final Path dir;
  final int port;
  final String channel;
  final Target target;
  final Loader loader;
  final JarProcess receiver;
  final JarProcess connector;

  /**
   * @param channelSettings extra {@code module-config} keys of the channel (JSON members, may be empty)
   */
  Run(String scenario, Backend backend, int size, Path root, String channelSettings) throws Exception {
    this.scenario = scenario;
    this.backend = backend;
    this.size = size;
    this.dir = fresh(root.resolve(scenario + "-" + backend.label()));
    this.target = new Target();
    int free = TestServer.freePort();
    while (free == target.port()) { // the target bound port 0 after freePort released its pick
      free = TestServer.freePort();
    }
    this.port = free;
    this.channel = "faults-" + scenario + "-" + backend.label() + "-" + Long.toHexString(System.nanoTime());
    Files.writeString(dir.resolve("webhooks.json"), """
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "%s", "channel_token": "tok",
          "max_queue_size": %d, "max_in_flight": 50, "ack_timeout_seconds": 30%s}}}"""
        .formatted(channel, Math.max(10_000, size * 2), channelSettings.isEmpty() ? "" : ", " + channelSettings));
    Files.writeString(dir.resolve("connector.json"), """
        {"cloud_url": "http://127.0.0.1:%d", "channel": "%s", "token": "tok", "protocol": "websocket",
         "reconnect_delay": 0.2, "max_reconnect_delay": 2, "max_concurrent_requests": 20,
         "default_target": {"url": "http://127.0.0.1:%d/sink", "timeout_seconds": 5,
                            "retry_max_attempts": 2, "retry_delay_seconds": 0.2}}""".formatted(port, channel, target.port()));
    Map<String, String> env = new HashMap<>(backend.env());
    receiver = new JarProcess(dir, "receiver", env, "receiver", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--data-dir", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", String.valueOf(port));
    connector = new JarProcess(dir, "connector", Map.of(), "connector", "--config", dir.resolve("connector.json").toString());
    loader = new Loader(scenario + "-" + backend.label(), port, 16);
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

  void startReceiver() throws Exception {
    receiver.start();
    await(60_000, () -> ready() || !receiver.alive(), "receiver ready (" + receiver.log() + ")");
    if (!receiver.alive()) {
      throw new AssertionError("the receiver exited at start; see " + receiver.log());
    }
  }

  void startConnector() throws Exception {
    connector.start();
  }

  /** Whether the receiver answers {@code /ready} with 200 (up, its buffer reachable). */
  boolean ready() {
    try {
      return STATUS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception notYet) {
      return false;
    }
  }

  /** The channel's stats ({@code /connect/status}), or null while the receiver does not answer. */
  JsonObject stats() {
    try {
      HttpResponse<String> response = STATUS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/connect/status/" + channel)).header("Authorization", "Bearer tok").timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()).getJsonObject("stats") : null;
    } catch (Exception notNow) {
      return null;
    }
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
    TestConnector.await(timeoutMillis, () -> loader.accepted().stream().allMatch(target::received));
    List<String> lost = loader.accepted().stream().filter(id -> !target.received(id)).sorted().toList();
    JsonObject[] stats = new JsonObject[1];
    TestConnector.await(30_000, () -> (stats[0] = stats()) != null);
    long deadLetters = stats[0] == null ? -1 : stats[0].getLong("messages_dead_lettered", -1L);
    long end = target.faultEndNanos();
    long first = target.firstAfterMark();
    long last = target.lastDeliveryNanos();
    return new Verdict(scenario, backend, loader.posted(), loader.accepted().size(),
        (int) loader.accepted().stream().filter(target::received).count(), lost, target.duplicates(),
        loader.refused(), deadLetters, first == 0 || end == Long.MAX_VALUE ? -1 : (first - end) / 1_000_000,
        last == 0 || end == Long.MAX_VALUE || last < end ? -1 : (last - end) / 1_000_000,
        receiver.log() + ", " + connector.log());
  }

  @Override
  public void close() throws Exception {
    loader.close();
    connector.close();
    receiver.close();
    target.close();
  }
}
