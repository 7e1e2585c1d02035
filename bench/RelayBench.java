import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Relay benchmark client (run with the jar on the classpath, against a running receiver):
 *
 * <pre>
 *   java -cp target/cwm.jar bench/RelayBench.java relay PORT SECONDS RATE [WS_PORT]  # (b) POST→ack at RATE/s (0 = max);
 *                                                                       # the connector on WS_PORT (another node) if given
 *   java -cp target/cwm.jar bench/RelayBench.java drain PORT COUNT          # (c) buffer COUNT, then attach and drain
 *   java -cp target/cwm.jar bench/RelayBench.java fill PORT COUNT           # buffer COUNT and exit (connector bench)
 *   java -cp target/cwm.jar bench/RelayBench.java sink PORT COUNT           # HTTP target: until COUNT deliveries arrived
 *   java -cp target/cwm.jar bench/RelayBench.java channels PORT SECONDS K   # (d) K channels (bench/relay-webhooks-4.json)
 *                                                                       # relayed at full speed at once, one connector each
 *   java -cp target/cwm.jar bench/RelayBench.java console-ab PORT PAIRS WINDOW TOKEN PATHS
 *                                                                       # (e) full-speed relay, windows of WINDOW s with
 *                                                                       # the console's streams (PATHS, comma-separated)
 *                                                                       # closed and open in turn (issue 17)
 * </pre>
 *
 * The webhook is {@code bench_relay} on channel {@code bench} (bench/relay-webhooks.json), HMAC
 * signed. One WebSocket connector acks every message; POST-to-delivery latency is measured in
 * this process (the send time travels in the payload).
 */
public class RelayBench {
  static final String SECRET = "bench-hmac-secret";
  static final String TOKEN = "bench-channel-token";

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      switch (args[0]) {
        case "relay" -> relay(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
            args.length > 4 ? Integer.parseInt(args[4]) : Integer.parseInt(args[1]));
        case "drain" -> drain(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        case "fill" -> fillOnly(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        case "sink" -> sink(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        case "channels" -> channels(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
            Integer.parseInt(args[3]));
        case "console-ab" -> consoleAb(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
            Integer.parseInt(args[3]), args[4], java.util.List.of(args[5].split(",")));
        default -> throw new IllegalArgumentException("relay | drain | fill | sink | channels | console-ab");
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static String body(long sentNanos) {
    // about 1 KB of JSON, like the ingest benchmark
    return "{\"sent_ns\":" + sentNanos + ",\"event\":\"payment_intent.succeeded\",\"pad\":\"" + "x".repeat(950) + "\"}";
  }

  static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  });

  static String sign(String body) {
    return HexFormat.of().formatHex(MACS.get().doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  /** The string value of a top-level field, found without parsing the whole frame (keeps the client cheap). */
  static String field(String json, String name) {
    int at = json.indexOf("\"" + name + "\":\"");
    if (at < 0) {
      return null;
    }
    int start = at + name.length() + 4;
    return json.substring(start, json.indexOf('"', start));
  }

  static long sentNanos(String json) {
    int at = json.indexOf("\"sent_ns\":");
    int start = at + 10;
    int end = start;
    while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '-')) {
      end++;
    }
    return Long.parseLong(json.substring(start, end));
  }

  /** A connector that acks everything and records POST-to-delivery latency. */
  static final class Connector {
    final WebSocketClient client;
    final AtomicLong delivered = new AtomicLong();
    volatile long firstNanos;
    volatile long lastNanos;
    final long[] latencies;
    final AtomicLong latencyCount = new AtomicLong();
    WebSocket socket;
    String channel = "bench";

    Connector(Vertx vertx, int capacity) {
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
      latencies = new long[capacity];
    }

    Future<WebSocket> connect(int port) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/connect/stream/" + channel).addHeader("Authorization", "Bearer " + TOKEN);
      ClientWebSocket ws = client.webSocket();
      socket = ws;
      ws.textMessageHandler(text -> {
          String type = field(text, "type");
          if ("webhook".equals(type)) {
            long sent = sentNanos(text);
            long index = latencyCount.getAndIncrement();
            if (index < latencies.length) {
              latencies[(int) index] = System.nanoTime() - sent;
            }
            if (delivered.incrementAndGet() == 1) {
              firstNanos = System.nanoTime();
            }
            lastNanos = System.nanoTime();
            ws.writeTextMessage("{\"type\":\"ack\",\"message_id\":\"" + field(text, "message_id") + "\"}");
          } else if ("heartbeat".equals(type)) {
            ws.writeTextMessage("{\"type\":\"heartbeat\"}");
          }
      });
      return ws.connect(options);
    }

    String percentiles() {
      int n = (int) Math.min(latencyCount.get(), latencies.length);
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      return n == 0 ? "n/a" : String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
          sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6, n);
    }
  }

  static HttpClient http(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(64));
  }

  static Future<Integer> post(HttpClient http, int port) {
    return post(http, port, "bench_relay");
  }

  static Future<Integer> post(HttpClient http, int port, String webhookId) {
    String body = body(System.nanoTime());
    String signature = sign(body);
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/webhook/" + webhookId).putHeader("Content-Type", "application/json")
        .putHeader("X-HMAC-Signature", signature);
    return http.request(request).compose(req -> req.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }

  /**
   * (b) POSTs at RATE/s (0: 64 concurrent requests, as fast as possible) for SECONDS; one
   * connector acks. A first phase of WARMUP_SECONDS (env, default 5) at the same rate warms both
   * JVMs and the connections; only the second phase is measured.
   */
  static void relay(Vertx vertx, int port, int seconds, int rate, int connectorPort) throws Exception {
    int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "5"));
    HttpClient http = http(vertx);
    if (warmup > 0) {
      phase(vertx, http, port, connectorPort, warmup, rate);
    }
    phase(vertx, http, port, connectorPort, seconds, rate);
  }

  static void phase(Vertx vertx, HttpClient http, int port, int connectorPort, int seconds, int rate) throws Exception {
    Connector connector = new Connector(vertx, 2_000_000);
    connector.connect(connectorPort).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong issued = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(1);
    if (rate == 0) {
      AtomicLong running = new AtomicLong(64);
      for (int i = 0; i < 64; i++) {
        vertx.runOnContext(v -> loop(http, port, end, ok, failed, running, done));
      }
    } else {
      long periodMs = 10;
      int perTick = Math.max(1, rate / 100);
      long[] timer = new long[1];
      timer[0] = vertx.setPeriodic(periodMs, id -> {
        if (System.nanoTime() >= end) {
          vertx.cancelTimer(timer[0]);
          done.countDown();
          return;
        }
        for (int i = 0; i < perTick; i++) {
          issued.incrementAndGet();
          post(http, port).onComplete(r -> (r.succeeded() && r.result() == 200 ? ok : failed).incrementAndGet());
        }
      });
    }
    done.await();
    long answered = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (rate > 0 && ok.get() + failed.get() < issued.get() && System.nanoTime() < answered) {
      TimeUnit.MILLISECONDS.sleep(10); // the last POSTs of the phase are still in flight
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (connector.delivered.get() < ok.get() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    System.out.printf("relay: rate %s for %d s: %d accepted (%d refused), %d delivered and acked, %.0f webhooks/s; %s%n",
        rate == 0 ? "max" : rate + "/s", seconds, ok.get(), failed.get(), connector.delivered.get(),
        connector.delivered.get() / (double) seconds, connector.percentiles());
    connector.socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void loop(HttpClient http, int port, long end, AtomicLong ok, AtomicLong failed, AtomicLong running,
      CountDownLatch done) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        done.countDown();
      }
      return;
    }
    post(http, port).onComplete(r -> {
      (r.succeeded() && r.result() == 200 ? ok : failed).incrementAndGet();
      loop(http, port, end, ok, failed, running, done);
    });
  }

  /** (c) Buffers COUNT messages with no connector, then attaches one and times the drain. */
  static void drain(Vertx vertx, int port, int count) throws Exception {
    HttpClient http = http(vertx);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long fillStart = System.nanoTime();
    CountDownLatch filled = new CountDownLatch(1);
    AtomicLong issued = new AtomicLong();
    for (int i = 0; i < 64; i++) {
      vertx.runOnContext(v -> fill(http, port, count, issued, ok, failed, filled));
    }
    filled.await();
    double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
    Connector connector = new Connector(vertx, count);
    long start = System.nanoTime();
    connector.connect(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long deadline = start + TimeUnit.SECONDS.toNanos(120);
    while (connector.delivered.get() < ok.get() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double firstToLast = (connector.lastNanos - connector.firstNanos) / 1e9;
    System.out.printf("drain: %d buffered in %.1f s (%d refused); drained %d in %.2f s = %.0f messages/s; "
            + "first-to-last %.0f messages/s%n", ok.get(), fillSeconds, failed.get(), connector.delivered.get(), seconds,
        connector.delivered.get() / seconds, (connector.delivered.get() - 1) / firstToLast);
  }

  /** Buffers COUNT messages (no connector attached) and exits. */
  static void fillOnly(Vertx vertx, int port, int count) throws Exception {
    HttpClient http = http(vertx);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong issued = new AtomicLong();
    CountDownLatch filled = new CountDownLatch(1);
    long start = System.nanoTime();
    for (int i = 0; i < 64; i++) {
      vertx.runOnContext(v -> fill(http, port, count, issued, ok, failed, filled));
    }
    filled.await();
    System.out.printf("fill: %d buffered in %.1f s (%d refused)%n", ok.get(), (System.nanoTime() - start) / 1e9,
        failed.get());
  }

  /**
   * An HTTP target that answers 200 at once and counts deliveries (X-Webhook-Message-ID); exits
   * when COUNT distinct messages arrived or after 300 s. The rate is first to last delivery, as in
   * {@code drain}, so the connector's start-up is not counted.
   */
  static void sink(Vertx vertx, int port, int count) throws Exception {
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicLong requests = new AtomicLong();
    long[] first = new long[1];
    long[] last = new long[1];
    CountDownLatch done = new CountDownLatch(1);
    vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      long now = System.nanoTime();
      if (requests.incrementAndGet() == 1) {
        first[0] = now;
      }
      if (seen.add(request.getHeader("X-Webhook-Message-ID")) && seen.size() == count) {
        last[0] = now;
        done.countDown();
      }
      request.response().end();
    })).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.out.println("sink: listening on " + port);
    boolean complete = done.await(300, TimeUnit.SECONDS);
    double seconds = (last[0] - first[0]) / 1e9;
    System.out.printf("sink: %d of %d delivered (%d requests)%s; first-to-last %.2f s = %.0f messages/s%n", seen.size(),
        count, requests.get(), complete ? "" : " TIMED OUT", seconds, (seen.size() - 1) / seconds);
  }

  static void fill(HttpClient http, int port, int count, AtomicLong issued, AtomicLong ok, AtomicLong failed,
      CountDownLatch filled) {
    if (issued.incrementAndGet() > count) {
      if (ok.get() + failed.get() >= count) {
        filled.countDown();
      }
      return;
    }
    post(http, port).onComplete(r -> {
      (r.succeeded() && r.result() == 200 ? ok : failed).incrementAndGet();
      if (ok.get() + failed.get() >= count) {
        filled.countDown();
      }
      fill(http, port, count, issued, ok, failed, filled);
    });
  }

  /**
   * (d) K channels at once at full speed (64 concurrent POSTs spread round-robin over the
   * webhooks {@code bench_relay_<k>} of channels {@code bench<k>}), one acking connector per
   * channel; a WARMUP_SECONDS phase first. Prints the total and each channel's rate and p99.
   */
  static void channels(Vertx vertx, int port, int seconds, int k) throws Exception {
    int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "5"));
    HttpClient http = http(vertx);
    if (warmup > 0) {
      channelsPhase(vertx, http, port, warmup, k);
    }
    channelsPhase(vertx, http, port, seconds, k);
  }

  static void channelsPhase(Vertx vertx, HttpClient http, int port, int seconds, int k) throws Exception {
    Connector[] connectors = new Connector[k];
    for (int i = 0; i < k; i++) {
      connectors[i] = new Connector(vertx, 1_000_000);
      connectors[i].channel = "bench" + i;
      connectors[i].connect(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong next = new AtomicLong();
    AtomicLong running = new AtomicLong(64);
    CountDownLatch done = new CountDownLatch(1);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (int i = 0; i < 64; i++) {
      vertx.runOnContext(v -> spread(http, port, k, end, next, ok, failed, running, done));
    }
    done.await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long delivered = 0;
    while (System.nanoTime() < deadline) {
      delivered = Arrays.stream(connectors).mapToLong(c -> c.delivered.get()).sum();
      if (delivered >= ok.get()) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    StringBuilder each = new StringBuilder();
    for (Connector connector : connectors) {
      each.append(String.format("; %s %.0f/s %s", connector.channel, connector.delivered.get() / (double) seconds,
          connector.percentiles()));
      connector.socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    System.out.printf("channels: %d channels for %d s: %d accepted (%d refused), %d delivered and acked, "
        + "%.0f webhooks/s%s%n", k, seconds, ok.get(), failed.get(), delivered, delivered / (double) seconds, each);
  }

  static void spread(HttpClient http, int port, int k, long end, AtomicLong next, AtomicLong ok, AtomicLong failed,
      AtomicLong running, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        done.countDown();
      }
      return;
    }
    post(http, port, "bench_relay_" + (next.getAndIncrement() % k)).onComplete(r -> {
      (r.succeeded() && r.result() == 200 ? ok : failed).incrementAndGet();
      spread(http, port, k, end, next, ok, failed, running, done);
    });
  }

  /**
   * (e) One receiver, one connector, 64 concurrent POSTs for the whole run; after WARMUP_SECONDS
   * (env, default 10) PAIRS pairs of windows of WINDOW seconds, one with the console's streams
   * closed and one with them open (each PATH read as an SSE stream with the admin TOKEN and thrown
   * away), the order swapped from pair to pair. A window's rate counts the deliveries after its
   * first second (the streams are open and have sent their first events by then). Neighbouring
   * windows share the machine's state, so the per-pair ratio cancels the drift that separate
   * processes per run cannot.
   */
  static void consoleAb(Vertx vertx, int port, int pairs, int window, String token, java.util.List<String> paths)
      throws Exception {
    int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "10"));
    HttpClient http = http(vertx);
    HttpClient viewers = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(paths.size()));
    Connector connector = new Connector(vertx, 1);
    connector.connect(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup + 2L * pairs * window + 5);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong running = new AtomicLong(64);
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 64; i++) {
      vertx.runOnContext(v -> loop(http, port, end, ok, failed, running, done));
    }
    TimeUnit.SECONDS.sleep(warmup);
    AtomicLong streamed = new AtomicLong();
    double[] closed = new double[pairs];
    double[] open = new double[pairs];
    for (int pair = 0; pair < pairs; pair++) {
      boolean openFirst = pair % 2 == 1;
      for (int half = 0; half < 2; half++) {
        boolean opened = openFirst == (half == 0);
        java.util.List<io.vertx.core.http.HttpClientRequest> streams = new java.util.ArrayList<>();
        if (opened) {
          for (String path : paths) {
            io.vertx.core.http.HttpClientRequest request = viewers.request(new RequestOptions().setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1").setPort(port).setURI(path).putHeader("Authorization", "Bearer " + token))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            io.vertx.core.http.HttpClientResponse response = request.send().toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
              throw new IllegalStateException(path + " answered " + response.statusCode());
            }
            response.handler(chunk -> streamed.addAndGet(chunk.length()));
            streams.add(request);
          }
        }
        TimeUnit.SECONDS.sleep(1);
        long from = connector.delivered.get();
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(window - 1);
        double rate = (connector.delivered.get() - from) / ((System.nanoTime() - start) / 1e9);
        (opened ? open : closed)[pair] = rate;
        for (io.vertx.core.http.HttpClientRequest request : streams) {
          request.connection().close();
        }
      }
      System.out.printf("pair %d (%s first): closed %.0f/s, open %.0f/s, open/closed %.1f %%%n", pair + 1,
          openFirst ? "open" : "closed", closed[pair], open[pair], 100 * open[pair] / closed[pair]);
    }
    done.await();
    double[] ratios = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      ratios[i] = open[i] / closed[i];
    }
    System.out.printf("console-ab: %d pairs of %d s windows; closed median %.0f/s, open median %.0f/s; "
            + "open/closed: median of the pairs %.1f %% (quartiles %.1f-%.1f %%), ratio of the medians %.1f %%; "
            + "%d accepted, %d refused, %d KB streamed to the console's readers%n", pairs, window, median(closed),
        median(open), 100 * median(ratios), 100 * quantile(ratios, 0.25), 100 * quantile(ratios, 0.75),
        100 * median(open) / median(closed), ok.get(), failed.get(), streamed.get() / 1024);
  }

  static double median(double[] values) {
    return quantile(values, 0.5);
  }

  /** The q-quantile with linear interpolation between the closest ranks. */
  static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double at = q * (sorted.length - 1);
    int low = (int) Math.floor(at);
    int high = Math.min(sorted.length - 1, low + 1);
    return sorted[low] + (at - low) * (sorted[high] - sorted[low]);
  }
}
