package io.cwm.module.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.testing.Http;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mqtt module through a real receiver: the machine's Mosquitto (127.0.0.1:1883, anonymous)
 * for the message format, QoS, retain, layouts and failures; a Mosquitto of the test's own
 * ({@link MosquittoProcess}) for user name / password, TLS with a generated CA and a client
 * certificate. What the broker delivers is read back with a plain subscriber.
 */
class MqttModuleTest {
  static final String HOST = System.getProperty("cwm.mqtt.host", "127.0.0.1");
  static final int PORT = Integer.getInteger("cwm.mqtt.port", 1883);
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String BASE = "cwm-test/" + RUN;
  static final Map<String, String> ENV = Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true");

  static MosquittoProcess own;
  static MqttSubscriber subscriber;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    own = new MosquittoProcess();
    subscriber = new MqttSubscriber(HOST, PORT, BASE + "/#");
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "plain": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/plain"}},
          "qos0": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/qos0", "qos": 0}},
          "qos2": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/qos2", "qos": "2"}},
          "retained": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/retained",
                       "retained": true}},
          "raw": {"module": "mqtt", "connection": "broker", "data_type": "blob", "module-config":
                  {"topic": "%1$s/raw", "format": "raw"}},
          "jsonblob": {"module": "mqtt", "connection": "broker", "data_type": "blob", "module-config":
                  {"topic": "%1$s/jsonblob"}},
          "encoded": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/encoded",
                      "format": "text"}},
          "fallback": {"module": "mqtt", "connection": "broker", "topic": "%1$s/fallback"},
          "prefixed": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "sensors/t1",
                       "topic_prefix": "%1$s/site/"}},
          "shelly": {"module": "mqtt", "connection": "broker", "module-config": {"topic": "%1$s/shelly",
                     "shelly_gen2_format": true, "device_id": "shellyplus1-a8"}},
          "tasmota": {"module": "mqtt", "connection": "broker", "module-config": {"tasmota_format": true,
                      "device_name": "sonoff-%2$s", "command": "Power", "topic_prefix": "%1$s"}},
          "reuse": {"module": "mqtt", "connection": "reuse-%2$s", "module-config": {"topic": "%1$s/reuse"}},
          "down": {"module": "mqtt", "connection": "nobroker", "module-config": {"topic": "%1$s/down"}},
          "password": {"module": "mqtt", "connection": "withpassword", "module-config": {"topic": "%1$s/password"}},
          "badpassword": {"module": "mqtt", "connection": "badpassword", "module-config": {"topic": "%1$s/bad"}},
          "tls": {"module": "mqtt", "connection": "tls", "module-config": {"topic": "%1$s/tls"}},
          "tlsuntrusted": {"module": "mqtt", "connection": "tlsuntrusted", "module-config": {"topic": "%1$s/x"}},
          "tlsinsecure": {"module": "mqtt", "connection": "tlsinsecure", "module-config": {"topic": "%1$s/insecure"}},
          "clientcert": {"module": "mqtt", "connection": "clientcert", "module-config": {"topic": "%1$s/clientcert"}}
        }
        """.formatted(BASE, RUN), """
        {
          "broker": {"type": "mqtt", "host": "%1$s", "port": %2$d},
          "reuse-%3$s": {"type": "mqtt", "host": "%1$s", "port": "%2$d", "keepalive": "30"},
          "nobroker": {"type": "mqtt", "host": "127.0.0.1", "port": %4$d},
          "withpassword": {"type": "mqtt", "host": "127.0.0.1", "port": %5$d, "username": "%8$s", "password": "%9$s"},
          "badpassword": {"type": "mqtt", "host": "127.0.0.1", "port": %5$d, "user": "%8$s", "password": "wrong"},
          "tls": {"type": "mqtt", "host": "localhost", "port": %6$d, "tls": true, "tls_ca_cert_file": "%10$s",
                  "username": "%8$s", "password": "%9$s", "mqtt_version": "3.1.1"},
          "tlsuntrusted": {"type": "mqtt", "host": "localhost", "port": %6$d, "tls": "true",
                           "username": "%8$s", "password": "%9$s"},
          "tlsinsecure": {"type": "mqtt", "host": "127.0.0.1", "port": %6$d, "tls": true, "tls_insecure": true,
                          "username": "%8$s", "password": "%9$s"},
          "clientcert": {"type": "mqtt", "host": "localhost", "port": %7$d, "tls": true, "tls_ca_cert_file": "%10$s",
                         "tls_cert_file": "%11$s", "tls_key_file": "%12$s"}
        }
        """.formatted(HOST, PORT, RUN, closedPort, own.passwordPort(), own.tlsPort(), own.clientCertPort(),
        MosquittoProcess.USER, MosquittoProcess.PASSWORD, own.caFile(), own.clientCertFile(), own.clientKeyFile()),
        ENV);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (subscriber != null) {
        subscriber.close();
      }
      clearRetained(BASE + "/retained"); // the retained message would outlive the test run
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  /** An empty retained message deletes the retained one (MQTT 3.1.1 §3.3.1.3). */
  private static void clearRetained(String topic) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.mqtt.MqttClient client = io.vertx.mqtt.MqttClient.create(vertx);
      io.cwm.testing.Futures.await(client.connect(PORT, HOST));
      io.cwm.testing.Futures.await(client.publish(topic, io.vertx.core.buffer.Buffer.buffer(),
          io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, false, true));
      io.cwm.testing.Futures.await(client.disconnect());
    } finally {
      io.cwm.testing.Futures.await(vertx.close());
    }
  }

  private static HttpResponse<String> post(String id, String json) throws Exception {
    return Http.post(server.port(), "/webhook/" + id, json, "Content-Type", "application/json", "X-Event", "push");
  }

  private static MqttSubscriber.Received only(String topic) throws InterruptedException {
    List<MqttSubscriber.Received> messages = subscriber.await(1, topic);
    assertEquals(1, messages.size(), () -> "messages on " + topic);
    return messages.get(0);
  }

  @Test
  void jsonPayloadIsPublishedAtQos1WithoutHeaders() throws Exception {
    HttpResponse<String> response = post("plain", "{\"event\":\"push\",\"n\":1,\"text\":\"h\u00e9llo\"}");
    assertEquals(200, response.statusCode(), response::body);
    MqttSubscriber.Received message = only(BASE + "/plain");
    assertEquals(new JsonObject().put("event", "push").put("n", 1).put("text", "h\u00e9llo"),
        new JsonObject(message.text()));
    assertEquals(1, message.qos());
    assertFalse(message.retained());
  }

  @Test
  void qos0AndQos2AreHonoured() throws Exception {
    assertEquals(200, post("qos0", "{\"q\":0}").statusCode());
    assertEquals(200, post("qos2", "{\"q\":2}").statusCode());
    assertEquals(0, only(BASE + "/qos0").qos());
    MqttSubscriber.Received exactlyOnce = only(BASE + "/qos2");
    assertEquals(2, exactlyOnce.qos());
    assertEquals(new JsonObject().put("q", 2), new JsonObject(exactlyOnce.text()));
  }

  @Test
  void retainedMessageReachesALaterSubscriber() throws Exception {
    assertEquals(200, post("retained", "{\"state\":\"on\"}").statusCode());
    try (MqttSubscriber later = new MqttSubscriber(HOST, PORT, BASE + "/retained")) {
      MqttSubscriber.Received message = later.await(1, BASE + "/retained").get(0);
      assertTrue(message.retained());
      assertEquals(new JsonObject().put("state", "on"), new JsonObject(message.text()));
    }
  }

  @Test
  void blobIsPublishedAsItsRawBytesInRawAndJsonFormat() throws Exception {
    byte[] body = new byte[256];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i; // not UTF-8, not JSON
    }
    for (String id : List.of("raw", "jsonblob")) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/" + id, body,
          "Content-Type", "application/octet-stream");
      assertEquals(200, response.statusCode(), response::body);
      assertArrayEquals(body, only(BASE + "/" + id).payload(), id);
    }
  }

  @Test
  void anotherFormatJsonEncodesAStringPayload() throws Exception {
    assertEquals(200, post("encoded", "\"just text\"").statusCode());
    assertEquals("\"just text\"", only(BASE + "/encoded").text());
  }

  @Test
  void entryLevelTopicIsTheFallback() throws Exception {
    assertEquals(200, post("fallback", "[1,2]").statusCode());
    assertEquals("[1,2]", only(BASE + "/fallback").text());
  }

  @Test
  void topicPrefixIsPrepended() throws Exception {
    assertEquals(200, post("prefixed", "{\"t\":21.5}").statusCode());
    assertEquals(new JsonObject().put("t", 21.5), new JsonObject(only(BASE + "/site/sensors/t1").text()));
  }

  @Test
  void shellyGen2EnvelopeCarriesDeviceIdAndParams() throws Exception {
    assertEquals(200, post("shelly", "{\"on\":true}").statusCode());
    assertEquals(new JsonObject().put("id", "shellyplus1-a8").put("source", "webhook")
        .put("params", new JsonObject().put("on", true)), new JsonObject(only(BASE + "/shelly").text()));
  }

  @Test
  void tasmotaCommandTopicAndDataEnvelope() throws Exception {
    assertEquals(200, post("tasmota", "\"ON\"").statusCode());
    assertEquals(new JsonObject().put("data", "ON"),
        new JsonObject(only(BASE + "/cmnd/sonoff-" + RUN + "/Power").text()));
  }

  @Test
  void oneBrokerConnectionServesEveryCallOfAConnection() throws Exception {
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = post("reuse", "{\"i\":" + i + "}");
      assertEquals(200, response.statusCode(), response::body);
    }
    assertEquals(1, MqttLink.connectionsOpened("reuse-" + RUN));
    List<MqttSubscriber.Received> messages = subscriber.await(20, BASE + "/reuse");
    for (int i = 0; i < 20; i++) {
      assertEquals(new JsonObject().put("i", i), new JsonObject(messages.get(i).text()));
    }
  }

  @Test
  void unreachableBrokerIsARetryable503WithinSeconds() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = post("down", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(MqttLink.CONNECT_TIMEOUT_MS / 1000 + 1));
  }

  @Test
  void userNameAndPasswordLogIn() throws Exception {
    try (MqttSubscriber reader = new MqttSubscriber("127.0.0.1", own.passwordPort(), BASE + "/password",
        new io.vertx.mqtt.MqttClientOptions().setUsername(MosquittoProcess.USER)
            .setPassword(MosquittoProcess.PASSWORD))) {
      HttpResponse<String> response = post("password", "{\"login\":true}");
      assertEquals(200, response.statusCode(), response::body);
      assertEquals(new JsonObject().put("login", true), new JsonObject(reader.await(1, BASE + "/password").get(0)
          .text()));
    }
  }

  @Test
  void aRefusedPasswordIsAPermanent500() throws Exception {
    HttpResponse<String> response = post("badpassword", "{\"a\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
    assertFalse(response.body().contains("wrong"), response::body);
  }

  @Test
  void tlsWithTheConnectionsCaAndAPassword() throws Exception {
    try (MqttSubscriber reader = new MqttSubscriber("localhost", own.tlsPort(), BASE + "/tls",
        MqttSubscriber.tls(own.caFile(), MosquittoProcess.USER, MosquittoProcess.PASSWORD))) {
      HttpResponse<String> response = post("tls", "{\"tls\":true}");
      assertEquals(200, response.statusCode(), response::body);
      assertEquals(new JsonObject().put("tls", true), new JsonObject(reader.await(1, BASE + "/tls").get(0).text()));
    }
  }

  @Test
  void anUntrustedBrokerCertificateIsAPermanent500() throws Exception {
    HttpResponse<String> response = post("tlsuntrusted", "{\"a\":1}");
    assertEquals(500, response.statusCode(), response::body);
  }

  @Test
  void tlsInsecureSkipsChainAndHostNameChecks() throws Exception {
    try (MqttSubscriber reader = new MqttSubscriber("localhost", own.tlsPort(), BASE + "/insecure",
        MqttSubscriber.tls(own.caFile(), MosquittoProcess.USER, MosquittoProcess.PASSWORD))) {
      HttpResponse<String> response = post("tlsinsecure", "{\"insecure\":true}");
      assertEquals(200, response.statusCode(), response::body);
      reader.await(1, BASE + "/insecure");
    }
  }

  @Test
  void clientCertificateFromPemFiles() throws Exception {
    try (MqttSubscriber reader = new MqttSubscriber("localhost", own.clientCertPort(), BASE + "/clientcert",
        MqttSubscriber.clientCertificate(own.caFile(), own.clientCertFile(), own.clientKeyFile()))) {
      HttpResponse<String> response = post("clientcert", "{\"cert\":true}");
      assertEquals(200, response.statusCode(), response::body);
      reader.await(1, BASE + "/clientcert");
    }
  }

  @Test
  void twoReceiversWithTheDefaultClientIdDoNotKickEachOtherOff() throws Exception {
    String connection = "shared-" + RUN;
    String webhooks = "{\"hook\": {\"module\": \"mqtt\", \"connection\": \"" + connection
        + "\", \"module-config\": {\"topic\": \"" + BASE + "/shared\"}}}";
    String connections = "{\"" + connection + "\": {\"type\": \"mqtt\", \"host\": \"" + HOST + "\", \"port\": "
        + PORT + "}}";
    try (TestServer first = TestServer.start(webhooks, connections, ENV);
        TestServer second = TestServer.start(webhooks, connections, ENV)) {
      for (int i = 0; i < 10; i++) {
        for (TestServer receiver : List.of(first, second)) {
          HttpResponse<String> response = Http.post(receiver.port(), "/webhook/hook", "{\"i\":" + i + "}",
              "Content-Type", "application/json");
          assertEquals(200, response.statusCode(), response::body);
        }
      }
      subscriber.await(20, BASE + "/shared");
      // one connection each, never taken over by the other (Python's fixed id would reconnect every time)
      assertEquals(2, MqttLink.connectionsOpened(connection));
    }
  }

  @Test
  void aBrokerThatStopsAcknowledgingIsARetryable504AndTheNextCallReconnects() throws Exception {
    try (TcpProxy proxy = new TcpProxy(HOST, PORT)) {
      String webhooks = "{\"hook\": {\"module\": \"mqtt\", \"connection\": \"silent\", \"module-config\": "
          + "{\"topic\": \"" + BASE + "/silent\"}}}";
      String connections = "{\"silent\": {\"type\": \"mqtt\", \"host\": \"127.0.0.1\", \"port\": " + proxy.port()
          + "}}";
      try (TestServer receiver = TestServer.start(webhooks, connections, ENV)) {
        assertEquals(200, Http.post(receiver.port(), "/webhook/hook", "{\"n\":1}", "Content-Type",
            "application/json").statusCode());
        proxy.blackHole(); // the connection stays open, nothing comes back
        long started = System.nanoTime();
        HttpResponse<String> unacknowledged = Http.post(receiver.port(), "/webhook/hook", "{\"n\":2}",
            "Content-Type", "application/json");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertEquals(504, unacknowledged.statusCode(), unacknowledged::body);
        assertTrue(seconds >= MqttLink.ACK_TIMEOUT_MS / 1000 - 1 && seconds <= MqttLink.ACK_TIMEOUT_MS / 1000 + 2,
            "took " + seconds + " s");
        proxy.restore();
        assertEquals(200, Http.post(receiver.port(), "/webhook/hook", "{\"n\":3}", "Content-Type",
            "application/json").statusCode());
        assertEquals(2, MqttLink.connectionsOpened("silent"));
        subscriber.await(1, message -> message.topic().equals(BASE + "/silent") && message.text().equals("{\"n\":3}"));
      }
    }
  }

  private static String loadError(String webhooks, String connections) {
    Exception e = assertThrows(Exception.class, () -> TestServer.start(webhooks, connections, ENV).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    return refused.problems().toString();
  }

  @Test
  void mqtt5KeepsTheReceiverFromStartingWithTheReason() {
    String problems = loadError("{\"v5\": {\"module\": \"mqtt\", \"connection\": \"v5\", \"topic\": \"a/b\"}}",
        "{\"v5\": {\"type\": \"mqtt\", \"host\": \"127.0.0.1\", \"mqtt_version\": \"5.0\"}}");
    assertTrue(problems.contains("connection 'v5'") && problems.contains("mqtt_version")
        && problems.contains("speaks MQTT 3.1.1 only"), problems);
  }

  @Test
  void aWildcardTopicKeepsTheReceiverFromStarting() {
    String problems = loadError("{\"wild\": {\"module\": \"mqtt\", \"module-config\": {\"topic\": \"a/+/b\"}}}", "{}");
    assertTrue(problems.contains("webhook 'wild'") && problems.contains("module-config.topic"), problems);
  }
}
