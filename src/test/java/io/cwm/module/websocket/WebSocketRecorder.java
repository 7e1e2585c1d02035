package io.cwm.module.websocket;

import io.cwm.testing.Futures;
import io.cwm.testing.TestConnector;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Vert.x WebSocket server on a free loopback port that records every message it receives, with
 * the path and handshake headers of its connection, and behaves by path:
 * <ul>
 *   <li>{@code /reply...}: answers each message with the text {@code ack};</li>
 *   <li>{@code /policy...}: closes with code 1008 (policy violation) after a message;</li>
 *   <li>{@code /reject...}: refuses the upgrade with 403; {@code /busy...}: with 503;</li>
 *   <li>anything else: keeps the message and answers the client's close handshake.</li>
 * </ul>
 */
final class WebSocketRecorder implements AutoCloseable {
  /** One message: the connection's path and handshake headers, text or binary. */
  record Received(String path, Map<String, String> headers, String text, byte[] binary) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> handshakes = new ConcurrentHashMap<>();

  WebSocketRecorder() {
    server = vertx.createHttpServer()
        .webSocketHandshakeHandler(handshake -> {
          handshakes.computeIfAbsent(handshake.path(), path -> new AtomicInteger()).incrementAndGet();
          if (handshake.path().startsWith("/reject")) {
            handshake.reject(403);
          } else if (handshake.path().startsWith("/busy")) {
            handshake.reject(503);
          } else {
            handshake.accept();
          }
        })
        .webSocketHandler(this::connected);
    Futures.await(server.listen(0, "127.0.0.1"));
  }

  private void connected(ServerWebSocket socket) {
    Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    socket.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
    String path = socket.path();
    socket.textMessageHandler(text -> answer(socket, new Received(path, headers, text, null)));
    socket.binaryMessageHandler(bytes -> answer(socket, new Received(path, headers, null, bytes.getBytes())));
  }

  private void answer(ServerWebSocket socket, Received message) {
    received.add(message);
    if (message.path().startsWith("/reply")) {
      socket.writeTextMessage("ack");
    } else if (message.path().startsWith("/policy")) {
      socket.close((short) 1008, "not accepted");
    }
  }

  int port() {
    return server.actualPort();
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  int handshakes(String path) {
    AtomicInteger count = handshakes.get(path);
    return count == null ? 0 : count.get();
  }

  /** The messages on {@code path}, once there are {@code count} (15 s deadline), else fails. */
  List<Received> await(int count, String path) throws InterruptedException {
    Predicate<Received> onPath = message -> message.path().equals(path);
    if (!TestConnector.await(15_000, () -> received.stream().filter(onPath).count() >= count)) {
      throw new AssertionError("expected " + count + " messages on " + path + ", got " + received());
    }
    return received.stream().filter(onPath).toList();
  }

  @Override
  public void close() {
    Futures.await(vertx.close());
  }

}
