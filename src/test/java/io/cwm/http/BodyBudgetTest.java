package io.cwm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RawConnection;
import io.cwm.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The process-wide budget of request-body bytes: bodies in progress hold their declared length;
 * beyond the budget a new large body is refused with 503 and {@code Retry-After} before it is read,
 * while small webhooks keep their reserve; the bytes come back when the exchange ends.
 */
class BodyBudgetTest {
  static final String SECRET = "body-budget-hmac-secret";
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "open": {"module": "log", "data_type": "blob"},
          "signed": {"module": "log", "hmac": {"secret": "%s", "header": "X-Hub-Signature-256"}}
        }
        """.formatted(SECRET), "{}", Map.of(
        // 24 MiB: large bodies may hold 21 MiB, the last 3 MiB are kept for bodies of 64 KiB or less
        "CWM_BODY_BUDGET", "24m",
        "CWM_HTTP_BODY_MIN_RATE", "0",
        "CWM_HTTP_BODY_TIMEOUT", "120"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void bodiesBeyondTheBudgetAreRefusedBeforeTheyAreReadAndSmallWebhooksStillPass() throws Exception {
    BodyBudget budget = server.running().app().bodyBudget();
    assertEquals(24L * 1024 * 1024, budget.capacity());
    try (RawConnection first = RawConnection.open(server.port());
         RawConnection second = RawConnection.open(server.port())) {
      // two 10 MB uploads in progress (1 MB sent each) hold 20 MB of the budget
      for (RawConnection upload : new RawConnection[] {first, second}) {
        upload.write(head("open", 10_000_000, "") + "x".repeat(1_000_000));
      }
      awaitInUse(budget, 20_000_000);

      try (RawConnection third = RawConnection.open(server.port())) {
        third.write(head("open", 5_000_000, ""));
        third.readResponse(Duration.ofSeconds(5));
        assertEquals(503, third.status(), third.text());
        assertTrue(third.text().toLowerCase().contains("retry-after: 5"), third.text());
        assertTrue(third.text().contains("Server busy: too many request bodies in progress, retry later"));
        assertTrue(third.awaitClose(Duration.ofSeconds(5)) >= 0, "the refused upload's connection is closed");
      }

      // a small signed webhook uses the reserve
      byte[] payload = "{\"id\":\"evt_small\"}".getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> small = Http.post(server.port(), "/webhook/signed", payload,
          "Content-Type", "application/json", "X-Hub-Signature-256", "sha256=" + hmacHex(payload));
      assertEquals(200, small.statusCode(), small.body());
    }
    // the uploads' connections closed: their bytes return, and a large body fits again
    awaitInUse(budget, 0);
    HttpResponse<String> large = Http.post(server.port(), "/webhook/open", new byte[5_000_000],
        "Content-Type", "application/octet-stream");
    assertEquals(200, large.statusCode(), large.body());
    awaitInUse(budget, 0);
  }

  @Test
  void aChunkedBodyTakesTheBudgetAsItArrives() throws Exception {
    BodyBudget budget = server.running().app().bodyBudget();
    assertTrue(budget.tryAcquire(20 * 1024 * 1024, 20 * 1024 * 1024), "test setup: hold 20 MiB");
    try (RawConnection chunked = RawConnection.open(server.port())) {
      chunked.write("POST /webhook/open HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "x".repeat(256 * 1024);
      // 1 MiB fits in what large bodies may still hold, the next chunks do not
      for (int i = 0; i < 8 && !chunked.closedByPeer(); i++) {
        chunked.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        chunked.readResponse(Duration.ofMillis(100));
      }
      chunked.readResponse(Duration.ofSeconds(3));
      assertEquals(503, chunked.status(), chunked.text());
    } finally {
      budget.release(20 * 1024 * 1024);
    }
    awaitInUse(budget, 0);
  }

  @Test
  void reserveArithmetic() {
    BodyBudget budget = new BodyBudget(800);
    assertTrue(budget.tryAcquire(700, 10_000_000), "large bodies may use 7/8");
    assertFalse(budget.tryAcquire(1, 10_000_000), "but not more");
    assertTrue(budget.tryAcquire(100, 100), "the reserve is for small bodies");
    assertFalse(budget.tryAcquire(1, 1));
    budget.release(800);
    assertEquals(0, budget.inUse());
  }

  static void awaitInUse(BodyBudget budget, long bytes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (budget.inUse() != bytes) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("body budget in use: " + budget.inUse() + ", expected " + bytes);
      }
      TimeUnit.MILLISECONDS.sleep(10); // polling with a deadline
    }
  }

  static String head(String id, long length, String headers) {
    return "POST /webhook/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
        + "Content-Length: " + length + "\r\n" + headers + "\r\n";
  }

  static String hmacHex(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }
}
