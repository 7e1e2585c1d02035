package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.RawConnection;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that fail a check the head alone decides are answered before a byte of their body is
 * read: each test sends only the head of a 10 MB request over a raw socket and expects the answer
 * at once (before the change the receiver waited for the 10 MB), then the connection closed.
 */
class EarlyRefusalTest {
  static final String SECRET = "early-refusal-hmac-secret";
  static final String STRIPE_SECRET = "whsec_early_refusal";
  static final long BIG = 10_000_000;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "open": {"module": "log"},
          "signed": {"module": "log", "hmac": {"secret": "%s", "header": "X-Hub-Signature-256"}},
          "stripe": {"module": "log", "hmac": {"secret": "%s", "header": "Stripe-Signature"}},
          "bearer": {"module": "log", "authorization": "Bearer early-token"},
          "basic": {"module": "log", "basic_auth": {"username": "hook", "password": "early-password"}},
          "keyed": {"module": "log", "header_auth": {"header_name": "X-API-Key", "api_key": "early-key"}},
          "query": {"module": "log", "query_auth": {"api_key": "early-query-key"}},
          "office": {"module": "log", "ip_whitelist": ["10.0.0.0/8"]},
          "limited": {"module": "log", "rate_limit": {"max_requests": 1, "window_seconds": 600}},
          "digest": {"module": "log", "digest_auth": {"username": "hook", "password": "early-digest", "realm": "Hooks"}},
          "schema": {"module": "log", "authorization": "Bearer early-token",
                     "json_schema": {"type": "object", "required": ["id"]}}
        }
        """.formatted(SECRET, STRIPE_SECRET), "{}", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static Stream<Arguments> refusedHeads() {
    long stale = System.currentTimeMillis() / 1000 - 3600;
    return Stream.of(
        Arguments.of("unknown id", "nope", "", 404, "Webhook ID not found"),
        Arguments.of("no bearer", "bearer", "", 401, null),
        Arguments.of("wrong basic", "basic", "Authorization: Basic "
            + Base64.getEncoder().encodeToString("hook:wrong".getBytes(StandardCharsets.UTF_8)) + "\r\n", 401, null),
        Arguments.of("no api key header", "keyed", "", 401, null),
        Arguments.of("no api key parameter", "query", "", 401, null),
        Arguments.of("peer outside the allow-list", "office", "", 403, null),
        Arguments.of("no signature header", "signed", "", 401, "Missing X-Hub-Signature-256 header"),
        Arguments.of("malformed signature", "signed", "X-Hub-Signature-256: sha256=not-hex\r\n", 401,
            "Invalid HMAC signature format (must be hexadecimal)"),
        Arguments.of("stale Stripe timestamp", "stripe", "Stripe-Signature: t=" + stale + ",v1=" + "ab".repeat(32)
            + "\r\n", 401, "HMAC signature timestamp outside the tolerance window"),
        Arguments.of("no digest", "digest", "", 401, null),
        Arguments.of("body check behind a header check", "schema", "", 401, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedHeads")
  void refusedFromTheHeadAloneWithoutReadingTheBody(String name, String id, String headers, int status, String detail)
      throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head(id, BIG, headers));
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(status, connection.status(), name + ": " + connection.text());
      assertTrue(connection.text().toLowerCase().contains("connection: close"), "the body is never read: "
          + connection.text());
      if (detail != null) {
        assertEquals(detail, body(connection).getString("detail"));
      }
    }
  }

  @Test
  void aRefusedConnectionIsClosedWithoutWaitingForItsBody() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head("nope", BIG, ""));
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(404, connection.status());
      // the unread body is drained for a moment, never waited for
      long closedAfter = connection.awaitClose(Duration.ofSeconds(5));
      assertTrue(closedAfter >= 0 && closedAfter < 4000, "closed after " + closedAfter + " ms");
    }
  }

  @Test
  void rateLimitIsSpentBeforeTheBody() throws Exception {
    try (RawConnection first = RawConnection.open(server.port())) {
      first.write(head("limited", 2, "") + "{}");
      first.readResponse(Duration.ofSeconds(3));
      assertEquals(200, first.status(), first.text());
    }
    try (RawConnection second = RawConnection.open(server.port())) {
      second.write(head("limited", BIG, ""));
      second.readResponse(Duration.ofSeconds(3));
      assertEquals(429, second.status(), second.text());
    }
  }

  @Test
  void declaredLengthOverTheLimitIs413AtOnce() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head("open", 20_000_000, ""));
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(413, connection.status(), connection.text());
      assertEquals("Payload too large: 20000000 bytes (max: 10485760)", body(connection).getString("detail"));
      assertTrue(connection.awaitClose(Duration.ofSeconds(5)) >= 0);
    }
  }

  @Test
  void digestRefusalCarriesAChallenge() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head("digest", 0, ""));
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(401, connection.status());
      String text = connection.text();
      assertTrue(text.matches("(?is).*\r\nwww-authenticate: Digest realm=\"Hooks\", qop=\"auth\", nonce=\"[0-9a-f]{32}\", "
          + "algorithm=MD5\r\n.*"), text);
      // no body announced: the connection stays usable
      assertFalse(text.toLowerCase().contains("connection: close"), text);
    }
  }

  @Test
  void curlDigestAnswersTheChallenge() throws Exception {
    Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--digest",
        "-u", "hook:early-digest", "-H", "Content-Type: application/json", "-d", "{\"id\":\"evt_digest\"}",
        "http://127.0.0.1:" + server.port() + "/webhook/digest").redirectErrorStream(true).start();
    assertTrue(curl.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals("200", new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }

  @Test
  void aSignedBodySentAfterTheHeadIsAccepted() throws Exception {
    byte[] payload = "{\"id\":\"evt_late_body\"}".getBytes(StandardCharsets.UTF_8);
    String signature = "sha256=" + HexFormat.of().formatHex(hmac(SECRET, payload));
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head("signed", payload.length, "X-Hub-Signature-256: " + signature + "\r\n"));
      // the head checks pass and the receiver waits for the body
      assertEquals("", connection.readResponse(Duration.ofMillis(300)));
      connection.write(payload);
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(200, connection.status(), connection.text());
    }
  }

  @Test
  void expectContinueIsAnsweredOnlyAfterTheHeadChecks() throws Exception {
    byte[] payload = "{\"id\":\"evt_continue\"}".getBytes(StandardCharsets.UTF_8);
    try (RawConnection refused = RawConnection.open(server.port())) {
      refused.write(head("bearer", BIG, "Expect: 100-continue\r\n"));
      refused.readResponse(Duration.ofSeconds(3));
      assertEquals(401, refused.status(), "no 100 Continue for a client that will be refused: " + refused.text());
    }
    try (RawConnection accepted = RawConnection.open(server.port())) {
      accepted.write(head("bearer", payload.length, "Expect: 100-continue\r\nAuthorization: Bearer early-token\r\n"));
      accepted.readResponse(Duration.ofSeconds(3));
      assertEquals(100, accepted.status(), accepted.text());
      accepted.write(payload);
      assertTrue(accepted.awaitText("HTTP/1.1 200 OK", Duration.ofSeconds(3)), accepted.text());
    }
  }

  @Test
  void bodyChecksStillRunAfterTheHeadPassed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.port())) {
      connection.write(head("schema", 2, "Authorization: Bearer early-token\r\n") + "{}");
      connection.readResponse(Duration.ofSeconds(3));
      assertEquals(400, connection.status(), connection.text());
    }
  }

  static String head(String id, long length, String headers) {
    return "POST /webhook/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + length + "\r\n" + headers + "\r\n";
  }

  static JsonObject body(RawConnection connection) {
    String text = connection.text();
    return new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4));
  }

  static byte[] hmac(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return mac.doFinal(body);
  }
}
