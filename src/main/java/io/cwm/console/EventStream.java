package io.cwm.console;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * One Server-Sent Events response of the console (a chunked {@code text/event-stream}): named
 * events with one-line JSON data, a comment every {@value #KEEPALIVE_MS} ms so proxies keep it
 * open, and the timers of the view that feeds it, cancelled when the viewer goes. Runs on the
 * listener's event loop that took the request.
 */
final class EventStream {
  static final long KEEPALIVE_MS = 15_000;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final List<Long> timers = new ArrayList<>();
  private final List<Runnable> onClose = new ArrayList<>();
  private boolean closed;

  EventStream(Vertx vertx, RoutingContext context) {
    this.vertx = vertx;
    this.response = context.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Accel-Buffering", "no");
    context.addEndHandler(gone -> close()); // ended or connection closed
    response.exceptionHandler(failure -> close());
    every(KEEPALIVE_MS, () -> response.write(": keepalive\n\n"));
  }

  /** Sends one event; false when the stream is gone. */
  boolean send(String event, JsonObject data) {
    if (closed) {
      return false;
    }
    response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    return true;
  }

  /** The client reads slower than we write: skip this round. */
  boolean congested() {
    return response.writeQueueFull();
  }

  boolean closed() {
    return closed;
  }

  /** Runs {@code task} every {@code periodMillis} until the stream closes. */
  void every(long periodMillis, Runnable task) {
    timers.add(vertx.setPeriodic(periodMillis, id -> {
      if (!closed) {
        task.run();
      }
    }));
  }

  void onClose(Runnable cleanup) {
    onClose.add(cleanup);
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    timers.forEach(vertx::cancelTimer);
    onClose.forEach(Runnable::run);
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }
}
