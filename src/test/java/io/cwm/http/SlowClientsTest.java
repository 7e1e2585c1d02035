package io.cwm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RawConnection;
import io.cwm.testing.SseClient;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and silent clients on both listeners are closed on time while others are served: a real
 * receiver with short deadlines (header and keep-alive 1 s, body 3 s, minimum body rate 8 KiB/s),
 * attacked over real sockets. Before the deadlines existed none of these connections was closed.
 */
class SlowClientsTest {
  static final String CHANNEL_TOKEN = "slow-clients-channel-token";
  static TestServer server;
  static int adminPort;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    adminPort = TestServer.freePort();
    server = TestServer.start("""
        {
          "open": {"module": "log"},
          "relay": {"module": "webhook_connect",
                    "module-config": {"channel": "slow-clients", "channel_token": "%s",
                                      "heartbeat_interval_seconds": 1}}
        }
        """.formatted(CHANNEL_TOKEN), "{}", Map.of(
        "CWM_HTTP_HEADER_TIMEOUT", "1",
        "CWM_HTTP_KEEPALIVE_TIMEOUT", "1",
        "CWM_HTTP_BODY_TIMEOUT", "3",
        "CWM_HTTP_BODY_MIN_RATE", "8192",
        "WEBHOOK_CONNECT_ADMIN_PORT", String.valueOf(adminPort),
        "WEBHOOK_CONNECT_ADMIN_TOKEN", "slow-clients-admin-token"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().await();
  }

  @Test
  void slowlorisConnectionsAreClosedWithinTheHeaderDeadlineWhileOthersAreServed() throws Exception {
    int attackers = 200;
    assertEquals(200, Http.post(server.port(), "/webhook/open", "{\"warm\":\"up\"}", "Content-Type",
        "application/json").statusCode());
    NetClient client = vertx.createNetClient();
    List<Long> closedAfter = new CopyOnWriteArrayList<>();
    List<NetSocket> sockets = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    for (int i = 0; i < attackers; i++) {
      NetSocket socket = client.connect(server.port(), "127.0.0.1").await();
      long opened = System.nanoTime();
      socket.closeHandler(closed -> closedAfter.add((System.nanoTime() - opened) / 1_000_000));
      socket.write("POST /webhook/open HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      sockets.add(socket);
    }
    // every 200 ms each attacker sends one more header line: never idle, never complete
    long drip = vertx.setPeriodic(200, id -> sockets.forEach(socket -> socket.write("X-Drip: 1\r\n")));
    try {
      List<Long> served = new ArrayList<>();
      while ((closedAfter.size() < attackers || served.size() < 5)
          && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
        long sent = System.nanoTime();
        HttpResponse<String> answer = Http.post(server.port(), "/webhook/open", "{\"during\":\"slowloris\"}",
            "Content-Type", "application/json");
        served.add((System.nanoTime() - sent) / 1_000_000);
        assertEquals(200, answer.statusCode());
      }
      assertEquals(attackers, closedAfter.size(), "slowloris connections still open after 20 s");
      long slowest = Collections.max(closedAfter);
      System.out.printf("slowloris: %d connections closed after %d..%d ms (header timeout 1000 ms); "
          + "%d webhooks served meanwhile, slowest %d ms%n", attackers, Collections.min(closedAfter), slowest,
          served.size(), served.isEmpty() ? 0 : Collections.max(served));
      assertTrue(slowest <= 3000, "closed after " + slowest + " ms");
      assertTrue(!served.isEmpty() && Collections.max(served) < 1000, "others waited: " + served);
    } finally {
      vertx.cancelTimer(drip);
      client.close().await();
    }
  }

  @Test
  void silentConnectionsAreClosedOnBothPorts() throws Exception {
    for (int port : new int[] {server.port(), adminPort}) {
      try (RawConnection silent = RawConnection.open(port)) {
        long closed = silent.awaitClose(Duration.ofSeconds(5));
        assertTrue(closed >= 0 && closed < 3000, "port " + port + ": closed after " + closed + " ms");
        assertEquals("", silent.text(), "nothing is answered to a connection that sent nothing");
      }
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(200, connection.status());
      long closed = connection.awaitClose(Duration.ofSeconds(5));
      assertTrue(closed >= 0 && closed < 3000, "closed after " + closed + " ms");
    }
  }

  @Test
  void aBodyBelowTheMinimumRateIsAnswered408AndClosed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      // 1 KB per 250 ms = 4 KB/s, half the minimum rate
      long after = dripBody(connection, 100_000, 1024);
      assertEquals(408, connection.status(), connection.text());
      assertTrue(connection.closedByPeer());
      assertTrue(after < 4000, "closed after " + after + " ms");
    }
  }

  @Test
  void aBodyThatTakesLongerThanTheBodyTimeoutIsAnswered408() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      // 16 KB per 250 ms = 64 KB/s: above the minimum rate, but 1 MB needs 15 s
      long after = dripBody(connection, 1_000_000, 16 * 1024);
      assertEquals(408, connection.status(), connection.text());
      assertTrue(after >= 2500 && after < 6000, "closed after " + after + " ms (body timeout 3 s)");
    }
  }

  /**
   * Sends the head of a {@code length}-byte webhook, then {@code bytesPerQuarterSecond} every 250 ms
   * until the receiver closes (10 s at most); returns the milliseconds from the head to the close.
   */
  static long dripBody(RawConnection connection, int length, int bytesPerQuarterSecond) throws Exception {
    connection.write("POST /webhook/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + length + "\r\n\r\n{\"a\":\"");
    long start = System.nanoTime();
    while (!connection.closedByPeer() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
      if (!connection.write("x".repeat(bytesPerQuarterSecond))) {
        break;
      }
      connection.readResponse(Duration.ofMillis(250));
    }
    connection.awaitClose(Duration.ofSeconds(3));
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void streamsOutliveTheHeaderAndKeepAliveDeadlines() throws Exception {
    try (TestConnector webSocket = new TestConnector(vertx).echoHeartbeats(true)
            .connect(server.port(), "slow-clients", CHANNEL_TOKEN);
         SseClient sse = SseClient.open(server.port(), "/connect/stream/slow-clients/sse",
             "Authorization", "Bearer " + CHANNEL_TOKEN)) {
      // three heartbeats 1 s apart: the streams stay open past the 1 s header and keep-alive deadlines
      for (int i = 0; i < 3; i++) {
        SseClient.Event heartbeat = sse.next("heartbeat", 5_000);
        assertTrue(heartbeat != null && heartbeat != SseClient.END, "SSE heartbeat " + i);
        assertTrue(webSocket.next("heartbeat", 5_000) != null, "WebSocket heartbeat " + i);
      }
      String id = new io.cwm.testing.ConnectApi(server).post("relay", "{\"after\":\"deadlines\"}");
      JsonObject webhook = webSocket.next("webhook", 5_000);
      if (webhook == null) { // the channel's least-loaded session may be the SSE one
        assertEquals("webhook", sse.next("webhook", 5_000).event());
      } else {
        assertEquals(id, webhook.getString("message_id"));
      }
      assertTrue(!webSocket.isClosed(), "WebSocket closed");
    }
    // a long-poll of 3 s is answered 204 at its own timeout, not cut by the 1 s deadlines
    HttpResponse<String> poll = Http.get(server.port(), "/connect/stream/slow-clients/poll?timeout=3",
        "Authorization", "Bearer " + CHANNEL_TOKEN, "X-Connector-ID", "slow-poller");
    assertTrue(poll.statusCode() == 204 || poll.statusCode() == 200, "poll answered " + poll.statusCode());
  }

}
