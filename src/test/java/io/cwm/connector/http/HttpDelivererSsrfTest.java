package io.cwm.connector.http;

import static io.cwm.connector.http.Deliveries.await;
import static io.cwm.connector.http.Deliveries.config;
import static io.cwm.connector.http.Deliveries.delivery;
import static io.cwm.connector.http.Deliveries.retrying;
import static io.cwm.connector.http.Deliveries.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.Outcome;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Target addresses: refused before any request, per resolved address, and at start. */
class HttpDelivererSsrfTest extends RecordingTargetTest {

  private Outcome deliver(Vertx vertx, String url, boolean allowPrivateTargets) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(retrying(url, 3, 0.05), allowPrivateTargets));
    return await(deliverer, delivery("x"));
  }

  @Test
  void loopbackLiteralIsRefusedWhenPrivateTargetsAreNotAllowed(Vertx vertx) throws Exception {
    Outcome outcome = deliver(vertx, server.url("/"), false);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertTrue(outcome.reason().startsWith("target address not allowed: 127.0.0.1 is a loopback address"),
        outcome.reason());
    assertEquals(0, server.received().size());
  }

  @Test
  void nameResolvingToLoopbackIsRefusedWhenPrivateTargetsAreNotAllowed(Vertx vertx) throws Exception {
    Outcome outcome = deliver(vertx, "http://localhost:" + server.port() + "/", false);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertTrue(outcome.reason().contains("loopback"), outcome.reason());
    assertEquals(0, server.received().size());
  }

  @Test
  void metadataAddressIsRefusedEvenWhenPrivateTargetsAreAllowed(Vertx vertx) throws Exception {
    Outcome outcome = deliver(vertx, "http://169.254.169.254/latest/meta-data/", true);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertTrue(outcome.reason().contains("169.254.169.254"), outcome.reason());
  }

  @Test
  void metadataAddressOutsideLinkLocalIsRefusedEvenWhenPrivateTargetsAreAllowed(Vertx vertx) throws Exception {
    Outcome outcome = deliver(vertx, "http://100.100.100.200/latest/meta-data/", true);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertTrue(outcome.reason().contains("metadata"), outcome.reason());
  }

  @Test
  void linkLocalIPv6IsRefusedEvenWhenPrivateTargetsAreAllowed(Vertx vertx) throws Exception {
    Outcome outcome = deliver(vertx, "http://[fe80::1]:8080/", true);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
  }

  @Test
  void legacyNumericSpellingIsResolvedAndRefused(Vertx vertx) throws Exception {
    // the resolver reads 2130706433 as 127.0.0.1: the check sees the address, not the text
    Outcome outcome = deliver(vertx, "http://2130706433:" + server.port() + "/", false);

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertEquals(0, server.received().size());
  }

  @Test
  void loopbackIsAllowedWhenPrivateTargetsAreAllowed(Vertx vertx) throws Exception {
    assertEquals(Outcome.Verdict.ACK, deliver(vertx, server.url("/"), true).verdict());
  }

  @Test
  void unresolvableHostIsRetried(Vertx vertx) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(target("http://no-such-host.invalid/"), true));
    Outcome outcome = await(deliverer, delivery("x"));

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
  }

  @Test
  void checkTargetUrlAcceptsPublicAndAllowedTargets() {
    for (String url : List.of("https://example.com/webhook", "http://EXAMPLE.COM/x", "http://example.com:8080/x",
        "http://8.8.8.8/x", "https://[2606:4700::1111]/x", "http://my_service:8080/hook")) {
      assertEquals(List.of(), HttpDeliverer.checkTargetUrl(url, false), url);
    }
    for (String url : List.of("http://10.0.0.5/x", "http://127.0.0.1:8080/x", "http://localhost:3000/x",
        "http://[::1]/x", "http://192.168.1.1:8080/x", "http://[fd00::1]/x", "http://app.localhost/x")) {
      assertEquals(List.of(), HttpDeliverer.checkTargetUrl(url, true), url);
    }
  }

  @Test
  void checkTargetUrlRefusesPrivateTargetsWithAPreciseMessage() {
    assertEquals(List.of("target host 10.0.0.5 is a private address and allow_private_targets is false"),
        HttpDeliverer.checkTargetUrl("http://10.0.0.5/x", false));
    assertEquals(List.of("target host 127.0.0.1 is a loopback address and allow_private_targets is false"),
        HttpDeliverer.checkTargetUrl("http://127.0.0.1:8080/x", false));
    assertEquals(List.of("target host localhost is a loopback name and allow_private_targets is false"),
        HttpDeliverer.checkTargetUrl("http://localhost:3000/x", false));
    for (String url : List.of("http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://[::ffff:7f00:1]/x",
        "http://[fc00::1]/x", "http://[fd00::1]/x", "http://172.16.0.1/x", "http://100.64.0.1/x",
        "http://[0:0:0:0:0:0:0:1]/x", "http://foo.localhost/x")) {
      assertEquals(1, HttpDeliverer.checkTargetUrl(url, false).size(), url);
    }
  }

  @Test
  void checkTargetUrlAlwaysRefusesSpecialAndMetadataTargets() {
    for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://0.0.0.0/x",
        "http://[::]/x", "http://224.0.0.1/x", "http://100.100.100.200/", "http://192.0.0.192/",
        "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://metadata.azure.com/x",
        "http://127.1/x", "http://0177.0.0.1/x", "http://2130706433/x", "http://0x7f000001/x",
        "http://127.0.0.01/x")) {
      List<String> problems = HttpDeliverer.checkTargetUrl(url, true);
      assertEquals(1, problems.size(), url + " " + problems);
    }
    assertTrue(HttpDeliverer.checkTargetUrl("http://169.254.169.254/", true).get(0).contains("metadata"));
    assertTrue(HttpDeliverer.checkTargetUrl("http://169.254.1.1/", true).get(0).contains("link-local"));
    assertTrue(HttpDeliverer.checkTargetUrl("http://100.100.100.200/", true).get(0).contains("metadata"));
  }

  @Test
  void checkTargetUrlRefusesMalformedUrls() {
    for (String url : List.of("", "file:///etc/passwd", "gopher://x", "ftp://x", "javascript:alert(1)", "http://",
        "http://[::1", "http://x%00.com", "http://127%2e0%2e0%2e1/x", "http://%6c%6f%63%61%6c%68%6f%73%74/x",
        "http://a b/x", "http://x/\r\nHost: y", "http://x:99999/", "http://x:port/")) {
      assertEquals(1, HttpDeliverer.checkTargetUrl(url, true).size(), url);
    }
    assertEquals(List.of("url is required"), HttpDeliverer.checkTargetUrl(null, true));
    assertEquals(List.of("url scheme 'file' is not allowed (http or https only)"),
        HttpDeliverer.checkTargetUrl("file:///etc/passwd", true));
  }
}
