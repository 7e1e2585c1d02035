package io.cwm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal WebSocket connector for tests: collects frames, optionally acks every webhook at
 * once, answers server heartbeats when asked to. Its Vert.x client is kept in a field (Vert.x 5
 * closes unreferenced clients).
 */
public final class TestConnector implements AutoCloseable {
  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final Set<String> unique = ConcurrentHashMap.newKeySet();
  private final AtomicInteger duplicates = new AtomicInteger();
  /** System.nanoTime() at which each message first arrived (read on the socket's event loop). */
  private final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
  private volatile boolean autoAck;
  private volatile boolean echoHeartbeats;
  private volatile WebSocket socket;
  private volatile Short closeCode;

  public TestConnector(Vertx vertx) {
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
  }

  public TestConnector autoAck(boolean value) {
    autoAck = value;
    return this;
  }

  public TestConnector echoHeartbeats(boolean value) {
    echoHeartbeats = value;
    return this;
  }

  /** Connects and waits for the connected frame. */
  public TestConnector connect(int port, String channel, String token) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/connect/stream/" + channel).addHeader("Authorization", "Bearer " + token)
        .addHeader("X-Connector-Id", "test-connector");
    // handlers are set before the connection exists, so no early frame or close is missed
    ClientWebSocket ws = client.webSocket();
    ws.closeHandler(v -> closeCode = ws.closeStatusCode());
    ws.textMessageHandler(this::onText);
    socket = ws; // a webhook may arrive (and be acked) before connect() returns here
    ws.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return this;
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    String type = frame.getString("type");
    if ("webhook".equals(type)) {
      String id = frame.getString("message_id");
      arrivedAt.putIfAbsent(id, System.nanoTime());
      received.add(id);
      if (!unique.add(id)) {
        duplicates.incrementAndGet();
      }
      if (autoAck) {
        ack(id);
      }
    } else if ("heartbeat".equals(type) && echoHeartbeats) {
      socket.writeTextMessage(new JsonObject().put("type", "heartbeat").put("timestamp", frame.getString("timestamp")).encode());
    }
    frames.add(frame);
  }

  public void ack(String messageId) {
    socket.writeTextMessage(new JsonObject().put("type", "ack").put("message_id", messageId).encode());
  }

  public void nack(String messageId, boolean retry) {
    socket.writeTextMessage(new JsonObject().put("type", "nack").put("message_id", messageId).put("retry", retry).encode());
  }

  public void send(String text) {
    socket.writeTextMessage(text);
  }

  /** The next frame of the given type within the timeout, or null. */
  public JsonObject next(String type, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      JsonObject frame = frames.poll(left, TimeUnit.NANOSECONDS);
      if (frame == null) {
        return null;
      }
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
    }
  }

  /** When {@code messageId} first arrived ({@link System#nanoTime()}), or null. */
  public Long arrivedAt(String messageId) {
    return arrivedAt.get(messageId);
  }

  public List<String> received() {
    return received;
  }

  public Set<String> unique() {
    return unique;
  }

  public int duplicates() {
    return duplicates.get();
  }

  public Short closeCode() {
    return closeCode;
  }

  public boolean isClosed() {
    return socket == null || socket.isClosed();
  }

  @Override
  public void close() throws Exception {
    if (socket != null && !socket.isClosed()) {
      socket.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  /** Polls {@code condition} until true or the deadline passes. */
  public static boolean await(long timeoutMillis, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling with a deadline
    }
    return condition.getAsBoolean();
  }
}
