package io.cwm.module.zeromq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cwm.net.AddressClass;
import io.cwm.net.IpAddresses;
import io.cwm.testing.Http;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.cwm.testing.ZeroMqPeer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;

/**
 * The zeromq module through a real receiver against JeroMQ peers bound in the test (PULL, SUB,
 * REP, ROUTER): the frames each socket type delivers, what a 200 waits for, one socket reused
 * across webhooks, and its failures. The receiver runs without ALLOW_LOCALHOST_FOR_TESTS: the
 * entries reach loopback through {@code allowed_hosts}, so the address check at socket build is
 * tested too.
 */
class ZeroMqModuleTest {
  static ZeroMqPeer pull;
  static ZeroMqPeer blobPull;
  static ZeroMqPeer proxiedPull;
  static ZeroMqPeer cutPull;
  static TcpProxy cutProxy;
  static ZeroMqPeer rep;
  static ZeroMqPeer silentRouter;
  static ZeroMqPeer router;
  static ZeroMqPeer sub;
  static TcpProxy proxy;
  static TestServer server;
  static String machineName;

  @BeforeAll
  static void start() throws Exception {
    pull = new ZeroMqPeer(SocketType.PULL);
    blobPull = new ZeroMqPeer(SocketType.PULL);
    proxiedPull = new ZeroMqPeer(SocketType.PULL);
    rep = new ZeroMqPeer(SocketType.REP);
    silentRouter = new ZeroMqPeer(SocketType.ROUTER, n -> n == 0);
    router = new ZeroMqPeer(SocketType.ROUTER);
    sub = new ZeroMqPeer(SocketType.SUB);
    proxy = new TcpProxy("127.0.0.1", proxiedPull.port());
    cutPull = new ZeroMqPeer(SocketType.PULL);
    cutProxy = new TcpProxy("127.0.0.1", cutPull.port());
    machineName = InetAddress.getLocalHost().getHostName();
    int closed = TestServer.freePort();
    JsonObject webhooks = new JsonObject()
        .put("push", entry("PUSH", pull.endpoint()))
        .put("blob", entry("PUSH", blobPull.endpoint()).put("data_type", "blob"))
        .put("proxied", entry("PUSH", "tcp://127.0.0.1:" + proxy.port()))
        .put("cut", entry("PUSH", "tcp://127.0.0.1:" + cutProxy.port()))
        .put("req", entry("REQ", rep.endpoint()))
        .put("req_silent", entry("REQ", silentRouter.endpoint()))
        .put("dealer", entry("DEALER", router.endpoint()))
        .put("pub", entry(null, sub.endpoint()))
        .put("down", entry("PUSH", "tcp://127.0.0.1:" + closed))
        .put("by_name", new JsonObject().put("module", "zeromq").put("module-config", new JsonObject()
            .put("endpoint", "tcp://" + machineName + ":" + pull.port()).put("socket_type", "PUSH")));
    webhooks.getJsonObject("req_silent").getJsonObject("module-config").put("timeout", 1.5);
    webhooks.getJsonObject("down").getJsonObject("module-config").put("timeout", "0.3");
    webhooks.getJsonObject("cut").getJsonObject("module-config").put("timeout", "0.5");
    server = TestServer.start(webhooks.encodePrettily(), "{}", Map.of());
  }

  private static JsonObject entry(String socketType, String endpoint) {
    JsonObject config = new JsonObject().put("endpoint", endpoint).put("allowed_hosts", new JsonArray().add("127.0.0.1"));
    if (socketType != null) {
      config.put("socket_type", socketType);
    }
    return new JsonObject().put("module", "zeromq").put("data_type", "json").put("module-config", config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    proxy.close();
    cutProxy.close();
    for (ZeroMqPeer peer : List.of(pull, blobPull, proxiedPull, cutPull, rep, silentRouter, router, sub)) {
      peer.close();
    }
  }

  private static HttpResponse<String> post(String id, String body) throws Exception {
    return Http.post(server.port(), "/webhook/" + id, body, "Content-Type", "application/json", "X-Event", "test");
  }

  private static boolean receivedBy(ZeroMqPeer peer, String marker) throws Exception {
    return TestConnector.await(5_000, () -> peer.bodies().stream().anyMatch(body -> body.contains(marker)));
  }

  @Test
  void anotherPusherThatCameAndWentBeforeTheModuleDoesNotStopIt() throws Exception {
    try (ZeroMqPeer shared = new ZeroMqPeer(SocketType.PULL);
        org.zeromq.ZContext other = new org.zeromq.ZContext(1)) {
      org.zeromq.ZMQ.Socket push = other.createSocket(SocketType.PUSH);
      push.connect(shared.endpoint());
      for (int i = 0; i < 50_000; i++) {
        push.send("{\"other\":" + i + "}");
      }
      other.destroySocket(push);
      JsonObject webhooks = new JsonObject().put("late", entry("PUSH", shared.endpoint()));
      try (TestServer late = TestServer.start(webhooks.encodePrettily(), "{}", Map.of())) {
        String marker = UUID.randomUUID().toString();
        HttpResponse<String> response = Http.post(late.port(), "/webhook/late", "{\"marker\":\"" + marker + "\"}",
            "Content-Type", "application/json");
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(receivedBy(shared, marker));
      }
    }
  }

  @Test
  void pushSendsTheJsonPayloadAsOneCompactFrame() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("push", "{ \"marker\": \"" + marker + "\", \"n\": 1, \"ok\": true }");
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(receivedBy(pull, marker));
    List<byte[]> frames = pull.messages().stream()
        .filter(m -> new String(m.get(0), StandardCharsets.UTF_8).contains(marker)).findFirst().orElseThrow();
    assertEquals(1, frames.size(), "one frame, no headers");
    assertEquals("{\"marker\":\"" + marker + "\",\"n\":1,\"ok\":true}", new String(frames.get(0), StandardCharsets.UTF_8));
  }

  @Test
  void aStringPayloadGoesAsItsText() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("push", "\"text " + marker + "\"");
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(receivedBy(pull, marker));
    assertTrue(pull.bodies().contains("text " + marker), pull.bodies()::toString);
  }

  @Test
  void aBlobGoesAsItsRawBytes() throws Exception {
    byte[] body = {(byte) 0xff, 0, 'z', (byte) 0x80, '\n'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/blob", body, "Content-Type",
        "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(TestConnector.await(5_000, () -> !blobPull.messages().isEmpty()));
    assertArrayEquals(body, blobPull.messages().get(0).get(0));
  }

  @Test
  void reqAnswers200OnceThePeerReplied() throws Exception {
    String marker = UUID.randomUUID().toString();
    int before = rep.messages().size();
    HttpResponse<String> response = post("req", "{\"marker\":\"" + marker + "\"}");
    assertEquals(200, response.statusCode(), response::body);
    // the 200 came after the reply, so the request is already there
    assertEquals(before + 1, rep.messages().size());
    assertTrue(rep.bodies().get(before).contains(marker));
  }

  @Test
  void reqWithoutReplyIsARetryable503AndTheSocketIsRebuilt() throws Exception {
    HttpResponse<String> lost = post("req_silent", "{\"n\":0}");
    assertEquals(503, lost.statusCode(), lost::body);
    assertTrue(lost.headers().firstValue("retry-after").isPresent());
    // a REQ socket still waiting for the lost reply could not send again: the rebuilt one can
    HttpResponse<String> next = post("req_silent", "{\"n\":1}");
    assertEquals(200, next.statusCode(), () -> next.body() + " router saw " + silentRouter.bodies());
    List<List<byte[]>> seen = silentRouter.messages();
    assertEquals(2, seen.size());
    // a new socket, so a new identity at the ROUTER; REQ's envelope: [identity, "", body]
    assertTrue(!java.util.Arrays.equals(seen.get(0).get(0), seen.get(1).get(0)), "the same REQ socket was reused");
    assertEquals(0, seen.get(1).get(1).length);
    assertEquals("{\"n\":1}", new String(seen.get(1).get(2), StandardCharsets.UTF_8));
  }

  @Test
  void dealerSendsOneFrameThatTheRouterSeesWithTheDealersIdentity() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post("dealer", "{\"marker\":\"" + marker + "\"}");
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(receivedBy(router, marker));
    List<byte[]> frames = router.messages().get(router.messages().size() - 1);
    assertEquals(2, frames.size(), "[identity, body]");
  }

  @Test
  void pubReachesASubscriberOnceItsSubscriptionArrived() throws Exception {
    String marker = UUID.randomUUID().toString();
    // PUB drops what no subscriber has asked for yet: repeat until the subscription has reached it
    assertTrue(TestConnector.await(10_000, () -> {
      try {
        assertEquals(200, post("pub", "{\"marker\":\"" + marker + "\"}").statusCode());
      } catch (Exception e) {
        return false;
      }
      return sub.bodies().stream().anyMatch(body -> body.contains(marker));
    }));
  }

  @Test
  void oneSocketServesEveryWebhook() throws Exception {
    for (int n = 0; n < 5; n++) {
      HttpResponse<String> response = post("proxied", "{\"n\":" + n + "}");
      assertEquals(200, response.statusCode(), response::body);
    }
    assertTrue(TestConnector.await(5_000, () -> proxiedPull.messages().size() == 5));
    assertEquals(1, proxy.accepted(), "one connection for all webhooks");
  }

  @Test
  void noPeerIsARetryable503WithinTheTimeout() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = post("down", "{\"n\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent());
    assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "answered long after the 0.3 s timeout");
  }

  @Test
  void pushFailsWith503OnceThePeerIsGoneAndDeliversAgainWhenItIsBack() throws Exception {
    // the entry's timeout is 0.5 s: the first connection may take longer on a loaded machine
    assertTrue(TestConnector.await(10_000, () -> {
      try {
        return post("cut", "{\"n\":0}").statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }), "PUSH never connected");
    cutProxy.cut();
    try {
      // ZMQ_IMMEDIATE: once the socket has seen the connection go, nothing is queued for it
      assertTrue(TestConnector.await(10_000, () -> {
        try {
          return post("cut", "{\"n\":-1}").statusCode() == 503;
        } catch (Exception e) {
          return false;
        }
      }), "PUSH kept answering 200 with its peer gone");
    } finally {
      cutProxy.restore();
    }
    String marker = UUID.randomUUID().toString();
    assertTrue(TestConnector.await(10_000, () -> {
      try {
        return post("cut", "{\"marker\":\"" + marker + "\"}").statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }), "PUSH never reconnected");
    assertTrue(receivedBy(cutPull, marker));
  }

  @Test
  void aHostNameThatResolvesToLoopbackIsRefusedWhenTheSocketIsBuilt() throws Exception {
    byte[] address = IpAddresses.parse(IpAddresses.format(InetAddress.getByName(machineName).getAddress()));
    assumeTrue(AddressClass.of(address) != AddressClass.PUBLIC, "this machine's name resolves to a public address");
    int before = pull.messages().size();
    HttpResponse<String> response = post("by_name", "{\"n\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(!response.body().contains(machineName) && !response.body().contains("127.0.0.1"), response::body);
    assertEquals(before, pull.messages().size());
  }
}
