package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookIdRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "ABC123", "my-webhook", "webhook-_id", "mystats", "adminuser", "x_test",
      "x_debug", "github", "stripe_payments", "0start"})
  void acceptedIds(String id) {
    assertNull(WebhookIdRules.check(id));
  }

  static Stream<String> hostileIds() {
    return Stream.of("STATS", "Admin", "_x", "internal_x", "x_admin", "a--b", "a__b", "___", "-_-",
        "a".repeat(65), "a".repeat(10_000), "../webhook", "webhook/../admin", "webhook%2fadmin",
        "webhook%2e%2e/admin", "web\u0000hook", "wébhook", "", "   ", "health", "openapi.json",
        "favicon.ico", "robots.txt", "system_x", "admin_x", "x_internal", "x_system", "a b", "a.b");
  }

  @ParameterizedTest
  @MethodSource("hostileIds")
  void refusedIds(String id) {
    assertNotNull(WebhookIdRules.check(id));
  }

  @Test
  void nullIdIsEmpty() {
    assertEquals("Webhook ID cannot be empty", WebhookIdRules.check(null));
  }

  @Test
  void blankIdIsEmpty() {
    assertEquals("Webhook ID cannot be empty", WebhookIdRules.check("  "));
  }

  @Test
  void idLongerThan64CharactersNamesItsLength() {
    assertEquals("Webhook ID too long: 70 characters (max: 64)", WebhookIdRules.check("w".repeat(70)));
    assertEquals("Webhook ID too long: 10000 characters (max: 64)", WebhookIdRules.check("w".repeat(10_000)));
  }

  @Test
  void idOfExactly64CharactersIsAccepted() {
    assertNull(WebhookIdRules.check("w".repeat(64)));
  }

  @Test
  void reservedNameIsRefusedInAnyCase() {
    assertEquals("Webhook ID 'STATS' is reserved", WebhookIdRules.check("STATS"));
    assertEquals("Webhook ID 'Admin' is reserved", WebhookIdRules.check("Admin"));
  }

  @Test
  void reservedPrefixIsNamed() {
    assertEquals("Webhook ID cannot start with reserved prefix 'internal_'", WebhookIdRules.check("internal_x"));
  }

  @Test
  void reservedSuffixIsNamed() {
    assertEquals("Webhook ID cannot end with reserved suffix '_admin'", WebhookIdRules.check("x_admin"));
  }

  @Test
  void consecutiveSeparatorsAreRefused() {
    assertEquals("Webhook ID cannot contain consecutive underscores or hyphens", WebhookIdRules.check("a--b"));
    assertEquals("Webhook ID cannot contain consecutive underscores or hyphens", WebhookIdRules.check("a__b"));
  }

  @Test
  void traversalAndEncodedSlashesFailTheShapeRule() {
    String shape = "Invalid webhook ID format: must start with a letter or digit and contain only "
        + "letters, digits, underscores and hyphens";
    assertEquals(shape, WebhookIdRules.check("../webhook"));
    assertEquals(shape, WebhookIdRules.check("webhook%2fadmin"));
    assertEquals(shape, WebhookIdRules.check("web\u0000hook"));
    assertEquals(shape, WebhookIdRules.check("wébhook"));
    assertEquals(shape, WebhookIdRules.check("_x"));
  }

  @Test
  void surroundingSpacesAreTrimmedBeforeChecking() {
    assertNull(WebhookIdRules.check(" github "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "team-a", "team_a", "Tenant01", "-", "_"})
  void acceptedNamespaces(String namespace) {
    assertTrue(WebhookIdRules.validNamespace(namespace));
  }

  @Test
  void namespaceOf64CharactersIsAccepted() {
    assertTrue(WebhookIdRules.validNamespace("n".repeat(64)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "", "a/b", "a.b", "a b", "ns\u0000", "é"})
  void refusedNamespaces(String namespace) {
    assertFalse(WebhookIdRules.validNamespace(namespace));
  }

  @Test
  void namespaceOf65CharactersIsRefused() {
    assertFalse(WebhookIdRules.validNamespace("n".repeat(65)));
  }

  @Test
  void nullNamespaceIsRefused() {
    assertFalse(WebhookIdRules.validNamespace(null));
  }
}
