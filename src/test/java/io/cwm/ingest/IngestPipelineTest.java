package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import io.cwm.webhook.CredentialCleaner;

/** The ingest pipeline over real HTTP against a receiver started in this JVM. */
class IngestPipelineTest {
  static final String TOKEN = "s3cr3t-bearer-token-value";
  static final String HMAC_SECRET = "hmac-secret-never-logged";
  static TestServer server;
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    server = TestServer.start("""
        {
          "logged": {"module": "log", "authorization": "Bearer %s"},
          "jwt": {"module": "log", "jwt": {"secret": "jwt-shared-secret-of-32-bytes-or-more!", "algorithm": "HS256"}},
          "limited": {"module": "log", "rate_limit": {"max_requests": 2, "window_seconds": 60}},
          "office": {"module": "log", "ip_whitelist": ["10.0.0.0/8"]},
          "signed": {"module": "log", "hmac": {"secret": "%s", "header": "X-Hub-Signature-256"}},
          "disk": {"module": "save_to_disk", "module-config": {"path": "out/disk"}},
          "raw": {"module": "save_to_disk", "data_type": "blob", "module-config": {"path": "out/raw"}},
          "broken": {"module": "save_to_disk", "module-config": {"path": "out/broken/inner"}},
          "seq": {"chain": ["log", {"module": "save_to_disk", "module-config": {"path": "out/broken/inner"}},
                            {"module": "save_to_disk", "module-config": {"path": "out/seq"}}],
                  "chain-config": {"execution": "sequential", "continue_on_error": false}},
          "par": {"chain": [{"module": "save_to_disk", "module-config": {"path": "out/par1"}},
                            {"module": "save_to_disk", "module-config": {"path": "out/par2"}}],
                  "chain-config": {"execution": "parallel"}}
        }
        """.formatted(TOKEN, HMAC_SECRET));
    // Make "out/broken/inner" impossible to create after start-up: its parent is a file.
    Files.createDirectories(server.dir().resolve("out"));
    Files.writeString(server.dir().resolve("out/broken"), "not a directory");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private static HttpResponse<String> post(String id, String body, String... headers) throws Exception {
    return Http.post(server.port(), "/webhook/" + id, body, headers);
  }

  private static void assertDetail(int status, String detail, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response::body);
    assertEquals(detail, new JsonObject(response.body()).getString("detail"));
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertEquals("nosniff", response.headers().firstValue("x-content-type-options").orElse(""));
  }

  private static List<Path> files(String dir) throws Exception {
    Path path = server.dir().resolve(dir);
    if (!Files.exists(path)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(path)) {
      return list.toList();
    }
  }

  @Test
  void acceptedWebhookIsAnsweredAfterTheModuleWroteIt() throws Exception {
    int before = files("out/disk").size();
    HttpResponse<String> response = post("disk",
        "{\"action\":\"opened\",\"author_association\":\"OWNER\",\"idempotency_key\":\"k1\",\"password\":\"p\"}",
        "Content-Type", "application/json");
    assertEquals(200, response.statusCode());
    assertEquals("{\"message\":\"200 OK\"}", response.body());
    List<Path> written = files("out/disk");
    assertEquals(before + 1, written.size(), "the file exists when the 200 arrives");
    JsonObject saved = new JsonObject(Files.readString(written.stream()
        .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified())).orElseThrow()));
    assertEquals("OWNER", saved.getString("author_association"), "whole-key cleanup keeps it");
    assertEquals("k1", saved.getString("idempotency_key"));
    assertEquals(CredentialCleaner.MASK, saved.getString("password"));
  }

  @Test
  void blobPayloadIsSavedAsRawBytes() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, 'x'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/raw", bytes,
        "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    boolean found = false;
    for (Path file : files("out/raw")) {
      found |= java.util.Arrays.equals(bytes, Files.readAllBytes(file));
    }
    assertTrue(found);
  }

  @Test
  void moduleFailureIsA5xxSoTheSenderRetries() throws Exception {
    HttpResponse<String> response = post("broken", "{\"a\":1}");
    assertDetail(503, "Processing error occurred in module execution", response);
    assertEquals("5", response.headers().firstValue("retry-after").orElse(""));
  }

  @Test
  void sequentialChainStopsAtTheFirstFailureWhenAskedTo() throws Exception {
    HttpResponse<String> response = post("seq", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertEquals(0, files("out/seq").size(), "the step after the failed one did not run");
  }

  @Test
  void parallelChainRunsEveryStepBeforeAnswering() throws Exception {
    HttpResponse<String> response = post("par", "{\"a\":1}");
    assertEquals(200, response.statusCode(), response::body);
    assertFalse(files("out/par1").isEmpty());
    assertFalse(files("out/par2").isEmpty());
  }

  @Test
  void githubSignatureIsChecked() throws Exception {
    String body = "{\"zen\":\"Keep it logically awesome.\"}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HMAC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    assertEquals(200, post("signed", body, "X-Hub-Signature-256", signature).statusCode());
    assertDetail(401, "Invalid HMAC signature", post("signed", body, "X-Hub-Signature-256", signature + "00"));
    assertDetail(401, "Invalid HMAC signature",
        post("signed", body, "X-Hub-Signature-256", signature.substring(0, signature.length() - 1)));
    assertDetail(401, "Missing X-Hub-Signature-256 header", post("signed", body));
  }

  @Test
  void jwtWithAlgNoneIsRefused() throws Exception {
    java.util.Base64.Encoder url = java.util.Base64.getUrlEncoder().withoutPadding();
    String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = url.encodeToString("{\"sub\":\"x\",\"exp\":4102444800}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response = post("jwt", "{}", "Authorization", "Bearer " + header + "." + claims + ".");
    assertEquals(401, response.statusCode(), response::body);
    assertTrue(new JsonObject(response.body()).getString("detail").startsWith("Invalid JWT"), response::body);
  }

  @Test
  void rateLimitIs429WithRetryAfter() throws Exception {
    assertEquals(200, post("limited", "{}").statusCode());
    assertEquals(200, post("limited", "{}").statusCode());
    HttpResponse<String> limited = post("limited", "{}");
    assertEquals(429, limited.statusCode());
    assertTrue(new JsonObject(limited.body()).getString("detail").startsWith("Rate limit exceeded. Retry after "));
    assertTrue(Integer.parseInt(limited.headers().firstValue("retry-after").orElse("0")) >= 1);
  }

  @Test
  void ipAllowListIs403AndIgnoresForwardingHeadersFromUntrustedPeers() throws Exception {
    HttpResponse<String> response = post("office", "{}", "X-Forwarded-For", "10.1.2.3");
    assertDetail(403, "IP 127.0.0.1 not in whitelist", response);
  }

  @Test
  void malformedJsonIs400() throws Exception {
    assertDetail(400, "Malformed JSON payload", post("disk", "{invalid json}"));
  }

  @Test
  void wrongContentTypeWithNonJsonBodyIs400() throws Exception {
    assertDetail(400, "Malformed JSON payload", post("disk", "<xml/>", "Content-Type", "application/xml"));
  }

  @Test
  void emptyBodyIs400() throws Exception {
    assertDetail(400, "Malformed JSON payload", post("disk", ""));
  }

  /**
   * The declared length alone decides: the 413 comes before a byte of the body is sent. (A client
   * that pushes all of an oversized body at once may see the connection reset instead once the
   * server has drained its 256 KiB lingering budget; that race is why this test does not send it.)
   */
  @Test
  void oversizedBodyIs413BeforeAnyWork() throws Exception {
    try (io.cwm.testing.RawConnection raw = io.cwm.testing.RawConnection.open(server.port())) {
      raw.write("POST /webhook/logged HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: 10485761\r\n\r\n");
      String response = raw.readResponse(java.time.Duration.ofSeconds(10));
      assertEquals(413, raw.status(), response);
      assertEquals("Payload too large: 10485761 bytes (max: 10485760)",
          new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getString("detail"));
      assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), response);
    }
  }

  @Test
  void jsonNestedTenThousandDeepIs400() throws Exception {
    String body = "[".repeat(10_000) + "]".repeat(10_000);
    assertDetail(400, "JSON too deeply nested: 51 levels (max: 50)", post("disk", body));
  }

  @Test
  void thousandHeadersAre400() throws Exception {
    String[] headers = new String[2000];
    for (int i = 0; i < 1000; i++) {
      headers[2 * i] = "X-Header-" + i;
      headers[2 * i + 1] = "v";
    }
    HttpResponse<String> response = post("disk", "{}", headers);
    assertEquals(400, response.statusCode(), response::body);
    assertTrue(new JsonObject(response.body()).getString("detail").startsWith("Too many headers: "));
  }

  @Test
  void headerValueWithCrLfIsRefusedWithJson() throws Exception {
    String response = Http.raw(server.port(), "POST /webhook/disk HTTP/1.1\r\nHost: x\r\n"
        + "X-Evil: a\rInjected: b\r\nContent-Length: 2\r\n\r\n{}");
    assertTrue(response.startsWith("HTTP/1.1 400"), response);
    assertTrue(response.contains("{\"detail\":"), response);
  }

  @Test
  void headerValueWithLineSeparatorIs400() throws Exception {
    String response = Http.raw(server.port(), "POST /webhook/disk HTTP/1.1\r\nHost: x\r\n"
        + "X-A: a\u00e2\u0080\u00a8b\r\nContent-Length: 2\r\n\r\n{}");
    assertTrue(response.startsWith("HTTP/1.1 400"), response);
    assertTrue(response.contains("{\"detail\":\"Invalid header value: contains forbidden character\"}"), response);
  }

  @Test
  void unknownWebhookIdIs404() throws Exception {
    assertDetail(404, "Webhook ID not found", post("nobody-here", "{}"));
  }

  @Test
  void pathTraversalWebhookIdIsRefused() throws Exception {
    assertDetail(400, "Invalid webhook ID format: must start with a letter or digit and contain only "
        + "letters, digits, underscores and hyphens", post("webhook%2fadmin", "{}"));
    assertDetail(400, "Invalid webhook ID format: must start with a letter or digit and contain only "
        + "letters, digits, underscores and hyphens", post("..%2e", "{}"));
    HttpResponse<String> dotted = post("..%2F..%2Fetc%2Fpasswd", "{}");
    assertEquals(400, dotted.statusCode(), dotted::body);
  }

  @Test
  void webhookIdWithControlCharactersIsRefused() throws Exception {
    assertEquals(400, post("web%00hook", "{}").statusCode());
    assertEquals(400, post("web%0Ahook", "{}").statusCode());
    assertEquals(400, post("w%C3%A9bhook", "{}").statusCode());
  }

  @Test
  void reservedIdsAreRefused() throws Exception {
    assertDetail(400, "Webhook ID 'Admin' is reserved", post("Admin", "{}"));
    assertDetail(400, "Webhook ID cannot contain consecutive underscores or hyphens", post("a--b", "{}"));
  }

  @Test
  void wrongMethodIs405AndUnknownPathIs404() throws Exception {
    assertDetail(405, "Method Not Allowed", Http.get(server.port(), "/webhook/disk"));
    assertDetail(404, "Not Found", Http.get(server.port(), "/nowhere"));
  }

  @Test
  void bearerAuthorizationIsEnforced() throws Exception {
    assertEquals(200, post("logged", "{}", "Authorization", "Bearer " + TOKEN).statusCode());
    assertDetail(401, "Unauthorized", post("logged", "{}", "Authorization", "Bearer nope"));
    assertDetail(401, "Unauthorized", post("logged", "{}"));
  }

  @Test
  void rootHealthAndStatsAnswer() throws Exception {
    assertEquals("{\"message\":\"200 OK\"}", Http.get(server.port(), "/").body());
    JsonObject health = new JsonObject(Http.get(server.port(), "/health").body());
    assertEquals("healthy", health.getString("status"));
    assertEquals("webhook-service", health.getString("service"));
    assertEquals(200, post("disk", "{}").statusCode());
    JsonObject stats = new JsonObject(Http.get(server.port(), "/stats").body());
    assertTrue(stats.getJsonObject("disk").getLong("total") >= 1);
  }

  @Test
  void serverKeepsServingAndLogsNoSecretAfterHostileInput() throws Exception {
    post("logged", "{\"password\":\"pw-in-body-123\"}", "Authorization", "Bearer " + TOKEN);
    post("logged", "{}", "Authorization", "Bearer wrong-" + TOKEN);
    post("signed", "{}", "X-Hub-Signature-256", "sha256=00");
    Http.raw(server.port(), "POST /webhook/logged HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + TOKEN + "\r\nX: \0\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(200, post("logged", "{}", "Authorization", "Bearer " + TOKEN).statusCode());
    for (ILoggingEvent event : List.copyOf(logs.list)) {
      String line = event.getFormattedMessage();
      assertFalse(line.contains(TOKEN), () -> "token logged: " + line);
      assertFalse(line.contains(HMAC_SECRET), () -> "hmac secret logged: " + line);
      assertFalse(line.contains("pw-in-body-123"), () -> "password logged: " + line);
    }
  }
}
