package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.rabbitmq.RabbitBroker;
import io.cwm.connector.http.HttpDeliverer;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 16, point 1: raw bodies byte for byte, through a real receiver (over real HTTP), a real
 * connector in HTTP mode and a real local HTTP target, on every buffer and every transport. The
 * test signs as Stripe and GitHub do, and the target checks those signatures with the providers'
 * algorithms over the bytes it received; form, XML and binary bodies arrive byte-identical with
 * their content type; a target with {@code sign} verifies our Standard Webhooks signature; a
 * webhook with {@code raw_body: false} (what a Python receiver publishes) is delivered as today.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawBodyRelayTest {
  static final String STRIPE_SECRET = "whsec_test_stripe_0123456789";
  static final String GITHUB_SECRET = "github-hook-secret";
  static final byte[] SIGNING_KEY = "local-target-signing-key-24b".getBytes(StandardCharsets.UTF_8);
  static final String SIGNING_SECRET = "whsec_" + Base64.getEncoder().encodeToString(SIGNING_KEY);

  /** Odd whitespace, key order, escapes (unicode, a solidus), a trailing newline: any re-encoding changes it. */
  static final String STRIPE_BODY = "{\n  \"type\" : \"payment_intent.succeeded\",\"id\":\"evt_1N\",  \"object\":\"event\","
      + "\"data\":{\"object\":{\"amount\":2000 ,\"description\":\"Caf\\u00e9 \\ud83d\\ude00\",\"ratio\":1.50,"
      + "\"url\":\"https:\\/\\/x.example\\/a\"}},\"created\":1700000000e0}\n";
  static final String GITHUB_BODY = "{\"zen\":\"Keep it logically awesome.\",   \"hook_id\":12345,"
      + "\"sender\":{\"login\":\"octo\\/cat\",\"name\":\"M\u00fcller\"},\"empty\":{ }}";
  static final String FORM_BODY = "event=charge.succeeded&amount=2000&note=hello+world&name=Caf%C3%A9&empty=";
  static final String XML_BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<event id=\"1\">  <name>Caf\u00e9</name>"
      + "<![CDATA[ a & b ]]></event>\n";
  static final byte[] BINARY_BODY = binary();
  static final String SIGNED_BODY = "{\"b\": 2,  \"a\": [1, 2.0, \"\\u00e9\"]}";
  static final String PYTHON_STYLE_BODY = "{\"b\": 2,  \"a\": 1}";

  final String suffix = UUID.randomUUID().toString().substring(0, 8);

  static byte[] binary() {
    byte[] bytes = new byte[4096];
    new Random(16).nextBytes(bytes);
    bytes[0] = (byte) 0xff; // never valid UTF-8
    return bytes;
  }

  enum Backend {
    EMBEDDED(Map.of("WEBHOOK_CONNECT_BUFFER", "embedded")),
    REDIS(Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL)),
    RABBITMQ(Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL));

    final Map<String, String> env;

    Backend(Map<String, String> env) {
      this.env = env;
    }
  }

  static Stream<Arguments> backendsAndTransports() {
    return Stream.of(Backend.values()).flatMap(backend -> Stream.of(ConnectorConfig.WEBSOCKET, ConnectorConfig.SSE,
        ConnectorConfig.LONG_POLL).map(protocol -> Arguments.of(backend, protocol)));
  }

  String webhooks(String channel) {
    String connect = "\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + channel
        + "\", \"channel_token\": \"tok\"";
    return "{"
        // the receiver checks the providers' signatures too: the raw body is the bytes it checked
        + "\"stripe\": {\"hmac\": {\"secret\": \"" + STRIPE_SECRET + "\", \"header\": \"Stripe-Signature\"}, "
        + connect + "}},"
        + "\"github\": {\"hmac\": {\"secret\": \"" + GITHUB_SECRET + "\", \"header\": \"X-Hub-Signature-256\"}, "
        + connect + ", \"raw_body\": true}},"
        + "\"form\": {\"data_type\": \"blob\", " + connect + "}},"
        + "\"xml\": {\"data_type\": \"blob\", " + connect + "}},"
        + "\"binary\": {\"data_type\": \"blob\", " + connect + "}},"
        + "\"signed\": {" + connect + "}},"
        + "\"python_style\": {" + connect + ", \"raw_body\": false}}"
        + "}";
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndTransports")
  void signaturesVerifyAtTheTargetAndEveryBodyArrivesByteForByte(Backend backend, String protocol) throws Exception {
    String channel = "raw-" + protocol.replace('_', '-') + "-" + suffix;
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(webhooks(channel), "{}", backend.env)) {
      ByteTarget target = ByteTarget.start(vertx);
      deployConnector(vertx, server.port(), channel, protocol, target.port());

      long now = System.currentTimeMillis() / 1000;
      String stripeSignature = "t=" + now + ",v1=" + hex(hmac(STRIPE_SECRET.getBytes(StandardCharsets.UTF_8),
          (now + "." + STRIPE_BODY).getBytes(StandardCharsets.UTF_8)));
      post(server.port(), "stripe", "application/json; charset=utf-8", STRIPE_BODY.getBytes(StandardCharsets.UTF_8),
          "Stripe-Signature", stripeSignature, "Authorization", "Bearer not-for-the-target");
      String githubSignature = "sha256=" + hex(hmac(GITHUB_SECRET.getBytes(StandardCharsets.UTF_8),
          GITHUB_BODY.getBytes(StandardCharsets.UTF_8)));
      post(server.port(), "github", "application/json", GITHUB_BODY.getBytes(StandardCharsets.UTF_8),
          "X-Hub-Signature-256", githubSignature, "X-GitHub-Event", "ping", "X-GitHub-Delivery", "d-1");
      post(server.port(), "form", "application/x-www-form-urlencoded", FORM_BODY.getBytes(StandardCharsets.UTF_8));
      post(server.port(), "xml", "application/xml; charset=utf-8", XML_BODY.getBytes(StandardCharsets.UTF_8));
      post(server.port(), "binary", "application/octet-stream", BINARY_BODY);
      post(server.port(), "signed", "application/json", SIGNED_BODY.getBytes(StandardCharsets.UTF_8));
      post(server.port(), "python_style", "application/json", PYTHON_STYLE_BODY.getBytes(StandardCharsets.UTF_8));

      assertTrue(await(30_000, () -> target.received.size() == 7), () -> "arrived: " + target.received.keySet());

      Arrival stripe = target.received.get("/stripe");
      assertArrayEquals(STRIPE_BODY.getBytes(StandardCharsets.UTF_8), stripe.body());
      assertEquals("application/json; charset=utf-8", stripe.headers().get("Content-Type"));
      assertTrue(verifyStripe(stripe.body(), stripe.headers().get("Stripe-Signature"), STRIPE_SECRET, 300),
          "Stripe's check (constructEvent's algorithm) passes at the target");
      assertNull(stripe.headers().get("Authorization"), "a masked credential is not forwarded as itself");
      assertEquals("***REDACTED***", stripe.headers().get("X-Original-authorization"), "today's X-Original- headers stay");

      Arrival github = target.received.get("/github");
      assertArrayEquals(GITHUB_BODY.getBytes(StandardCharsets.UTF_8), github.body());
      assertTrue(verifyGithub(github.body(), github.headers().get("X-Hub-Signature-256"), GITHUB_SECRET),
          "GitHub's HMAC check passes at the target");
      assertEquals("ping", github.headers().get("X-GitHub-Event"));
      assertEquals("d-1", github.headers().get("X-GitHub-Delivery"));

      assertBytes(target, "/form", FORM_BODY.getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
      assertBytes(target, "/xml", XML_BODY.getBytes(StandardCharsets.UTF_8), "application/xml; charset=utf-8");
      assertBytes(target, "/binary", BINARY_BODY, "application/octet-stream");

      Arrival signed = target.received.get("/signed");
      assertArrayEquals(SIGNED_BODY.getBytes(StandardCharsets.UTF_8), signed.body());
      assertTrue(verifyStandardWebhooks(signed.body(), signed.headers(), SIGNING_SECRET, 300),
          "the target verifies our Standard Webhooks signature");
      assertTrue(signed.headers().get("webhook-id").startsWith("msg_"), "webhook-id is the message id");
      assertNull(stripe.headers().get("webhook-signature"), "only targets with sign are signed");

      Arrival python = target.received.get("/python_style");
      assertEquals("{\"b\":2,\"a\":1}", new String(python.body(), StandardCharsets.UTF_8),
          "without a raw body: the payload as JSON text, as today");
      assertEquals("application/json", python.headers().get("Content-Type"));
      assertEquals("application/json", python.headers().get("X-Original-content-type"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * What a Python connector reads: the webhook frame keeps every field it knows (a blob's payload
   * is its text, or base64 when it is not UTF-8); the raw bytes are one extra field.
   */
  @Test
  void theWebhookFrameHasPythonsFieldsAndTheRawBodyAsOneExtraField() throws Exception {
    String channel = "raw-frame-" + suffix;
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(webhooks(channel))) {
      TestConnector connector = new TestConnector(vertx).autoAck(true).connect(server.port(), channel, "tok");
      postStripe(server.port(), STRIPE_BODY.getBytes(StandardCharsets.UTF_8));
      JsonObject json = connector.next("webhook", 10_000);
      post(server.port(), "xml", "application/xml", XML_BODY.getBytes(StandardCharsets.UTF_8));
      JsonObject xml = connector.next("webhook", 10_000);
      post(server.port(), "binary", "application/octet-stream", BINARY_BODY);
      JsonObject binary = connector.next("webhook", 10_000);
      post(server.port(), "python_style", "application/json", PYTHON_STYLE_BODY.getBytes(StandardCharsets.UTF_8));
      JsonObject plain = connector.next("webhook", 10_000);

      Set<String> python = Set.of("type", "message_id", "sequence", "webhook_id", "timestamp", "headers", "payload");
      Set<String> withRaw = new TreeSet<>(python);
      withRaw.add("raw_body");
      assertEquals(withRaw, new TreeSet<>(json.fieldNames()));
      assertEquals("payment_intent.succeeded", json.getJsonObject("payload").getString("type"), "payload parsed as today");
      assertArrayEquals(STRIPE_BODY.getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(json.getString("raw_body")));
      assertEquals(XML_BODY, xml.getString("payload"), "a UTF-8 blob's payload is its text");
      assertEquals(Base64.getEncoder().encodeToString(BINARY_BODY), binary.getString("payload"),
          "any other blob's payload is base64");
      assertArrayEquals(BINARY_BODY, Base64.getDecoder().decode(binary.getString("raw_body")));
      assertEquals(new TreeSet<>(python), new TreeSet<>(plain.fieldNames()), "raw_body false: Python's frame exactly");
      connector.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A body that fits the message limit only without its raw copy (about 6 MiB: twice, once as
   * base64, it would not) is relayed without the raw body, not refused as it would be otherwise.
   */
  @Test
  void aBodyTooLargeToTravelTwiceIsRelayedWithoutItsRawBody() throws Exception {
    String channel = "raw-large-" + suffix;
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(webhooks(channel))) {
      TestConnector connector = new TestConnector(vertx).autoAck(true).connect(server.port(), channel, "tok");
      String chunk = "\"" + "x".repeat(1_000_000) + "\"";
      String body = "[" + String.join(",", java.util.Collections.nCopies(6, chunk)) + "]";
      postStripe(server.port(), body.getBytes(StandardCharsets.UTF_8));
      JsonObject frame = connector.next("webhook", 20_000);
      assertNotNull(frame, "delivered");
      assertNull(frame.getValue("raw_body"), "stored without the raw body");
      assertEquals(6, frame.getJsonArray("payload").size());
      postStripe(server.port(), STRIPE_BODY.getBytes(StandardCharsets.UTF_8));
      assertNotNull(connector.next("webhook", 10_000).getString("raw_body"), "the next small one has its raw body");
      connector.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Module mode: a local {@code data_type: blob} entry gets the raw bytes (save_to_disk writes them
   * as they came); a local JSON entry gets the payload as today.
   */
  @Test
  void moduleModeGivesALocalBlobEntryTheRawBytes() throws Exception {
    Path dir = Files.createTempDirectory("cwm-raw-module");
    String channel = "raw-module-" + suffix;
    Path local = dir.resolve("local-webhooks.json");
    Files.writeString(local, """
        {"binary": {"data_type": "blob", "module": "save_to_disk", "module-config": {"path": "blob-out"}},
         "stripe": {"module": "save_to_disk", "module-config": {"path": "json-out"}}}""");
    int port = TestServer.freePort();
    ConnectorConfig connector = TestConnectors.module(port, channel, "tok", ConnectorConfig.WEBSOCKET, local, null);
    try (TestServer server = TestServer.startIn(dir, port, "both", webhooks(channel), "{}",
        Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"), List.of(connector))) {
      post(port, "binary", "application/octet-stream", BINARY_BODY);
      postStripe(port, STRIPE_BODY.getBytes(StandardCharsets.UTF_8));
      assertTrue(await(20_000, () -> onlyFile(dir.resolve("blob-out")) != null
          && onlyFile(dir.resolve("json-out")) != null), "both written");
      assertArrayEquals(BINARY_BODY, Files.readAllBytes(onlyFile(dir.resolve("blob-out"))));
      JsonObject written = new JsonObject(Files.readString(onlyFile(dir.resolve("json-out"))));
      assertEquals("payment_intent.succeeded", written.getString("type"), "a JSON entry gets the payload");
    }
  }

  /** The one file in {@code dir}, or null while there is none. */
  static Path onlyFile(Path dir) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.toList();
      return all.size() == 1 ? all.get(0) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  @AfterAll
  void cleanUp() throws Exception {
    RedisCleanup.deleteKeysContaining(suffix);
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueuesContaining(suffix);
    }
  }

  static void deployConnector(Vertx vertx, int receiverPort, String channel, String protocol, int targetPort)
      throws Exception {
    Map<String, Target> targets = new LinkedHashMap<>();
    for (String id : List.of("stripe", "github", "form", "xml", "binary", "python_style")) {
      targets.put(id, target(targetPort, id, null));
    }
    targets.put("signed", target(targetPort, "signed", new Signing(SIGNING_KEY)));
    ConnectorConfig config = new ConnectorConfig("test", "http://127.0.0.1:" + receiverPort, channel, "tok", protocol,
        0.2, 2, 2, 60, 5, 10, 30, "raw-body-test", null, targets, null, null,
        true, null, null, null, "INFO", 0, true, 5, ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES);
    vertx.deployVerticle(new ConnectorVerticle(config, v -> new HttpDeliverer(v, config), reason -> { }))
        .await(10, TimeUnit.SECONDS);
  }

  static Target target(int port, String path, Signing sign) {
    return new Target("http://127.0.0.1:" + port + "/" + path, "POST", Map.of(), 5, true, 3, 0.2, 2, sign);
  }

  static void assertBytes(ByteTarget target, String path, byte[] expected, String contentType) {
    Arrival arrival = target.received.get(path);
    assertNotNull(arrival, path);
    assertArrayEquals(expected, arrival.body(), path + " byte for byte");
    assertEquals(contentType, arrival.headers().get("Content-Type"), path + " content type");
  }

  /** A Stripe-format signed POST to webhook {@code stripe}, as Stripe sends it. */
  static void postStripe(int port, byte[] body) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String signature = "t=" + now + ",v1=" + hex(hmac(STRIPE_SECRET.getBytes(StandardCharsets.UTF_8),
        concat((now + ".").getBytes(StandardCharsets.UTF_8), body)));
    post(port, "stripe", "application/json", body, "Stripe-Signature", signature);
  }

  static void post(int port, String webhookId, String contentType, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/" + webhookId))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), webhookId + ": " + response.body());
  }

  // ---- the providers' checks, as their libraries do them -------------------------------------

  /** Stripe's {@code Webhook.Signature.verifyHeader}: t=, v1= (any of several), HMAC-SHA256 of "t.payload", tolerance. */
  static boolean verifyStripe(byte[] payload, String header, String secret, long toleranceSeconds) throws Exception {
    if (header == null) {
      return false;
    }
    long timestamp = -1;
    List<String> signatures = new java.util.ArrayList<>();
    for (String item : header.split(",")) {
      String[] pair = item.split("=", 2);
      if (pair[0].equals("t")) {
        timestamp = Long.parseLong(pair[1]);
      } else if (pair[0].equals("v1")) {
        signatures.add(pair[1]);
      }
    }
    byte[] signedPayload = concat((timestamp + ".").getBytes(StandardCharsets.UTF_8), payload);
    byte[] expected = hex(hmac(secret.getBytes(StandardCharsets.UTF_8), signedPayload)).getBytes(StandardCharsets.UTF_8);
    boolean match = signatures.stream()
        .anyMatch(signature -> MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8)));
    return match && Math.abs(System.currentTimeMillis() / 1000 - timestamp) <= toleranceSeconds;
  }

  /** GitHub's documented check: {@code sha256=} + hex HMAC-SHA256 of the body, compared in constant time. */
  static boolean verifyGithub(byte[] payload, String header, String secret) throws Exception {
    if (header == null) {
      return false;
    }
    String expected = "sha256=" + hex(hmac(secret.getBytes(StandardCharsets.UTF_8), payload));
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
  }

  /** The Standard Webhooks verification: key from whsec_, "id.timestamp.body", any "v1,<sig>" of the list, tolerance. */
  static boolean verifyStandardWebhooks(byte[] payload, MultiMap headers, String secret, long toleranceSeconds)
      throws Exception {
    String id = headers.get("webhook-id");
    String timestamp = headers.get("webhook-timestamp");
    String signatures = headers.get("webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    byte[] expected = Base64.getEncoder().encode(hmac(key, concat((id + "." + timestamp + ".")
        .getBytes(StandardCharsets.UTF_8), payload)));
    boolean match = false;
    for (String versioned : signatures.split(" ")) {
      String[] parts = versioned.split(",", 2);
      if (parts.length == 2 && parts[0].equals("v1")) {
        match |= MessageDigest.isEqual(expected, parts[1].getBytes(StandardCharsets.UTF_8));
      }
    }
    return match && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) <= toleranceSeconds;
  }

  static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = new byte[first.length + second.length];
    System.arraycopy(first, 0, joined, 0, first.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }

  // ---- the local target --------------------------------------------------------------------

  /** What arrived at a path: the headers and the exact body bytes. */
  record Arrival(MultiMap headers, byte[] body) {}

  /** A local HTTP target on 127.0.0.1 that records the bytes of each request by path, and answers 200. */
  static final class ByteTarget {
    final Map<String, Arrival> received = new ConcurrentHashMap<>();
    HttpServer server;

    static ByteTarget start(Vertx vertx) throws Exception {
      ByteTarget target = new ByteTarget();
      target.server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        MultiMap headers = HttpHeaders.headers().addAll(request.headers());
        target.received.put(request.path(), new Arrival(headers, body.getBytes()));
        request.response().end("ok");
      }));
      target.server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      return target;
    }

    int port() {
      return server.actualPort();
    }
  }
}
