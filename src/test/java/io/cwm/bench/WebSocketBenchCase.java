package io.cwm.bench;

import io.cwm.testing.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code websocket} module against a Vert.x WebSocket server in this JVM (its threads are
 * named {@code wsbench-server-*}, so the profile of client threads leaves them out) that counts
 * messages and answers the close handshake. Each delivery is what the module does per webhook:
 * open a connection, send the 1 KB JSON message, close handshake. Baseline: the same
 * open / send / close with a plain Vert.x {@link WebSocketClient} (own Vert.x instance, same
 * connection limit), {@code outstanding} exchanges in flight.
 */
final class WebSocketBenchCase implements ModuleBenchCase {
  private Vertx serverVertx;
  private HttpServer server;
  private final AtomicLong received = new AtomicLong();

  @Override
  public String name() {
    return "websocket";
  }

  @Override
  public void start() {
    serverVertx = VertxBootstrap.create().threadFactory(new VertxThreadFactory() {
      @Override
      public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime,
          TimeUnit maxExecTimeUnit) {
        return new VertxThread(target, "wsbench-server-" + name, worker, maxExecTime, maxExecTimeUnit);
      }
    }).init().vertx();
    server = serverVertx.createHttpServer().webSocketHandler(socket ->
        socket.textMessageHandler(text -> received.incrementAndGet()));
    Futures.await(server.listen(0, "127.0.0.1"));
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "websocket").put("module-config", new JsonObject()
        .put("url", "ws://127.0.0.1:" + server.actualPort() + "/bench").put("allowed_hosts",
            new io.vertx.core.json.JsonArray().add("127.0.0.1")));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject();
  }

  @Override
  public String baselineName() {
    return "plain Vert.x WebSocketClient, open / 1 KB text message / close handshake, 64 in flight";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(256));
      String message = new JsonObject().put("payload", new JsonObject().put("event", "payment_intent.succeeded")
          .put("sent_ns", System.nanoTime()).put("pad", "x".repeat(940))).encode();
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(server.actualPort()).setURI("/bench");
      AtomicLong done = new AtomicLong();
      AtomicLong running = new AtomicLong(outstanding);
      CompletableFuture<Void> finished = new CompletableFuture<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long started = System.nanoTime();
      vertx.runOnContext(go -> {
        for (int i = 0; i < outstanding; i++) {
          loop(client, options, message, end, done, running, finished);
        }
      });
      finished.get(seconds + 60L, TimeUnit.SECONDS);
      return done.get() / ((System.nanoTime() - started) / 1e9);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void loop(WebSocketClient client, WebSocketConnectOptions options, String message, long end,
      AtomicLong done, AtomicLong running, CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        finished.complete(null);
      }
      return;
    }
    client.connect(options).compose(socket -> exchange(socket, message)).onComplete(outcome -> {
      if (outcome.succeeded()) {
        done.incrementAndGet();
      }
      loop(client, options, message, end, done, running, finished);
    });
  }

  /** Send, close, complete on the server's close frame (what the module waits for). */
  private static Future<Void> exchange(WebSocket socket, String message) {
    Promise<Void> closeFrame = Promise.promise();
    socket.endHandler(end -> closeFrame.tryComplete());
    socket.closeHandler(closed -> closeFrame.tryFail("closed without the close handshake"));
    return socket.writeTextMessage(message).compose(written -> {
      socket.close((short) 1000);
      return closeFrame.future();
    });
  }

  @Override
  public void close() throws Exception {
    if (serverVertx != null) {
      serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
