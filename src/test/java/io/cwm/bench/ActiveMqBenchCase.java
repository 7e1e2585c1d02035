package io.cwm.bench;

import io.cwm.testing.ActiveMqBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.stomp.Command;
import io.vertx.ext.stomp.Frame;
import io.vertx.ext.stomp.StompClient;
import io.vertx.ext.stomp.StompClientConnection;
import io.vertx.ext.stomp.StompClientOptions;
import jakarta.jms.MessageConsumer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code activemq} against the embedded ActiveMQ Classic broker of the test harness (STOMP, no
 * persistence store), with a JMS consumer draining the queue so that producer flow control never
 * stalls the run. Baseline: the same SEND (persistent:true, content-length, receipt) done
 * directly with a plain vertx-stomp client on its own Vert.x instance, {@code outstanding}
 * receipts awaited at a time, same 1 KB JSON, same broker and queue.
 */
final class ActiveMqBenchCase implements ModuleBenchCase {
  private static final String PAD = "x".repeat(940);
  private final String queue = "cwm.bench." + UUID.randomUUID().toString().substring(0, 8);
  private ActiveMqBroker broker;
  private MessageConsumer drain;

  @Override
  public String name() {
    return "activemq";
  }

  @Override
  public void start() throws Exception {
    broker = ActiveMqBroker.shared();
    drain = broker.consumer(queue, false);
    drain.setMessageListener(message -> { });
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "activemq").put("connection", "bench_activemq")
        .put("module-config", new JsonObject().put("destination", queue));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("bench_activemq", broker.connection(broker.host(), broker.stompPort()));
  }

  @Override
  public String baselineName() {
    return "vertx-stomp client SEND persistent:true with receipt, same 1 KB JSON, same in flight";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      StompClient client = StompClient.create(vertx, new StompClientOptions().setHost(broker.host())
          .setPort(broker.stompPort()).setAcceptedVersions(List.of("1.2", "1.1")));
      StompClientConnection connection = client.connect().toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      AtomicLong done = new AtomicLong();
      AtomicLong running = new AtomicLong(outstanding);
      CompletableFuture<Void> finished = new CompletableFuture<>();
      long started = System.nanoTime();
      long end = started + TimeUnit.SECONDS.toNanos(seconds);
      vertx.runOnContext(go -> {
        for (int i = 0; i < outstanding; i++) {
          loop(connection, end, done, running, finished);
        }
      });
      finished.get(seconds + 60L, TimeUnit.SECONDS);
      double elapsed = (System.nanoTime() - started) / 1e9;
      client.close();
      return done.get() / elapsed;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void loop(StompClientConnection connection, long end, AtomicLong done, AtomicLong running,
      CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        finished.complete(null);
      }
      return;
    }
    Buffer body = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", PAD).toBuffer();
    Map<String, String> headers = new HashMap<>();
    headers.put("content-type", "application/json");
    headers.put("user-agent", "cwm-bench");
    headers.put("destination", "/queue/" + queue);
    headers.put("persistent", "true");
    headers.put("content-length", Integer.toString(body.length()));
    Future<Frame> receipt = connection.send(new Frame(Command.SEND, headers, body));
    receipt.onComplete(outcome -> {
      if (outcome.succeeded()) {
        done.incrementAndGet();
      }
      loop(connection, end, done, running, finished);
    });
  }

  @Override
  public void close() throws Exception {
    drain.close();
    broker.removeQueue(queue);
  }
}
