package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretRulesTest {
  @Test
  void replaceMeAtTheStartOrAsAWordIsAPlaceholderInAnyCase() {
    for (String value : List.of("REPLACE_ME", "REPLACE_ME-admin-token", "replace_me", "Replace-Me-please",
        "REPLACE_MEtoken", "whsec_REPLACE_ME", "redis://:REPLACE_ME-redis-password@redis:6379/0", "replaceme")) {
      assertEquals(SecretRules.Placeholder.REPLACE_ME, SecretRules.classify(value), value);
    }
  }

  @Test
  void changeMeInItsUsualSpellingsIsAPlaceholder() {
    for (String value : List.of("changeme", "CHANGEME", "change-me", "change_me", "ChangeMe", "change_me_123",
        "change-me-github-secret", "whsec_change_me", "token-changeme")) {
      assertEquals(SecretRules.Placeholder.CHANGE_ME, SecretRules.classify(value), value);
    }
  }

  @Test
  void wordsThatOnlyContainTheLettersAreNotPlaceholders() {
    for (String value : List.of("replacement-token", "interchange-meter", "exchangeme", "changemeter",
        "test_token_123", "channel_secret_token_123", "whsec_8f0e2b", "your_recaptcha_v2_secret_key")) {
      assertNull(SecretRules.classify(value), value);
    }
  }

  @Test
  void blankIsItsOwnClassAndDemoValuesAreRecognisedExactly() {
    assertEquals(SecretRules.Placeholder.BLANK, SecretRules.classify(""));
    assertEquals(SecretRules.Placeholder.BLANK, SecretRules.classify(" \t"));
    for (String demo : SecretRules.DEMO_VALUES) {
      assertEquals(SecretRules.Placeholder.DEMO, SecretRules.classify(demo), demo);
    }
    assertNull(SecretRules.classify("demo-token-2"));
  }

  @Test
  void theMessagesNameTheClassNotTheValue() {
    assertEquals("is a placeholder (REPLACE_ME…)", SecretRules.Placeholder.REPLACE_ME.text());
    assertEquals("is a placeholder (changeme…)", SecretRules.Placeholder.CHANGE_ME.text());
    assertEquals(" (set through {$A}, {$B})", SecretRules.origin(SecretRules.variables("{$A:x}-{$B}")));
    assertEquals("", SecretRules.origin(SecretRules.variables("literal")));
  }

  @Test
  void loopbackIsALoopbackLiteralOrLocalhost() {
    for (String host : List.of("127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost", "LocalHost")) {
      assertTrue(SecretRules.isLoopback(host), host);
    }
    for (String host : List.of("0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "example.com", "127.example.com", "")) {
      assertFalse(SecretRules.isLoopback(host), host);
    }
    assertFalse(SecretRules.isLoopback(null));
  }
}
