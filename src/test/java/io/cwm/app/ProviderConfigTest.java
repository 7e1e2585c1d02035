package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.DedupSettings;
import io.cwm.config.Env;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.CredentialCleaner;
import io.cwm.webhook.WebhookEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhooks.json {@code "provider"} key as the loader reads it: default dedup, secret rules, refusals. */
class ProviderConfigTest {
  private static final String RELAY = "\"module\": \"webhook_connect\", \"module-config\": "
      + "{\"channel\": \"ch\", \"channel_token\": \"tok-for-the-channel\"}";

  @TempDir
  Path dir;

  private ConfigLoader.Result load(String webhooks, Map<String, String> variables) throws IOException {
    Files.writeString(dir.resolve("webhooks.json"), webhooks);
    Files.writeString(dir.resolve("connections.json"), "{}");
    Env env = Env.of(variables);
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("no HTTP client in config tests");
    });
    return ConfigLoader.load(dir.resolve("webhooks.json"), dir.resolve("connections.json"), env, context, true, true);
  }

  private WebhookEntry entry(String body) throws IOException {
    ConfigLoader.Result result = load("{\"hook\": {" + body + "}}", Map.of());
    assertTrue(result.ok(), () -> "problems: " + result.problems());
    return result.snapshot().webhooks().get("hook");
  }

  private List<String> errors(String webhooks, Map<String, String> variables) throws IOException {
    ConfigLoader.Result result = load(webhooks, variables);
    assertFalse(result.ok(), "expected the load to fail");
    return result.errors().stream().map(Object::toString).toList();
  }

  private String problem(String key, String message) {
    return "error: " + dir.resolve("webhooks.json") + ": webhook 'hook': " + key + ": " + message;
  }

  @Test
  void aRelayEntryGetsThePresetsDedupKey() throws IOException {
    DedupSettings stripe = entry(RELAY + ", \"provider\": {\"name\": \"stripe\", \"secret\": \"whsec_abc\"}").dedup();
    assertEquals("/id", stripe.key().toString());
    assertEquals(DedupSettings.STRIPE_WINDOW_SECONDS, stripe.windowSeconds());
    assertEquals("X-GitHub-Delivery",
        entry(RELAY + ", \"provider\": {\"name\": \"github\", \"secret\": \"gh-key\"}").dedup().key().toString());
    assertEquals("X-Shopify-Event-Id",
        entry(RELAY + ", \"provider\": {\"name\": \"shopify\", \"secret\": \"k\"}").dedup().key().toString());
    assertEquals("Idempotency-Key",
        entry(RELAY + ", \"provider\": {\"name\": \"gitlab\", \"secret\": \"k\"}").dedup().key().toString());
    assertEquals("I-Twilio-Idempotency-Token",
        entry(RELAY + ", \"provider\": {\"name\": \"twilio\", \"secret\": \"k\"}").dedup().key().toString());
    assertEquals("/event_id",
        entry(RELAY + ", \"provider\": {\"name\": \"paddle\", \"secret\": \"k\"}").dedup().key().toString());
    assertEquals("Linear-Delivery",
        entry(RELAY + ", \"provider\": {\"name\": \"linear\", \"secret\": \"k\"}").dedup().key().toString());
  }

  @Test
  void theEntrysOwnDedupWinsAndFalseTurnsItOff() throws IOException {
    assertEquals("X-Request-Id", entry(RELAY + ", \"dedup\": {\"key\": \"X-Request-Id\"}, "
        + "\"provider\": {\"name\": \"stripe\", \"secret\": \"k\"}").dedup().key().toString());
    assertNull(entry(RELAY + ", \"provider\": {\"name\": \"stripe\", \"secret\": \"k\", \"dedup\": false}").dedup());
    // a module entry has nowhere to keep dedup records: the preset's key is not applied
    WebhookEntry log = entry("\"module\": \"log\", \"provider\": {\"name\": \"github\", \"secret\": \"k\"}");
    assertNull(log.dedup());
    assertEquals(1, log.validators().size());
  }

  @Test
  void secretsFollowTheSameRulesAsOtherValidatorSecrets() throws IOException {
    assertEquals(List.of(problem("provider.secret", "is a placeholder (REPLACE_ME…): set the real secret")),
        errors("{\"hook\": {\"module\": \"log\", \"provider\": {\"name\": \"github\", \"secret\": \"REPLACE_ME\"}}}",
            Map.of()));
    assertEquals(List.of(problem("provider.secrets[1]",
        "is a placeholder (changeme…): set the real secret (set through {$GH_NEW})")),
        errors("{\"hook\": {\"module\": \"log\", \"provider\": {\"name\": \"github\", "
            + "\"secrets\": [\"real-old-secret\", \"{$GH_NEW}\"]}}}", Map.of("GH_NEW", "changeme")));
    assertEquals(List.of(problem("standard_webhooks.secret", "is a placeholder (REPLACE_ME…): set the real secret")),
        errors("{\"hook\": {\"module\": \"log\", \"standard_webhooks\": {\"secret\": \"whsec_REPLACE_ME\"}}}",
            Map.of()));
  }

  @Test
  void refusalsNameTheKey() throws IOException {
    assertEquals(List.of(problem("provider.name", "unknown provider 'githib' (did you mean 'github'?); known: "
        + "github, stripe, shopify, slack, standard_webhooks, gitlab, twilio, paddle, linear")),
        errors("{\"hook\": {\"module\": \"log\", \"provider\": {\"name\": \"githib\", \"secret\": \"k\"}}}", Map.of()));
    assertEquals(List.of(problem("provider.secret", "secret not configured (\"secret\": \"...\", or \"secrets\": "
        + "[...] during a rotation)")),
        errors("{\"hook\": {\"module\": \"log\", \"provider\": {\"name\": \"stripe\"}}}", Map.of()));
    assertEquals(List.of(problem("provider.secret", "is not a Standard Webhooks secret: expected \"whsec_\" followed "
        + "by base64 (the text after whsec_ is not valid base64)")),
        errors("{\"hook\": {\"module\": \"log\", \"provider\": {\"name\": \"standard_webhooks\", "
            + "\"secret\": \"whsec_no-base64!\"}}}", Map.of()));
  }

  @Test
  void theGitLabTokenHeaderIsACredentialByDefault() {
    assertEquals(CredentialCleaner.MASK,
        CredentialCleaner.DEFAULT.cleanHeaders(Map.of("x-gitlab-token", "glpat-secret")).get("x-gitlab-token"));
  }
}
