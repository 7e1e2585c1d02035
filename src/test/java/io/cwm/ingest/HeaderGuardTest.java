package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.MultiMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderGuardTest {

  private static MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap();
  }

  private static MultiMap distinctHeaders(int count) {
    MultiMap headers = headers();
    for (int i = 0; i < count; i++) {
      headers.add("X-Header-" + i, "v");
    }
    return headers;
  }

  private static String refused(MultiMap headers) {
    CwmException e = assertThrows(CwmException.class, () -> HeaderGuard.check(headers));
    assertEquals(FailureCode.BAD_REQUEST, e.code());
    return e.getMessage();
  }

  @Test
  void hundredHeadersAreAccepted() {
    assertEquals(100, HeaderGuard.check(distinctHeaders(100)).size());
  }

  @Test
  void hundredAndOneHeadersAreRefused() {
    assertEquals("Too many headers: 101 (max: 100)", refused(distinctHeaders(101)));
  }

  @Test
  void repeatedHeaderCountsOnce() {
    MultiMap headers = distinctHeaders(100);
    headers.add("x-header-0", "again");
    headers.add("X-HEADER-1", "again");
    assertEquals(100, HeaderGuard.check(headers).size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "Bearer t\r\nX-Injected: 1", "a\u0000b", "a\u2028b", "a\u2029b",
      "a\u00e2\u0080\u00a8b", "a\u00e2\u0080\u00a9b"})
  void forbiddenCharacterInAValueIsRefused(String value) {
    MultiMap headers = headers().add("X-A", value);
    assertEquals("Invalid header value: contains forbidden character", refused(headers));
  }

  @Test
  void forbiddenCharacterInANameIsRefused() {
    MultiMap headers = headers().add("X-A\u2028B", "v");
    assertEquals("Invalid header name: contains forbidden character", refused(headers));
  }

  @Test
  void latin1TextThatIsNotALineSeparatorIsAccepted() {
    // "â€" without the third byte of U+2028 is ordinary (if odd) Latin-1 text
    assertEquals("caf\u00e9 \u00e2\u0080x", HeaderGuard.check(headers().add("X-A", "caf\u00e9 \u00e2\u0080x")).get("x-a"));
  }

  @Test
  void totalOf32768CharactersIsAccepted() {
    String name = "X-Big";
    MultiMap headers = headers().add(name, "v".repeat(HeaderGuard.MAX_TOTAL_BYTES - name.length()));
    assertEquals(1, HeaderGuard.check(headers).size());
  }

  @Test
  void totalOver32768CharactersIsRefused() {
    String name = "X-Big";
    MultiMap headers = headers().add(name, "v".repeat(HeaderGuard.MAX_TOTAL_BYTES - name.length() + 1));
    assertEquals("Headers too large: 32769 bytes (max: 32768)", refused(headers));
  }

  @Test
  void totalCountsEveryHeaderNameAndValue() {
    MultiMap headers = headers();
    for (int i = 0; i < 10; i++) {
      headers.add("X-Part-" + i, "p".repeat(3300)); // 8 + 3300 = 3308 each
    }
    assertEquals("Headers too large: 33080 bytes (max: 32768)", refused(headers));
  }

  @Test
  void nineKilobyteHeaderIsAccepted() {
    // divergence from Python's 8 KiB budget (a large JWT must pass)
    assertEquals(1, HeaderGuard.check(headers().add("Authorization", "Bearer " + "j".repeat(9 * 1024))).size());
  }

  @Test
  void namesAreLowerCased() {
    Map<String, String> checked = HeaderGuard.check(headers().add("Content-Type", "application/json")
        .add("X-Hub-Signature-256", "sha256=abc"));
    assertEquals(Map.of("content-type", "application/json", "x-hub-signature-256", "sha256=abc"), checked);
  }

  @Test
  void repeatedHeaderKeepsItsLastValue() {
    MultiMap headers = headers().add("X-Forwarded-For", "203.0.113.5").add("x-forwarded-for", "198.51.100.7");
    assertEquals(Map.of("x-forwarded-for", "198.51.100.7"), HeaderGuard.check(headers));
  }

  @Test
  void noHeadersGiveAnEmptyMap() {
    assertEquals(Map.of(), HeaderGuard.check(headers()));
  }
}
