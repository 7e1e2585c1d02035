package io.cwm.connector.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A local HTTP(S) target on 127.0.0.1 (ephemeral port) that records what arrives (method, URI,
 * headers in wire order, body, arrival time) and answers with a scripted responder.
 */
final class RecordingTarget {
  /** One request as the target saw it. */
  record Received(String method, String uri, List<Map.Entry<String, String>> headers, String body, long atNanos) {
    /** Values of a header, by exact name. */
    List<String> all(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    String header(String name) {
      List<String> values = all(name);
      return values.isEmpty() ? null : values.get(0);
    }

    List<String> names() {
      return headers.stream().map(Map.Entry::getKey).toList();
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private volatile BiConsumer<Integer, HttpServerRequest> responder = (n, request) -> request.response().end("ok");
  private HttpServer server;

  static RecordingTarget start(Vertx vertx) throws Exception {
    return start(vertx, new HttpServerOptions());
  }

  static RecordingTarget start(Vertx vertx, HttpServerOptions options) throws Exception {
    return start(vertx, options, "127.0.0.1");
  }

  static RecordingTarget start(Vertx vertx, HttpServerOptions options, String host) throws Exception {
    RecordingTarget target = new RecordingTarget();
    target.server = vertx.createHttpServer(options.setHost(host).setPort(0))
        .requestHandler(target::handle);
    target.server.listen().await(10, TimeUnit.SECONDS);
    return target;
  }

  private void handle(HttpServerRequest request) {
    long at = System.nanoTime();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    request.headers().forEach(h -> headers.add(Map.entry(h.getKey(), h.getValue())));
    request.body().onSuccess(body -> {
      received.add(new Received(request.method().name(), request.uri(), headers, body.toString(), at));
      responder.accept(count.incrementAndGet(), request);
    });
  }

  /** Answers request n (1-based) as the responder says. */
  RecordingTarget respond(BiConsumer<Integer, HttpServerRequest> responder) {
    this.responder = responder;
    return this;
  }

  /** Answers with these statuses in turn (the last one repeats). */
  RecordingTarget statuses(int... statuses) {
    return respond((n, request) -> request.response()
        .setStatusCode(statuses[Math.min(n, statuses.length) - 1]).end());
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  List<Received> received() {
    return received;
  }

  Received only() {
    if (received.size() != 1) {
      throw new AssertionError("expected exactly one request, got " + received.size());
    }
    return received.get(0);
  }

  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
