package io.cwm.module.activemq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ActiveMqBroker;
import io.cwm.testing.ActiveMqBroker.Received;
import io.cwm.testing.Http;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.jms.MessageConsumer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The activemq module through a real receiver against the embedded ActiveMQ broker (STOMP),
 * messages read back with the JMS client: the frame the broker stores (body, headers as
 * properties, persistence), queues and topics, blobs, logins, one connection per named
 * connection, and the failures the broker can produce.
 */
class ActiveMqModuleTest {
  static final String QUEUE = "cwm.module." + UUID.randomUUID();
  static final String TOPIC = "cwm.topic." + UUID.randomUUID();
  static final String LOGIN_QUEUE = "cwm.login." + UUID.randomUUID();
  static final String PROXIED_QUEUE = "cwm.proxied." + UUID.randomUUID();
  static ActiveMqBroker broker;
  static TcpProxy proxy;
  static TcpProxy silentProxy;
  static TestServer server;
  static MessageConsumer queue;
  static MessageConsumer topic;

  @BeforeAll
  static void start() throws Exception {
    broker = ActiveMqBroker.shared();
    queue = broker.consumer(QUEUE, false);
    topic = broker.consumer(TOPIC, true);
    proxy = new TcpProxy(broker.host(), broker.stompPort());
    silentProxy = new TcpProxy(broker.host(), broker.stompPort());
    int closed = TestServer.freePort();
    JsonObject webhooks = new JsonObject()
        .put("queue", entry("broker", QUEUE, null))
        .put("blob", entry("broker", QUEUE, null).put("data_type", "blob"))
        .put("topic", entry("broker", TOPIC, "Topic"))
        .put("login", entry("login", LOGIN_QUEUE, null))
        .put("proxied", entry("proxied", PROXIED_QUEUE, null))
        .put("silent", entry("silent", QUEUE, null))
        .put("bad_login", entry("bad_login", QUEUE, null))
        .put("forbidden", entry("broker", "forbidden.orders", null))
        .put("down", entry("down", QUEUE, null));
    JsonObject connections = new JsonObject()
        .put("broker", broker.connection("127.0.0.1", broker.stompPort()))
        // a substituted port is a string; the Python docs' "username" key is read too
        .put("login", new JsonObject().put("type", "activemq").put("host", "127.0.0.1")
            .put("port", String.valueOf(broker.stompPort())).put("username", ActiveMqBroker.USER)
            .put("password", ActiveMqBroker.PASSWORD))
        .put("proxied", broker.connection("127.0.0.1", proxy.port()))
        .put("silent", broker.connection("127.0.0.1", silentProxy.port()))
        .put("bad_login", broker.connection("127.0.0.1", broker.stompPort()).put("user", ActiveMqBroker.USER)
            .put("password", "wrong"))
        .put("down", broker.connection("127.0.0.1", closed));
    server = TestServer.start(webhooks.encodePrettily(), connections.encodePrettily(),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  private static JsonObject entry(String connection, String destination, String type) {
    JsonObject config = new JsonObject().put("destination", destination);
    if (type != null) {
      config.put("destination_type", type);
    }
    return new JsonObject().put("module", "activemq").put("data_type", "json").put("connection", connection)
        .put("module-config", config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    proxy.close();
    silentProxy.close();
    queue.close();
    topic.close();
    for (String name : List.of(QUEUE, LOGIN_QUEUE, PROXIED_QUEUE, "forbidden.orders")) {
      broker.removeQueue(name);
    }
  }

  private static HttpResponse<String> post(String id, String body, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return Http.post(server.port(), "/webhook/" + id, body, all);
  }

  @Test
  void sendsPersistentJsonWithTheRequestHeadersButNotTheControlOnes() throws Exception {
    HttpResponse<String> response = post("queue", "{ \"event\": \"push\", \"n\": 1 }", "X-Event", "push",
        "X-Odd", "a:b\\c", "Expires", "Thu, 01 Dec 1994 16:00:00 GMT", "Priority", "9", "Persistent", "false",
        "Transaction", "tx-1", "Destination", "/queue/cwm.elsewhere");
    assertEquals(200, response.statusCode(), response::body);
    // the 200 came after the broker's RECEIPT: the message is there
    Received message = ActiveMqBroker.next(queue, 5_000);
    assertNotNull(message);
    assertEquals("{\"event\":\"push\",\"n\":1}", message.bodyText());
    assertTrue(message.persistent(), "persistent:true");
    Map<String, Object> properties = message.properties();
    assertEquals("push", properties.get("x-event"), properties::toString);
    assertEquals("a:b\\c", properties.get("x-odd"), "escaped and unescaped as STOMP 1.2 says");
    for (String control : List.of("expires", "priority", "persistent", "transaction", "content-length")) {
      assertFalse(properties.containsKey(control), () -> control + " in " + properties);
    }
    assertEquals(0, broker.queueSize("cwm.elsewhere"));
  }

  @Test
  void aStringPayloadGoesAsTextAndABlobAsItsBytes() throws Exception {
    assertEquals(200, post("queue", "\"plain text\"").statusCode());
    Received text = ActiveMqBroker.next(queue, 5_000);
    assertNotNull(text);
    assertEquals("plain text", text.bodyText());
    byte[] blob = {0, (byte) 0xff, 'x', '\n', 0};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/blob", blob, "Content-Type",
        "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    Received bytes = ActiveMqBroker.next(queue, 5_000);
    assertNotNull(bytes);
    assertArrayEquals(blob, bytes.body());
  }

  @Test
  void aTopicReachesItsSubscriber() throws Exception {
    HttpResponse<String> response = post("topic", "{\"to\":\"topic\"}");
    assertEquals(200, response.statusCode(), response::body);
    Received message = ActiveMqBroker.next(topic, 5_000);
    assertNotNull(message);
    assertEquals("{\"to\":\"topic\"}", message.bodyText());
    assertNull(ActiveMqBroker.next(queue, 100), "a topic message landed in the queue");
  }

  @Test
  void logsInWithUsernameAndAStringPort() throws Exception {
    try (AutoCloseableConsumer login = new AutoCloseableConsumer(broker.consumer(LOGIN_QUEUE, false))) {
      HttpResponse<String> response = post("login", "{\"who\":\"cwm\"}");
      assertEquals(200, response.statusCode(), response::body);
      Received message = ActiveMqBroker.next(login.consumer(), 5_000);
      assertNotNull(message);
      assertEquals("{\"who\":\"cwm\"}", message.bodyText());
    }
  }

  @Test
  void oneConnectionServesEveryWebhook() throws Exception {
    for (int n = 0; n < 5; n++) {
      HttpResponse<String> response = post("proxied", "{\"n\":" + n + "}");
      assertEquals(200, response.statusCode(), response::body);
    }
    assertEquals(5, broker.queueSize(PROXIED_QUEUE));
    assertEquals(1, proxy.accepted(), "one STOMP connection for all webhooks");
  }

  @Test
  void refusedCredentialsAreA500() throws Exception {
    HttpResponse<String> response = post("bad_login", "{\"n\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertFalse(response.body().contains("password"), response::body);
  }

  @Test
  void aDestinationTheUserMayNotWriteIsA500() throws Exception {
    HttpResponse<String> response = post("forbidden", "{\"n\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertEquals(0, broker.queueSize("forbidden.orders"));
    // the connection survives a refused SEND
    assertEquals(200, post("queue", "{\"after\":\"forbidden\"}").statusCode());
    assertNotNull(ActiveMqBroker.next(queue, 5_000));
  }

  @Test
  void anUnreachableBrokerIsARetryable503() throws Exception {
    HttpResponse<String> response = post("down", "{\"n\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent());
  }

  @Test
  void aBrokerThatStopsAnsweringFailsRetryablyAndTheNextCallReconnects() throws Exception {
    assertEquals(200, post("silent", "{\"before\":1}").statusCode());
    assertNotNull(ActiveMqBroker.next(queue, 5_000));
    silentProxy.blackHole();
    HttpResponse<String> lost;
    try {
      // no RECEIPT: the receipt timeout (10 s) or the missing heart-beats end the connection
      lost = post("silent", "{\"during\":1}");
    } finally {
      silentProxy.restore();
    }
    assertTrue(lost.statusCode() == 503 || lost.statusCode() == 504, lost::body);
    HttpResponse<String> after = post("silent", "{\"after\":1}");
    assertEquals(200, after.statusCode(), after::body);
    assertTrue(silentProxy.accepted() >= 2, "no new connection after the silent one");
    // what the broker got meanwhile (the held SEND, flowing on after the restore) is drained here
    while (ActiveMqBroker.next(queue, 500) != null) {
      // drain
    }
  }

  private record AutoCloseableConsumer(MessageConsumer consumer) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      consumer.close();
    }
  }
}
