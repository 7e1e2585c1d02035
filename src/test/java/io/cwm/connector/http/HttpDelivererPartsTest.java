package io.cwm.connector.http;

import io.cwm.net.TargetUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxException;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deliverer's plain pieces: URL parsing, retry schedule, Retry-After, status classes, trust. */
class HttpDelivererPartsTest {

  @Test
  void urlIsTakenApart() {
    TargetUrl url = TargetUrl.parse("HTTPS://Example.COM./a/b?x=1&y=2#frag");
    assertEquals(true, url.ssl());
    assertEquals("example.com", url.host());
    assertEquals(443, url.port());
    assertEquals("/a/b?x=1&y=2", url.requestUri());
    assertEquals("example.com", url.hostHeader());
    assertNull(url.basicAuth());

    TargetUrl plain = TargetUrl.parse("http://127.0.0.1:8080");
    assertEquals(8080, plain.port());
    assertEquals("/", plain.requestUri());
    assertEquals("127.0.0.1:8080", plain.hostHeader());
    assertEquals("http://127.0.0.1:8080", plain.forLog());

    TargetUrl v6 = TargetUrl.parse("http://[::1]:9000?q=1");
    assertEquals("::1", v6.host());
    assertEquals("[::1]:9000", v6.hostHeader());
    assertEquals("/?q=1", v6.requestUri());

    assertEquals("my_service", TargetUrl.parse("http://my_service/x").host());
  }

  @Test
  void badUrlsAreRefused() {
    for (String bad : new String[] {"ftp://x/", "//x/", "http://", "http://:80/", "http://[::1/", "http://x:0/",
        "http://x:65536/", "http://x y/", "http://x/\n"}) {
      assertThrows(TargetUrl.InvalidUrlException.class, () -> TargetUrl.parse(bad), bad);
    }
  }

  @Test
  void pausesGrowAndAreCapped() {
    RetrySchedule schedule = new RetrySchedule(1, 2);
    assertEquals(1000, schedule.pauseAfter(1));
    assertEquals(2000, schedule.pauseAfter(2));
    assertEquals(4000, schedule.pauseAfter(3));
    assertEquals(60_000, schedule.pauseAfter(10));
    assertEquals(60_000, schedule.pauseAfter(100_000));
    assertEquals(0, new RetrySchedule(0, 2).pauseAfter(3));
    assertEquals(0, new RetrySchedule(Double.NaN, 2).pauseAfter(1));
  }

  @Test
  void retryAfterLengthensAPauseUpToTheCap() {
    RetrySchedule schedule = new RetrySchedule(0.05, 2);
    assertEquals(50, schedule.pauseAfter(1, -1));
    assertEquals(1000, schedule.pauseAfter(1, 1000));
    assertEquals(60_000, schedule.pauseAfter(1, 3_600_000));
    assertEquals(1000, schedule.nackBackoffAfter(1, -1)); // at least a second before the nack
    assertEquals(5000, schedule.nackBackoffAfter(1, 5000));
    assertEquals(8000, new RetrySchedule(1, 2).nackBackoffAfter(4, -1));
  }

  @Test
  void retryAfterIsReadAsSecondsOrHttpDate() {
    Instant now = Instant.parse("2026-11-28T22:00:00Z");
    assertEquals(1000, RetrySchedule.retryAfterMillis("1", now));
    assertEquals(120_000, RetrySchedule.retryAfterMillis(" 120 ", now));
    assertEquals(30_000, RetrySchedule.retryAfterMillis("Sat, 28 Nov 2026 22:00:30 GMT", now));
    assertEquals(0, RetrySchedule.retryAfterMillis("Sat, 28 Nov 2026 21:00:00 GMT", now));
    assertEquals(-1, RetrySchedule.retryAfterMillis(null, now));
    assertEquals(-1, RetrySchedule.retryAfterMillis("soon", now));
    assertEquals(-1, RetrySchedule.retryAfterMillis("-5", now));
  }

  @Test
  void caCertPathIsAddedToTheDefaultTrust(@TempDir Path dir) throws Exception {
    SelfSignedCertificate extra = SelfSignedCertificate.create("extra.test");
    TrustManagerFactory defaults = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    int defaultCount = issuers(defaults).length;

    X509Certificate[] merged = issuers(
        TargetTls.defaultTrustPlus(Path.of(extra.certificatePath())));

    assertTrue(defaultCount > 0);
    assertEquals(defaultCount + 1, merged.length);
    assertTrue(Arrays.stream(merged)
        .anyMatch(c -> c.getSubjectX500Principal().getName().contains("extra.test")));
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertThrows(VertxException.class, () -> TargetTls.defaultTrustPlus(empty));
    assertThrows(VertxException.class, () -> TargetTls.defaultTrustPlus(dir.resolve("missing.pem")));
  }

  private static X509Certificate[] issuers(TrustManagerFactory factory) {
    return ((X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers();
  }

  @Test
  void statusesAreClassified() {
    assertEquals(HttpDeliverer.AttemptResult.Kind.SUCCESS, HttpDeliverer.AttemptResult.ofStatus(204, null).kind());
    assertEquals(HttpDeliverer.AttemptResult.Kind.FINAL, HttpDeliverer.AttemptResult.ofStatus(400, null).kind());
    assertEquals(HttpDeliverer.AttemptResult.Kind.FINAL, HttpDeliverer.AttemptResult.ofStatus(410, null).kind());
    assertEquals(HttpDeliverer.AttemptResult.Kind.RETRYABLE, HttpDeliverer.AttemptResult.ofStatus(408, null).kind());
    assertEquals(HttpDeliverer.AttemptResult.Kind.RETRYABLE, HttpDeliverer.AttemptResult.ofStatus(429, "2").kind());
    assertEquals(2000, HttpDeliverer.AttemptResult.ofStatus(429, "2").retryAfterMillis());
    assertEquals(HttpDeliverer.AttemptResult.Kind.RETRYABLE, HttpDeliverer.AttemptResult.ofStatus(301, null).kind());
    assertEquals(HttpDeliverer.AttemptResult.Kind.RETRYABLE, HttpDeliverer.AttemptResult.ofStatus(502, null).kind());
  }
}
