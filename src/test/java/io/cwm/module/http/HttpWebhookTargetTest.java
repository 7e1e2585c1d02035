package io.cwm.module.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.testing.HostileUrls;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Load-time checks of the http_webhook module-config (modules.md §3.3, security-notes §4.2, §5.4). */
class HttpWebhookTargetTest {

  private static ConfigException refused(JsonObject moduleConfig) {
    return assertThrows(ConfigException.class, () -> HttpWebhookTarget.fromConfig(moduleConfig));
  }

  @Test
  void defaultsAreThoseOfTheSpec() {
    HttpWebhookTarget target = HttpWebhookTarget.fromConfig(new JsonObject().put("url", "https://example.com/webhook"));
    assertEquals(HttpMethod.POST, target.method());
    assertEquals(30_000, target.timeoutMillis());
    assertFalse(target.forwardHeaders());
    assertNull(target.allowedHeaders());
    assertTrue(target.headers().isEmpty());
    assertFalse(target.hostAllowListed());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com/webhook", "http://EXAMPLE.COM/x", "http://example.com:8080/x",
      "http://8.8.8.8/x"})
  void publicTargetsAreAccepted(String url) {
    HttpWebhookTarget.fromConfig(new JsonObject().put("url", url));
  }

  static Stream<String> hostileUrls() {
    return Stream.concat(HostileUrls.SECURITY_NOTES.stream(), Stream.of("http://10.0.0.1/",
        "http://169.254.169.254/", "http://example.com/a%00b", "http://0x7f.1/x", "http://100.64.0.1/x"));
  }

  @ParameterizedTest
  @MethodSource("hostileUrls")
  void hostileTargetsAreRefusedAtLoad(String url) {
    assertEquals("url", refused(new JsonObject().put("url", url)).key());
  }

  @Test
  void allowedHostsSkipsTheAddressChecksButOnlyForListedHosts() {
    JsonObject config = new JsonObject().put("url", "http://LOCALHOST:9000/x")
        .put("allowed_hosts", new JsonArray().add("localhost"));
    assertTrue(HttpWebhookTarget.fromConfig(config).hostAllowListed());
    config.put("url", "http://example.com/x");
    assertEquals("url", refused(config).key());
  }

  @Test
  void urlLongerThan8192IsRefused() {
    assertEquals("url", refused(new JsonObject().put("url", "https://example.com/" + "a".repeat(8200))).key());
  }

  @Test
  void missingUrlIsRefused() {
    assertEquals("url", refused(new JsonObject()).key());
  }

  @Test
  void onlyPostPutAndPatchAreAccepted() {
    JsonObject config = new JsonObject().put("url", "https://example.com/");
    assertEquals(HttpMethod.PATCH, HttpWebhookTarget.fromConfig(config.copy().put("method", "patch")).method());
    assertEquals("method", refused(config.copy().put("method", "GET")).key());
  }

  @Test
  void allowedHeadersAreCaseInsensitiveAndEmptyMeansNone() {
    JsonObject config = new JsonObject().put("url", "https://example.com/")
        .put("allowed_headers", new JsonArray().add("X-Event"));
    assertEquals(Set.of("x-event"), HttpWebhookTarget.fromConfig(config).allowedHeaders());
    config.put("allowed_headers", new JsonArray());
    assertEquals(Set.of(), HttpWebhookTarget.fromConfig(config).allowedHeaders());
  }

  @Test
  void timeoutMustBePositive() {
    assertEquals("timeout", refused(new JsonObject().put("url", "https://example.com/").put("timeout", 0)).key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"host", "Connection", "keep-alive", "Transfer-Encoding", "upgrade", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "content-length", "X A", "X-A:"})
  void hopByHopAndInvalidNamesAreNotSent(String name) {
    assertFalse(OutgoingHeaders.allowed(name, "v", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v\r\nX-B: w", "a\nb", "a\0b", "a\u2028b", "a\u2029b", "a\u000bb", "a\fb"})
  void valuesWithLineBreaksOrControlsAreNotSent(String value) {
    assertFalse(OutgoingHeaders.allowed("X-A", value, null));
  }

  @Test
  void lengthLimitsAndAllowList() {
    assertTrue(OutgoingHeaders.allowed("X-A", "v", null));
    assertFalse(OutgoingHeaders.allowed("X-" + "a".repeat(199), "v", null));
    assertFalse(OutgoingHeaders.allowed("X-A", "v".repeat(8193), null));
    assertFalse(OutgoingHeaders.allowed("X-A", "v", Set.of()));
    assertTrue(OutgoingHeaders.allowed("X-A", "v", Set.of("x-a")));
  }
}
