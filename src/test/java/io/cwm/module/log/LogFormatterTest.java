package io.cwm.module.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatterTest {
  private static final LogFormatter PLAIN = new LogFormatter(false, true);
  private static final LogFormatter UNREDACTED = new LogFormatter(false, false);
  private static final LogFormatter PRETTY = new LogFormatter(true, true);

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      headers.put(pairs[i], pairs[i + 1]);
    }
    return headers;
  }

  private static JsonObject nested(int levels) {
    Object value = "leaf";
    for (int i = 0; i < levels; i++) {
      value = new JsonObject().put("a", value);
    }
    return (JsonObject) value;
  }

  @Test
  void plainOutputIsOneLine() {
    String line = PLAIN.format("github", headers("content-type", "application/json"), new JsonObject().put("n", 1));
    assertEquals("webhook_id=github headers={\"content-type\":\"application/json\"} payload={\"n\":1}", line);
  }

  @Test
  void newlineInAPayloadValueCannotForgeALogLine() {
    String line = PLAIN.format("github", headers(), new JsonObject("{\"m\":\"line1\\nFAKE LOG LINE\"}"));

    assertTrue(line.contains("line1[NL]FAKE LOG LINE"), line);
    assertFalse(line.contains("\n"));
    assertFalse(line.contains("\\n"));
  }

  @Test
  void carriageReturnAndUnicodeLineSeparatorsAreShownAsNewlines() {
    String line = PLAIN.format("github", headers(), new JsonObject().put("m", "a\rb\u2028c\u2029d"));
    assertTrue(line.contains("a[NL]b[NL]c[NL]d"), line);
  }

  @Test
  void controlCharactersAreShownAsCtrl() {
    String line = PLAIN.format("github", headers(), new JsonObject().put("m", "a\u0007b\u001b[31mc\u0000d\u0085e\te"));
    assertTrue(line.contains("a[CTRL]b[CTRL][31mc[CTRL]d[CTRL]e[CTRL]e"), line);
  }

  @Test
  void controlCharactersInKeysHeadersAndTheIdAreCleaned() {
    String line = PLAIN.format("git\nhub", headers("x-note", "a\r\nb"), new JsonObject().put("k\ney", 1));

    assertTrue(line.startsWith("webhook_id=git[NL]hub "), line);
    assertTrue(line.contains("\"x-note\":\"a[NL][NL]b\""), line);
    assertTrue(line.contains("\"k[NL]ey\":1"), line);
  }

  @Test
  void sensitivePayloadKeysAreRedacted() {
    String line = PLAIN.format("github", headers(), new JsonObject("{\"password\":\"x\",\"db_password\":\"y\",\"user\":\"bob\"}"));

    assertTrue(line.contains("\"password\":\"[REDACTED]\""), line);
    assertTrue(line.contains("\"db_password\":\"[REDACTED]\""), line);
    assertTrue(line.contains("\"user\":\"bob\""), line);
  }

  @Test
  void sensitiveHeadersAreRedacted() {
    String line = PLAIN.format("github", headers("X-Api-Key", "k-123", "Authorization", "Bearer t0k", "Cookie", "s=1"),
        new JsonObject());

    assertTrue(line.contains("\"X-Api-Key\":\"[REDACTED]\""), line);
    assertTrue(line.contains("\"Authorization\":\"[REDACTED]\""), line);
    assertTrue(line.contains("\"Cookie\":\"[REDACTED]\""), line);
    assertFalse(line.contains("k-123"));
    assertFalse(line.contains("t0k"));
  }

  @Test
  void sensitiveKeyHoldingAnObjectIsRecursedInto() {
    String line = PLAIN.format("github", headers(), new JsonObject("{\"auth\":{\"user\":\"bob\",\"token\":\"t\"}}"));
    assertTrue(line.contains("\"auth\":{\"user\":\"bob\",\"token\":\"[REDACTED]\"}"), line);
  }

  @Test
  void redactionCanBeTurnedOff() {
    String line = UNREDACTED.format("github", headers("X-Api-Key", "k-123"), new JsonObject("{\"password\":\"x\"}"));

    assertTrue(line.contains("\"password\":\"x\""), line);
    assertTrue(line.contains("\"X-Api-Key\":\"k-123\""), line);
    assertFalse(line.contains("[REDACTED]"));
  }

  @Test
  void longPayloadIsCutAt10000Characters() {
    String line = PLAIN.format("github", headers(), new JsonObject().put("m", "x".repeat(20_000)));
    String prefix = "webhook_id=github headers={} payload=";

    assertTrue(line.endsWith("... [truncated]"), line.substring(line.length() - 40));
    assertEquals(prefix.length() + 10_000 + "... [truncated]".length(), line.length());
    assertTrue(line.startsWith(prefix + "{\"m\":\"xxx"));
  }

  @Test
  void payloadOfExactly10000CharactersIsNotTruncated() {
    // {"m":"..."} adds 8 characters around the value
    String line = PLAIN.format("github", headers(), new JsonObject().put("m", "x".repeat(10_000 - 8)));
    assertFalse(line.contains("[truncated]"));
  }

  @Test
  void nestingDeeperThan10IsReplaced() {
    String line = PLAIN.format("github", headers(), nested(11));
    assertTrue(line.contains("[Max depth exceeded]"), line);
    assertFalse(line.contains("leaf"));
  }

  @Test
  void nestingOf10IsShownInFull() {
    String line = PLAIN.format("github", headers(), nested(10));
    assertFalse(line.contains("[Max depth exceeded]"), line);
    assertTrue(line.contains("\"leaf\""), line);
  }

  @Test
  void blobPayloadIsDescribedNotPrinted() {
    String line = PLAIN.format("github", headers(), Buffer.buffer(new byte[] {1, 2, 3, 4, 5}));
    assertTrue(line.endsWith("payload=<5 bytes of binary payload>"), line);
  }

  @Test
  void topLevelStringPayloadIsCleaned() {
    String line = PLAIN.format("github", headers(), "a\nb");
    assertTrue(line.endsWith("payload=\"a[NL]b\""), line); // payloads are printed as JSON values
  }

  @Test
  void prettyModePrintsABanner() {
    String bar = "=".repeat(80);
    String text = PRETTY.format("github", headers("x-a", "1"), new JsonObject().put("n", 1));

    assertTrue(text.startsWith("\n" + bar + "\nWEBHOOK RECEIVED: github\n" + bar + "\nHeaders:\n"), text);
    assertTrue(text.contains("\nPayload:\n"), text);
    assertTrue(text.endsWith("\n" + bar), text);
  }

  @Test
  void prettyModeKeepsInjectedNewlinesEscaped() {
    String text = PRETTY.format("github", headers(), new JsonObject("{\"m\":\"line1\\nFAKE LOG LINE\"}"));
    assertTrue(text.contains("line1[NL]FAKE LOG LINE"), text);
    assertFalse(text.contains("\nFAKE LOG LINE"));
  }

  @Test
  void configStringsAreReadAsBooleans() {
    LogFormatter formatter = LogFormatter.fromConfig(new JsonObject("{\"pretty_print\":\"TRUE\",\"redact_sensitive\":\"false\"}"));
    String text = formatter.format("github", headers(), new JsonObject("{\"password\":\"x\"}"));

    assertTrue(text.contains("WEBHOOK RECEIVED: github"));
    assertTrue(text.contains("\"x\""));
  }

  @Test
  void configDefaultsArePlainAndRedacted() {
    String line = LogFormatter.fromConfig(new JsonObject()).format("github", headers(), new JsonObject("{\"token\":\"t\"}"));
    assertEquals("webhook_id=github headers={} payload={\"token\":\"[REDACTED]\"}", line);
  }

  @Test
  void nonBooleanConfigIsRefused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> LogModuleVerticle.TYPE.target(new JsonObject("{\"redact_sensitive\":\"no\"}"), new JsonObject(), Env.of(Map.of())));
    assertEquals("redact_sensitive", e.key());
  }
}
