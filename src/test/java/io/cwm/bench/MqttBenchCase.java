package io.cwm.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@code mqtt} module against the machine's Mosquitto (127.0.0.1:1883), QoS 1 (each delivery
 * completes on the broker's PUBACK), to a fresh topic nobody subscribes to. Baseline: Mosquitto's
 * own client, {@code mosquitto_pub -h 127.0.0.1 -p 1883 -q 1 -t <topic> -l -M <outstanding>}
 * reading lines of the same 1 KB JSON from a file: one connection, up to {@code outstanding}
 * QoS 1 publishes unacknowledged, as the module's one connection. Processes of
 * {@value #BATCH} lines run one after the other until the case's seconds are over; the figure
 * is lines / wall time (process start and disconnect included, a few ms per batch).
 */
final class MqttBenchCase implements ModuleBenchCase {
  private static final String HOST = "127.0.0.1";
  private static final int PORT = 1883;
  /**
   * Lines per mosquitto_pub process: with more than 65,535 its line mode disconnects early (its
   * "last message id" check meets a wrapped id: seen with 200,000 lines, 68,930 PUBACKs).
   */
  private static final int BATCH = 50_000;
  private final String topic = "cwm-bench/mqtt-" + Long.toString(System.nanoTime(), 36);
  private Path dir;

  @Override
  public String name() {
    return "mqtt";
  }

  @Override
  public void start() throws Exception {
    try (Socket probe = new Socket(HOST, PORT)) {
      dir = Files.createTempDirectory("cwm-bench-mqtt");
    } catch (IOException e) {
      throw new IllegalStateException("no MQTT broker on " + HOST + ":" + PORT, e);
    }
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "mqtt").put("connection", "bench_mqtt")
        .put("module-config", new JsonObject().put("topic", topic).put("qos", 1));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("bench_mqtt", new JsonObject().put("type", "mqtt").put("host", HOST).put("port", PORT));
  }

  @Override
  public String baselineName() {
    return "mosquitto_pub -q 1 -l -M 64 (one connection, 64 unacknowledged), same 1 KB JSON";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    String line = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", "x".repeat(940)).encode() + "\n";
    Path file = dir.resolve("lines.txt");
    Files.writeString(file, line.repeat(BATCH), StandardCharsets.UTF_8);
    long sent = 0;
    long started = System.nanoTime();
    long end = started + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      Process process = new ProcessBuilder("mosquitto_pub", "-h", HOST, "-p", String.valueOf(PORT), "-q", "1",
          "-t", topic, "-l", "-M", String.valueOf(outstanding))
          .redirectInput(file.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("mosquitto_pub failed");
      }
      sent += BATCH;
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    Files.delete(file);
    return sent / elapsed;
  }

  @Override
  public void close() throws Exception {
    if (dir != null) {
      Files.deleteIfExists(dir);
    }
  }
}
