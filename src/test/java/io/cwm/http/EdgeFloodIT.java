package io.cwm.http;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flood that took the receiver down (issue 12): 100 connections each sending 10 MB bodies to a
 * signed webhook, half without a signature, half with a forged one, against the jar with
 * {@code -Xmx1g}. Required: no OutOfMemoryError; body bytes in flight within the budget, the live heap
 * after the flood small (nothing retained), RSS within the heap limit plus a fixed overhead; and a
 * correctly signed webhook sent during the flood answered 200 within 1 s. Before the change the same flood caused 1,033
 * OutOfMemoryErrors and 10 s stalls.
 */
class EdgeFloodIT {
  static final String SECRET = "edge-flood-hmac-secret";
  static final int ATTACKERS = 100;
  static final int BODY = 10 * 1000 * 1000;
  static final long FLOOD_MILLIS = 20_000;
  static final String METRICS_TOKEN = "edge-flood-metrics";
  static final int CHUNK = 64 * 1024;
  static final Path JAR = Path.of(System.getProperty("cwm.jar", "target/cwm.jar"));

  @Test
  void aFloodOfLargeUnauthenticatedBodiesLeavesMemoryBoundedAndSignedWebhooksFast(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("webhooks.json"), """
        {"signed": {"module": "log", "hmac": {"secret": "%s", "header": "X-Hub-Signature-256"}}}
        """.formatted(SECRET));
    Files.writeString(dir.resolve("logback.xml"), """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
          </appender>
          <logger name="cwm.webhooks" level="WARN"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    int port = TestServer.freePort();
    Path log = dir.resolve("out.log");
    ProcessBuilder builder = new ProcessBuilder("java", "-Xmx1g", "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
        "-jar", JAR.toAbsolutePath().toString(), "receiver", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("METRICS_TOKEN", METRICS_TOKEN);
    Process receiver = builder.start();
    AtomicBoolean flooding = new AtomicBoolean(true);
    // the attackers share one event loop: a remote attacker's threads cost this box nothing, and a
    // hundred busy threads here would starve the test's own client rather than the receiver
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      assertTrue(await(30_000, () -> up(port)), "receiver did not come up");
      byte[] warm = "{\"id\":\"evt_warm\"}".getBytes(StandardCharsets.UTF_8);
      assertEquals(200, Http.post(port, "/webhook/signed", warm, "X-Hub-Signature-256", "sha256=" + hmacHex(warm))
          .statusCode());
      long rssBefore = rssKiB(receiver.pid());
      long budget = (long) metric(port, "cwm_http_body_budget_bytes");
      ConcurrentHashMap<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
      AtomicLong refusedEarly = new AtomicLong();
      NetClient client = vertx.createNetClient();
      Buffer chunk = Buffer.buffer("x".repeat(CHUNK));
      for (int i = 0; i < ATTACKERS; i++) {
        new Attacker(client, port, i % 2 == 1, chunk, flooding, answers, refusedEarly).next();
      }
      List<Long> signedMillis = new ArrayList<>();
      List<Integer> signedStatus = new ArrayList<>();
      long peakHeap = 0;
      long peakRss = 0;
      long peakInFlight = 0;
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(FLOOD_MILLIS)) {
        byte[] payload = ("{\"id\":\"evt_" + n++ + "\"}").getBytes(StandardCharsets.UTF_8);
        long sent = System.nanoTime();
        HttpResponse<String> answer = Http.post(port, "/webhook/signed", payload, "Content-Type", "application/json",
            "X-Hub-Signature-256", "sha256=" + hmacHex(payload));
        signedMillis.add((System.nanoTime() - sent) / 1_000_000);
        signedStatus.add(answer.statusCode());
        peakHeap = Math.max(peakHeap, heapUsed(port));
        peakInFlight = Math.max(peakInFlight, (long) metric(port, "cwm_http_body_in_flight_bytes"));
        peakRss = Math.max(peakRss, rssKiB(receiver.pid()));
        TimeUnit.MILLISECONDS.sleep(200); // pacing of the legitimate sender, not a synchronisation
      }
      flooding.set(false);
      // what the flood left behind: live heap after a full GC, body bytes still held
      Process gc = new ProcessBuilder("jcmd", String.valueOf(receiver.pid()), "GC.run").redirectErrorStream(true)
          .start();
      gc.getInputStream().readAllBytes();
      gc.waitFor(30, TimeUnit.SECONDS);
      long liveAfter = heapUsed(port);
      String output = Files.readString(log);
      long slowest = Collections.max(signedMillis);
      System.out.printf("edge flood: %d attackers x %d MB for %d s; answers to the flood %s (refused before the "
              + "body: %d); %d signed webhooks during it, slowest %d ms; body bytes in flight peak %d MB of a %d MB "
              + "budget; heap used (garbage included) peak %d MB of -Xmx1g, live after a full GC %d MB; RSS %d MB "
              + "before, peak %d MB, after %d MB%n", ATTACKERS, BODY / 1_000_000, FLOOD_MILLIS / 1000, answers,
          refusedEarly.get(), signedMillis.size(), slowest, peakInFlight >> 20, budget >> 20, peakHeap >> 20,
          liveAfter >> 20, rssBefore / 1024, peakRss / 1024, rssKiB(receiver.pid()) / 1024);
      assertTrue(peakInFlight <= budget, "body bytes in flight " + peakInFlight + " over the budget " + budget);
      assertEquals(0, (long) metric(port, "cwm_http_body_in_flight_bytes"), "every body's bytes came back");
      assertTrue(liveAfter < 256L * 1024 * 1024, "live heap after the flood: " + (liveAfter >> 20) + " MB");
      assertFalse(output.contains("OutOfMemoryError"), "OutOfMemoryError in the receiver's output");
      assertTrue(receiver.isAlive(), "the receiver died");
      assertTrue(signedStatus.stream().allMatch(status -> status == 200), "signed webhooks: " + signedStatus);
      assertTrue(slowest < 1000, "a signed webhook waited " + slowest + " ms: " + signedMillis);
      assertTrue(peakHeap < 768L * 1024 * 1024, "heap used peaked at " + peakHeap / (1024 * 1024) + " MB");
      // the heap may fill with garbage up to -Xmx under this allocation rate (as any JVM's); what must stay
      // bounded is the rest: direct buffers, threads, metaspace
      assertTrue(peakRss < (1024L + 384) * 1024, "RSS peaked at " + peakRss / 1024 + " MB with -Xmx1g");
      assertTrue(answers.getOrDefault(401, new AtomicLong()).get() > 0, "the flood was answered: " + answers);
    } finally {
      flooding.set(false);
      vertx.close().await();
      receiver.destroyForcibly();
      receiver.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * One attacker connection: POSTs a 10 MB body as fast as the receiver takes it (minding the write
   * queue), counts the answer, and opens the next connection when the receiver closes this one.
   */
  private static final class Attacker {
    private final NetClient client;
    private final int port;
    private final String head;
    private final Buffer chunk;
    private final AtomicBoolean flooding;
    private final ConcurrentHashMap<Integer, AtomicLong> answers;
    private final AtomicLong refusedEarly;

    Attacker(NetClient client, int port, boolean forged, Buffer chunk, AtomicBoolean flooding,
        ConcurrentHashMap<Integer, AtomicLong> answers, AtomicLong refusedEarly) {
      this.client = client;
      this.port = port;
      this.head = "POST /webhook/signed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + BODY + "\r\n"
          + (forged ? "X-Hub-Signature-256: sha256=" + "0".repeat(64) + "\r\n" : "") + "\r\n";
      this.chunk = chunk;
      this.flooding = flooding;
      this.answers = answers;
      this.refusedEarly = refusedEarly;
    }

    void next() {
      if (!flooding.get()) {
        return;
      }
      client.connect(port, "127.0.0.1").onComplete(connected -> {
        if (connected.failed()) {
          next();
          return;
        }
        NetSocket socket = connected.result();
        long[] sent = {0};
        boolean[] answered = {false};
        socket.handler(data -> {
          if (!answered[0] && data.length() >= 12) {
            answered[0] = true;
            int code = Integer.parseInt(data.getString(9, 12));
            answers.computeIfAbsent(code, key -> new AtomicLong()).incrementAndGet();
            if (sent[0] < BODY) {
              refusedEarly.incrementAndGet();
            }
            socket.close(); // answered: the next body on a new connection
          }
        });
        socket.closeHandler(closed -> next());
        socket.exceptionHandler(failure -> socket.close());
        socket.write(head);
        pump(socket, sent);
      });
    }

    private void pump(NetSocket socket, long[] sent) {
      while (sent[0] < BODY && !socket.writeQueueFull() && flooding.get()) {
        int size = (int) Math.min(CHUNK, BODY - sent[0]);
        socket.write(size == CHUNK ? chunk : chunk.getBuffer(0, size));
        sent[0] += size;
      }
      if (!flooding.get()) {
        socket.close();
      } else if (sent[0] < BODY) {
        socket.drainHandler(drained -> pump(socket, sent));
      }
    }
  }

  private static boolean up(int port) {
    try {
      return Http.get(port, "/health").statusCode() == 200;
    } catch (Exception notYet) {
      return false;
    }
  }

  /** One unlabelled series of the receiver's /metrics. */
  private static double metric(int port, String name) throws Exception {
    String metrics = Http.get(port, "/metrics", "Authorization", "Bearer " + METRICS_TOKEN).body();
    return metrics.lines().filter(line -> line.startsWith(name + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(name.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
  }

  /** Heap in use as the receiver's own /metrics reports it (sum over the heap pools). */
  private static long heapUsed(int port) throws Exception {
    String metrics = Http.get(port, "/metrics", "Authorization", "Bearer " + METRICS_TOKEN).body();
    return metrics.lines().filter(line -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\""))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static String hmacHex(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }
}
