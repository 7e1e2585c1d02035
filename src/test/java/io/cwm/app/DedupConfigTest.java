package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ChannelSpec;
import io.cwm.config.ConfigProblem;
import io.cwm.config.DedupSettings;
import io.cwm.config.Env;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.WebhookEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhooks.json {@code "dedup"} key: forms, presets, defaults, limits and the refusals {@code check} prints. */
class DedupConfigTest {
  private static final String RELAY = "\"module\": \"webhook_connect\", \"module-config\": "
      + "{\"channel\": \"ch\", \"channel_token\": \"tok\"}";

  @TempDir
  Path dir;

  private ConfigLoader.Result load(String webhooks) throws IOException {
    Files.writeString(dir.resolve("webhooks.json"), webhooks);
    Files.writeString(dir.resolve("connections.json"), "{}");
    Env env = Env.of(Map.of());
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("no HTTP client in config tests");
    });
    return ConfigLoader.load(dir.resolve("webhooks.json"), dir.resolve("connections.json"), env, context, true, true);
  }

  private WebhookEntry entry(String dedup) throws IOException {
    ConfigLoader.Result result = load("{\"hook\": {" + RELAY + ", \"dedup\": " + dedup + "}}");
    assertTrue(result.ok(), () -> "problems: " + result.problems());
    return result.snapshot().webhooks().get("hook");
  }

  private String onlyError(String webhooks) throws IOException {
    ConfigLoader.Result result = load(webhooks);
    assertFalse(result.ok(), "expected the load to fail");
    assertNull(result.snapshot());
    assertEquals(1, result.errors().size(), () -> "errors: " + result.problems());
    return result.errors().get(0).toString();
  }

  private String problem(String key, String message) {
    return "error: " + dir.resolve("webhooks.json") + ": webhook 'hook': " + key + ": " + message;
  }

  @Test
  void presetsNameTheProvidersKeyAndTheirWindow() throws IOException {
    assertEquals("X-GitHub-Delivery", entry("\"github\"").dedup().key().toString());
    assertEquals("/id", entry("\"stripe\"").dedup().key().toString());
    assertEquals(DedupSettings.STRIPE_WINDOW_SECONDS, entry("\"stripe\"").dedup().windowSeconds());
    assertEquals("webhook-id", entry("\"standard-webhooks\"").dedup().key().toString());
    assertEquals("X-Shopify-Webhook-Id", entry("\"Shopify\"").dedup().key().toString());
    assertEquals(DedupSettings.DEFAULT_WINDOW_SECONDS, entry("\"shopify\"").dedup().windowSeconds());
    DedupSettings windowed = entry("{\"preset\": \"stripe\", \"window_seconds\": 600}").dedup();
    assertEquals("/id", windowed.key().toString());
    assertEquals(600, windowed.windowSeconds());
  }

  @Test
  void anExplicitKeyTakesTheDefaultWindowAndTheWindowReachesTheQueue() throws IOException {
    ConfigLoader.Result result = load("{\"hook\": {" + RELAY + ", \"dedup\": {\"key\": \"/data/object/id\"}},"
        + " \"plain\": {" + RELAY + "}}");
    assertTrue(result.ok(), () -> "problems: " + result.problems());
    WebhookEntry hook = result.snapshot().webhooks().get("hook");
    assertFalse(hook.dedup().key().isHeader());
    assertEquals(86_400, hook.dedup().windowSeconds());
    ChannelSpec channel = result.snapshot().channels().get("ch");
    assertEquals(86_400, channel.queue("hook").dedupWindowSeconds());
    assertEquals(0, channel.queue("plain").dedupWindowSeconds(), "a webhook without dedup keeps no records");
    assertNull(result.snapshot().webhooks().get("plain").dedup());
  }

  @Test
  void badValuesAreRefusedWithTheirKey() throws IOException {
    assertEquals(problem("dedup", "unknown preset 'gitlab' (known: github, stripe, standard-webhooks, shopify)"),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": \"gitlab\"}}"));
    assertEquals(problem("dedup.window_seconds", "must be between 1 and 604800, got 0"),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": {\"key\": \"X-Id\", \"window_seconds\": 0}}}"));
    assertEquals(problem("dedup.key", "is required: a header name or a JSON pointer starting with \"/\""),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": {\"window_seconds\": 60}}}"));
    assertEquals(problem("dedup.key", "is not a header name (RFC 9110 token) nor a JSON pointer starting with \"/\""),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": {\"key\": \"X Id\"}}}"));
    assertEquals(problem("dedup.key", "give either \"key\" or \"preset\", not both"),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": {\"key\": \"X-Id\", \"preset\": \"github\"}}}"));
    assertEquals(problem("dedup.windows", "unknown key (known: key, preset, window_seconds)"),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": {\"key\": \"X-Id\", \"windows\": 5}}}"));
    assertEquals(problem("dedup", "must be a preset name (github, stripe, standard-webhooks, shopify) or an object "
            + "{\"key\": <header name or JSON pointer>, \"window_seconds\": N}"),
        onlyError("{\"hook\": {" + RELAY + ", \"dedup\": 5}}"));
  }

  @Test
  void aDirectEntryIsRefused() throws IOException {
    assertEquals(problem("dedup", "needs \"module\": \"webhook_connect\": the dedup record is kept in the channel's "
            + "buffer with the message; this entry delivers through module log, which has none"),
        onlyError("{\"hook\": {\"module\": \"log\", \"dedup\": \"github\"}}"));
    assertEquals(problem("dedup", "needs \"module\": \"webhook_connect\": the dedup record is kept in the channel's "
            + "buffer with the message; this entry delivers through a chain, which has none"),
        onlyError("{\"hook\": {\"chain\": [\"log\"], \"dedup\": \"github\"}}"));
  }

  @Test
  void aPointerKeyOnABlobEntryIsRefused() throws IOException {
    ConfigLoader.Result result = load("{\"hook\": {" + RELAY + ", \"data_type\": \"blob\", \"dedup\": \"stripe\"}}");
    assertFalse(result.ok());
    assertTrue(result.errors().stream().map(Object::toString).anyMatch(problem("dedup.key",
        "a JSON pointer reads a JSON payload; this entry has data_type blob: use a header")::equals),
        () -> "errors: " + result.errors());
  }

  @Test
  void aKeyFromAFieldTheCleanupMasksIsRecordedOnlyAsItsDigest() throws IOException {
    DedupSettings header = entry("{\"key\": \"X-Api-Key\"}").dedup();
    assertTrue(header.hashKeys());
    assertEquals(DedupSettings.recordKey("k".repeat(300)).length(), header.recordKeyOf("key-123").length());
    assertTrue(header.recordKeyOf("key-123").startsWith("sha256:"));
    assertTrue(entry("{\"key\": \"/data/token\"}").dedup().hashKeys());
    assertFalse(entry("\"github\"").dedup().hashKeys());
    assertEquals("evt_1", entry("\"stripe\"").dedup().recordKeyOf("evt_1"));
  }

  @Test
  void longKeysAreRecordedAsTheirDigest() {
    assertEquals("evt_1", DedupSettings.recordKey("evt_1"));
    assertNull(DedupSettings.recordKey(""));
    String digest = DedupSettings.recordKey("k".repeat(500));
    assertTrue(digest.startsWith("sha256:") && digest.length() == 7 + 64, digest);
    assertEquals(digest, DedupSettings.recordKey("k".repeat(500)));
    List<String> distinct = List.of(DedupSettings.recordKey("a".repeat(201)), DedupSettings.recordKey("b".repeat(201)));
    assertEquals(2, distinct.stream().distinct().count());
  }
}
