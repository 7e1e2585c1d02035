import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ordered vs unordered relay (issue 16, ordering per key), against a receiver running
 * bench/ordering-webhooks.json: channel {@code bench_ordered} ({@code "ordering": {"key": "/key"}})
 * and {@code bench_unordered}, otherwise the same (max_in_flight 100). Both measured in the same
 * run, one after the other, with the same client:
 *
 * <pre>
 *   java -cp target/cwm.jar bench/OrderingBench.java drain PORT COUNT KEYS     # buffer COUNT, then drain
 *   java -cp target/cwm.jar bench/OrderingBench.java relay PORT SECONDS KEYS   # POST and deliver at once
 * </pre>
 *
 * After a warm-up of both channels (WARMUP_COUNT messages, default COUNT / 5; WARMUP_SECONDS,
 * default 5) each channel is measured twice in the order unordered, ordered, ordered, unordered,
 * and the means are compared. Messages carry {@code "key": i % KEYS} and a per-key sequence; a WebSocket connector acks each
 * one after TARGET_MS (env, default 0: the receiver's own cost) and checks that the ordered
 * channel's keys arrive in order. Prints each channel's rate and the ratio ordered / unordered.
 */
public class OrderingBench {
  static final String TOKEN = "bench-channel-token";

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port = Integer.parseInt(args[1]);
      int keys = Integer.parseInt(args[3]);
      double unordered;
      double ordered;
      // warm-up of both channels, then A B B A: neither channel is always measured on a colder JVM
      switch (args[0]) {
        case "drain" -> {
          int count = Integer.parseInt(args[2]);
          int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_COUNT", String.valueOf(count / 5)));
          if (warmup > 0) {
            drain(vertx, port, "bench_unordered", warmup, keys);
            drain(vertx, port, "bench_ordered", warmup, keys);
          }
          unordered = drain(vertx, port, "bench_unordered", count, keys);
          ordered = drain(vertx, port, "bench_ordered", count, keys);
          ordered = (ordered + drain(vertx, port, "bench_ordered", count, keys)) / 2;
          unordered = (unordered + drain(vertx, port, "bench_unordered", count, keys)) / 2;
        }
        case "relay" -> {
          int seconds = Integer.parseInt(args[2]);
          int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "5"));
          if (warmup > 0) {
            relay(vertx, port, "bench_unordered", warmup, keys);
            relay(vertx, port, "bench_ordered", warmup, keys);
          }
          unordered = relay(vertx, port, "bench_unordered", seconds, keys);
          ordered = relay(vertx, port, "bench_ordered", seconds, keys);
          ordered = (ordered + relay(vertx, port, "bench_ordered", seconds, keys)) / 2;
          unordered = (unordered + relay(vertx, port, "bench_unordered", seconds, keys)) / 2;
        }
        default -> throw new IllegalArgumentException("drain | relay");
      }
      System.out.printf("ordering %s: %d keys: ordered %.0f/s, unordered %.0f/s (means of two runs), ratio %.1f %%%n", args[0], keys,
          ordered, unordered, 100 * ordered / unordered);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Acks every webhook of its channel (after TARGET_MS); counts out-of-order arrivals per key. */
  static final class Connector {
    final Vertx vertx;
    final WebSocketClient client;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong outOfOrder = new AtomicLong();
    final long[] lastSeq;
    final long targetMillis = Long.parseLong(System.getenv().getOrDefault("TARGET_MS", "0"));
    volatile long firstNanos;
    volatile long lastNanos;
    ClientWebSocket socket;

    Connector(Vertx vertx, int keys) {
      this.vertx = vertx;
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20)
          .setMaxMessageSize(16 << 20));
      lastSeq = new long[keys];
      java.util.Arrays.fill(lastSeq, -1);
    }

    Future<?> connect(int port, String channel) {
      socket = client.webSocket();
      socket.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        String type = frame.getString("type");
        if ("webhook".equals(type)) {
          JsonObject payload = frame.getJsonObject("payload");
          int key = payload.getInteger("key");
          long seq = payload.getLong("seq");
          if (seq < lastSeq[key]) {
            outOfOrder.incrementAndGet();
          }
          lastSeq[key] = Math.max(lastSeq[key], seq);
          String ack = "{\"type\":\"ack\",\"message_id\":\"" + frame.getString("message_id") + "\"}";
          if (targetMillis > 0) {
            vertx.setTimer(targetMillis, id -> acked(ack));
          } else {
            acked(ack);
          }
        } else if ("heartbeat".equals(type)) {
          socket.writeTextMessage("{\"type\":\"heartbeat\"}");
        }
      });
      return socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/connect/stream/" + channel).addHeader("Authorization", "Bearer " + TOKEN));
    }

    private void acked(String ack) {
      socket.writeTextMessage(ack);
      if (delivered.incrementAndGet() == 1) {
        firstNanos = System.nanoTime();
      }
      lastNanos = System.nanoTime();
    }
  }

  static HttpClient http(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
  }

  /** Per key its next sequence: the POSTs of one key are issued in order (one key is never sent twice at once). */
  static final class Sender {
    final HttpClient http;
    final int port;
    final String webhook;
    final int keys;
    final long[] nextSeq;
    final boolean[] busy;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    int cursor;

    Sender(HttpClient http, int port, String webhook, int keys) {
      this.http = http;
      this.port = port;
      this.webhook = webhook;
      this.keys = keys;
      this.nextSeq = new long[keys];
      this.busy = new boolean[keys];
    }

    /** Runs on one context: the next key that has no POST in flight, or -1. */
    int nextKey() {
      for (int i = 0; i < keys; i++) {
        int key = (cursor + i) % keys;
        if (!busy[key]) {
          cursor = key + 1;
          busy[key] = true;
          return key;
        }
      }
      return -1;
    }

    Future<Integer> post(int key) {
      String body = "{\"key\":" + key + ",\"seq\":" + nextSeq[key]++ + ",\"pad\":\"" + "x".repeat(950) + "\"}";
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI("/webhook/" + webhook).putHeader("Content-Type", "application/json");
      return http.request(request).compose(req -> req.send(Buffer.buffer(body)))
          .compose(response -> response.body().map(ignored -> response.statusCode()))
          .onComplete(done -> {
            busy[key] = false;
            (done.succeeded() && done.result() == 200 ? ok : failed).incrementAndGet();
          });
    }

    /** 64 POSTs at a time until {@code until} says stop; completes the latch then. */
    void run(Vertx vertx, java.util.function.BooleanSupplier until, CountDownLatch done) {
      AtomicLong running = new AtomicLong(64);
      vertx.runOnContext(v -> {
        for (int i = 0; i < 64; i++) {
          loop(until, running, done);
        }
      });
    }

    private void loop(java.util.function.BooleanSupplier until, AtomicLong running, CountDownLatch done) {
      int key = until.getAsBoolean() ? -1 : nextKey();
      if (key < 0) {
        if (running.decrementAndGet() == 0) {
          done.countDown();
        }
        return;
      }
      post(key).onComplete(r -> loop(until, running, done));
    }
  }

  /** Buffers COUNT messages on the channel with no connector, then attaches one and times the drain. */
  static double drain(Vertx vertx, int port, String channel, int count, int keys) throws Exception {
    Sender sender = new Sender(http(vertx), port, channel, keys);
    AtomicLong issued = new AtomicLong();
    CountDownLatch filled = new CountDownLatch(1);
    sender.run(vertx, () -> issued.incrementAndGet() > count, filled);
    filled.await();
    Connector connector = new Connector(vertx, keys);
    long start = System.nanoTime();
    connector.connect(port, channel).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long deadline = start + TimeUnit.SECONDS.toNanos(300);
    while (connector.delivered.get() < sender.ok.get() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    double seconds = (connector.lastNanos - connector.firstNanos) / 1e9;
    double rate = (connector.delivered.get() - 1) / seconds;
    System.out.printf("drain %s: %d buffered (%d refused), %d delivered first-to-last in %.2f s = %.0f/s, "
            + "%d arrivals older than their key's newest%n", channel, sender.ok.get(), sender.failed.get(),
        connector.delivered.get(), seconds, rate, connector.outOfOrder.get());
    connector.socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return rate;
  }

  /** POSTs (64 at a time, each key in order) for SECONDS while a connector acks; rate delivered. */
  static double relay(Vertx vertx, int port, String channel, int seconds, int keys) throws Exception {
    Connector connector = new Connector(vertx, keys);
    connector.connect(port, channel).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Sender sender = new Sender(http(vertx), port, channel, keys);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(1);
    long start = System.nanoTime();
    sender.run(vertx, () -> System.nanoTime() >= end, done);
    done.await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (connector.delivered.get() < sender.ok.get() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double rate = connector.delivered.get() / elapsed;
    System.out.printf("relay %s: %d s: %d accepted (%d refused), %d delivered in %.1f s = %.0f/s, "
            + "%d arrivals older than their key's newest%n", channel, seconds, sender.ok.get(), sender.failed.get(),
        connector.delivered.get(), elapsed, rate, connector.outOfOrder.get());
    connector.socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return rate;
  }
}
