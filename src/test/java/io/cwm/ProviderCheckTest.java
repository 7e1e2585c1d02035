package io.cwm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} prints one info line per webhook using a provider preset, outside the OK / REFUSED counts. */
class ProviderCheckTest {
  @TempDir
  Path dir;

  @Test
  void checkPrintsAnInfoLinePerPreset() throws IOException {
    Path webhooks = Files.writeString(dir.resolve("webhooks.json"), """
        {
          "payments": {"module": "webhook_connect", "module-config": {"channel": "pay", "channel_token": "pay-token-1"},
                       "provider": {"name": "stripe", "secret": "{$STRIPE_SECRET}"}},
          "hooks": {"module": "log", "provider": {"name": "slack", "secrets": ["a-slack-key", "b-slack-key"],
                    "tolerance_seconds": 120}},
          "repo": {"module": "webhook_connect", "module-config": {"channel": "repo", "channel_token": "repo-token-1"},
                   "provider": {"name": "gitlab", "secret": "gl-token"}, "descripton": "typo"}
        }
        """);
    MainConfigTest.Outcome outcome = MainConfigTest.run(Map.of("STRIPE_SECRET", "whsec_live_key"), "check",
        "--webhooks", webhooks.toString(), "--host", "127.0.0.1");
    assertEquals(0, outcome.exitCode(), outcome.out());
    String prefix = "info: " + webhooks + ": webhook '";
    String[] lines = outcome.out().split("\n");
    assertEquals(5, lines.length, outcome.out());
    assertEquals("warning: " + webhooks + ": webhook 'repo': unknown key 'descripton', ignored", lines[0]);
    assertEquals(prefix + "hooks': provider slack (X-Slack-Signature, X-Slack-Request-Timestamp, HMAC-SHA256 over "
        + "v0:timestamp:body, tolerance 120 s, 2 secrets; no dedup)", lines[1]);
    assertEquals(prefix + "payments': provider stripe (Stripe-Signature, HMAC-SHA256 over t.body, tolerance 300 s; "
        + "dedup /id for 259200 s)", lines[2]);
    assertEquals(prefix + "repo': provider gitlab (X-Gitlab-Token, token equal to the secret, no signed timestamp; "
        + "dedup Idempotency-Key for 86400 s)", lines[3]);
    // the info lines are not problems: one warning counted
    assertTrue(lines[4].startsWith("OK: " + webhooks + " (3 webhooks), "), lines[4]);
    assertTrue(lines[4].endsWith(", 1 warning(s)"), lines[4]);
  }
}
