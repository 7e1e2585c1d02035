package io.cwm.faults;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local app behind the connector: a real HTTP server that records every delivery by the
 * loader's {@code fault_id} (in the payload) and when it came. {@link #outage} makes it answer 503
 * for a while, as a target that is down.
 */
final class Target implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
  private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicLong outageUntil = new AtomicLong();
  private final AtomicLong firstAfter = new AtomicLong();
  private volatile long mark = Long.MAX_VALUE;
  private final int port;

  Target() throws Exception {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (!request.path().equals("/sink")) {
        request.response().setStatusCode(404).end(); // only the connector's deliveries: never taken for a receiver
        return;
      }
      long now = System.nanoTime();
      if (System.currentTimeMillis() < outageUntil.get()) {
        request.response().setStatusCode(503).end();
        return;
      }
      String id;
      try {
        id = new JsonObject(body).getString("fault_id");
      } catch (RuntimeException notJson) {
        id = null;
      }
      if (id != null) {
        deliveries.merge(id, 1, Integer::sum);
        firstArrival.putIfAbsent(id, now);
        total.incrementAndGet();
        if (now >= mark) {
          firstAfter.compareAndSet(0, now);
        }
      }
      request.response().end("ok");
    }));
    port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
  }

  int port() {
    return port;
  }

  /** Answers 503 to every delivery for the next {@code millis}. */
  void outage(long millis) {
    outageUntil.set(System.currentTimeMillis() + millis);
  }

  /** From now on, the first delivery is remembered (the time from a fault's end to it). */
  void markFaultEnd() {
    firstAfter.set(0);
    mark = System.nanoTime();
  }

  long faultEndNanos() {
    return mark;
  }

  /** Nanos of the first delivery after {@link #markFaultEnd}, or 0. */
  long firstAfterMark() {
    return firstAfter.get();
  }

  /** How many distinct ids arrived. */
  int unique() {
    return deliveries.size();
  }

  /** When (System.nanoTime) {@code id} first arrived, or null. */
  Long firstArrival(String id) {
    return firstArrival.get(id);
  }

  boolean received(String id) {
    return deliveries.containsKey(id);
  }

  /** Deliveries beyond the first of each id. */
  int duplicates() {
    return total.get() - deliveries.size();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
