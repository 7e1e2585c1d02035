package io.cwm.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialCleanerTest {
  private static final String MASK = "***REDACTED***";

  private static JsonObject clean(CredentialCleaner cleaner, String json) {
    return (JsonObject) cleaner.cleanPayload(new JsonObject(json));
  }

  private static Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("authorization", "Bearer live_abc");
    headers.put("x-api-key", "k-123");
    headers.put("x-hub-signature-256", "sha256=deadbeef");
    headers.put("cookie", "session=abc");
    headers.put("content-type", "application/json");
    return headers;
  }

  @Test
  void defaultsMaskCredentialsAtTheTopLevel() {
    JsonObject cleaned = clean(CredentialCleaner.DEFAULT,
        "{\"user\":\"bob\",\"password\":\"hunter2\",\"api_key\":\"k\",\"client_secret\":\"s\"}");

    assertEquals(new JsonObject().put("user", "bob").put("password", MASK).put("api_key", MASK)
        .put("client_secret", MASK), cleaned);
  }

  @Test
  void defaultsMaskCredentialsNestedInObjectsAndArrays() {
    JsonObject cleaned = clean(CredentialCleaner.DEFAULT, """
        {"account": {"owner": {"password": "hunter2", "name": "bob"}},
         "integrations": [{"api_key": "k1", "id": 1}, {"client_secret": "s2", "id": 2}]}
        """);

    assertEquals(new JsonObject("""
        {"account": {"owner": {"password": "***REDACTED***", "name": "bob"}},
         "integrations": [{"api_key": "***REDACTED***", "id": 1}, {"client_secret": "***REDACTED***", "id": 2}]}
        """), cleaned);
  }

  @Test
  void keysThatOnlyContainACredentialWordSurvive() {
    String payload = """
        {"author_association": "OWNER", "idempotency_key": "idem-1", "keyboard": "qwerty",
         "monkey": "george", "oauth_provider": "github", "author": "octocat"}
        """;
    assertEquals(new JsonObject(payload), clean(CredentialCleaner.DEFAULT, payload));
  }

  @Test
  void matchingIgnoresCaseAndSurroundingSpaces() {
    JsonObject cleaned = clean(CredentialCleaner.DEFAULT, "{\"Password\":\"a\",\" TOKEN \":\"b\"}");
    assertEquals(MASK, cleaned.getString("Password"));
    assertEquals(MASK, cleaned.getString(" TOKEN "));
  }

  @Test
  void customFieldsAreMaskedAsWellAsTheDefaults() {
    CredentialCleaner cleaner = CredentialCleaner.parse(new JsonObject("{\"fields\":[\"Card_Number\",\"x-internal-sig\"]}"));

    JsonObject cleaned = clean(cleaner, "{\"card_number\":\"4111\",\"password\":\"p\",\"amount\":10}");
    assertEquals(new JsonObject().put("card_number", MASK).put("password", MASK).put("amount", 10), cleaned);
    assertEquals(MASK, cleaner.cleanHeaders(Map.of("x-internal-sig", "v")).get("x-internal-sig"));
  }

  @Test
  void removeModeDeletesCredentialKeys() {
    CredentialCleaner cleaner = CredentialCleaner.parse(new JsonObject("{\"mode\":\"remove\"}"));

    JsonObject cleaned = clean(cleaner, "{\"user\":\"bob\",\"password\":\"hunter2\",\"nested\":{\"token\":\"t\",\"ok\":1}}");
    assertEquals(new JsonObject("{\"user\":\"bob\",\"nested\":{\"ok\":1}}"), cleaned);
  }

  @Test
  void removeModeDropsCredentialHeaders() {
    CredentialCleaner cleaner = CredentialCleaner.parse(new JsonObject("{\"mode\":\"REMOVE\"}"));

    assertEquals(Map.of("x-hub-signature-256", "sha256=deadbeef", "cookie", "session=abc",
        "content-type", "application/json"), cleaner.cleanHeaders(headers()));
  }

  @Test
  void credentialKeyHoldingAnObjectIsRecursedInto() {
    JsonObject cleaned = clean(CredentialCleaner.DEFAULT,
        "{\"auth\":{\"user\":\"bob\",\"token\":\"t\"},\"credentials\":[{\"password\":\"p\"},\"plain\"]}");

    assertEquals(new JsonObject(
        "{\"auth\":{\"user\":\"bob\",\"token\":\"***REDACTED***\"},\"credentials\":[{\"password\":\"***REDACTED***\"},\"plain\"]}"),
        cleaned);
  }

  @Test
  void credentialValuesOfAnyScalarTypeAreMasked() {
    JsonObject cleaned = clean(CredentialCleaner.DEFAULT, "{\"token\":12345,\"secret\":true,\"pwd\":null}");
    assertEquals(new JsonObject().put("token", MASK).put("secret", MASK).put("pwd", MASK), cleaned);
  }

  @Test
  void credentialHeadersAreMaskedAndSignaturesAndCookiesKept() {
    Map<String, String> cleaned = CredentialCleaner.DEFAULT.cleanHeaders(headers());

    assertEquals(MASK, cleaned.get("authorization"));
    assertEquals(MASK, cleaned.get("x-api-key"));
    assertEquals("sha256=deadbeef", cleaned.get("x-hub-signature-256"));
    assertEquals("session=abc", cleaned.get("cookie"));
    assertEquals("application/json", cleaned.get("content-type"));
  }

  @Test
  void disabledCleanerPassesEverythingThrough() {
    CredentialCleaner cleaner = CredentialCleaner.parse(new JsonObject("{\"enabled\":false}"));
    JsonObject payload = new JsonObject("{\"password\":\"hunter2\"}");
    Map<String, String> headers = headers();

    assertFalse(cleaner.enabled());
    assertSame(payload, cleaner.cleanPayload(payload));
    assertSame(headers, cleaner.cleanHeaders(headers));
  }

  @Test
  void enabledFalseAsAStringDisablesTheCleaner() {
    assertFalse(CredentialCleaner.parse(new JsonObject("{\"enabled\":\"false\"}")).enabled());
  }

  @Test
  void absentBlockMeansTheEnabledDefaults() {
    assertSame(CredentialCleaner.DEFAULT, CredentialCleaner.parse(null));
    assertTrue(CredentialCleaner.DEFAULT.enabled());
  }

  @Test
  void theInputIsNotModified() {
    JsonObject payload = new JsonObject("{\"password\":\"hunter2\",\"list\":[{\"token\":\"t\"}]}");
    JsonObject before = payload.copy();
    Map<String, String> headers = headers();
    Map<String, String> headersBefore = new LinkedHashMap<>(headers);

    CredentialCleaner.DEFAULT.cleanPayload(payload);
    CredentialCleaner.DEFAULT.cleanHeaders(headers);

    assertEquals(before, payload);
    assertEquals(headersBefore, headers);
  }

  @Test
  void topLevelArrayIsCleaned() {
    JsonArray cleaned = (JsonArray) CredentialCleaner.DEFAULT.cleanPayload(new JsonArray("[{\"secret\":\"s\"}]"));
    assertEquals(new JsonArray("[{\"secret\":\"***REDACTED***\"}]"), cleaned);
  }

  @Test
  void scalarAndBlobPayloadsAreUntouched() {
    Buffer blob = Buffer.buffer("password=hunter2");
    assertSame(blob, CredentialCleaner.DEFAULT.cleanPayload(blob));
    assertEquals("password", CredentialCleaner.DEFAULT.cleanPayload("password"));
  }

  @Test
  void unknownModeIsRefused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> CredentialCleaner.parse(new JsonObject("{\"mode\":\"bogus\"}")));
    assertEquals("mode", e.key());
    assertEquals("must be \"mask\" or \"remove\"", e.getMessage());
  }

  @Test
  void blockThatIsNotAnObjectIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> CredentialCleaner.parse("mask"));
    assertEquals("must be an object", e.getMessage());
  }
}
