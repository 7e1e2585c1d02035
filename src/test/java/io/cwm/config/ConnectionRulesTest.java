package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionRulesTest {
  private static final Env NO_FLAGS = Env.of(Map.of());
  private static final Env LOCALHOST_ALLOWED = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  private static final Env PRIVATE_ALLOWED = Env.of(Map.of("ALLOW_PRIVATE_IP_CONNECTIONS", "true"));
  private static final Env EVERYTHING_ALLOWED =
      Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "ALLOW_PRIVATE_IP_CONNECTIONS", "true"));

  private static JsonObject rabbit(String host) {
    return new JsonObject().put("type", "rabbitmq").put("host", host).put("port", 5672);
  }

  private static ConfigException refused(JsonObject connection, Env env) {
    return assertThrows(ConfigException.class, () -> ConnectionRules.check(connection, env));
  }

  @Test
  void publicHostnameIsAccepted() {
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit("mq.example.com"), NO_FLAGS));
  }

  @Test
  void hostIsTrimmed() {
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit("  mq.example.com  "), NO_FLAGS));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})
  void localhostIsRefusedByDefault(String host) {
    ConfigException e = refused(rabbit(host), NO_FLAGS);
    assertEquals("host", e.key());
    assertEquals("localhost is refused unless ALLOW_LOCALHOST_FOR_TESTS=true", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.0.0.1", "[::1]"})
  void localhostIsAcceptedWhenAllowedForTests(String host) {
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit(host), LOCALHOST_ALLOWED));
  }

  @Test
  void otherLoopbackAddressIsRefusedByDefault() {
    ConfigException e = refused(rabbit("127.0.0.2"), NO_FLAGS);
    assertEquals("loopback addresses are refused unless ALLOW_LOCALHOST_FOR_TESTS=true", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5", "172.16.0.1", "192.168.1.10", "fd00::1", "[fd12:3456::1]"})
  void privateAddressIsRefusedByDefault(String host) {
    ConfigException e = refused(rabbit(host), NO_FLAGS);
    assertEquals("host", e.key());
    assertEquals("private addresses are refused unless ALLOW_PRIVATE_IP_CONNECTIONS=true", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5", "192.168.1.10", "fd00::1"})
  void privateAddressIsAcceptedWhenAllowed(String host) {
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit(host), PRIVATE_ALLOWED));
  }

  @ParameterizedTest
  @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "fe80::1", "[fe80::1]", "224.0.0.1", "ff02::1"})
  void linkLocalAndMulticastAreRefusedEvenWithEveryFlag(String host) {
    ConfigException e = refused(rabbit(host), EVERYTHING_ALLOWED);
    assertEquals("link-local, multicast, reserved and unspecified addresses are refused", e.getMessage());
  }

  @Test
  void reservedAddressIsRefusedEvenWithEveryFlag() {
    // connections-json.md §3 rule 4: "link-local, loopback, multicast, reserved → rejected always"
    refused(rabbit("240.0.0.1"), EVERYTHING_ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"metadata.google.internal", "METADATA.GOOGLE.INTERNAL", "metadata.azure.com",
      "metadata.cloud.ibm.com", "x.metadata.google.internal"})
  void cloudMetadataHostsAreRefusedEvenWithEveryFlag(String host) {
    ConfigException e = refused(rabbit(host), EVERYTHING_ALLOWED);
    assertEquals("cloud metadata hosts are refused", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"db;rm -rf /", "db|nc", "db&x", "db$HOME", "db`id`", "db(x)", "db{x}", "db<x>",
      "db?x", "db*", "db!", "db\\x"})
  void hostWithShellCharactersIsRefused(String host) {
    ConfigException e = refused(rabbit(host), EVERYTHING_ALLOWED);
    assertEquals("host contains forbidden characters", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"db host", "db_host", "[evil.example.com]", "db\u0000x", "dé.example.com"})
  void malformedHostNameIsRefused(String host) {
    ConfigException e = refused(rabbit(host), EVERYTHING_ALLOWED);
    assertEquals("invalid host name", e.getMessage());
  }

  @Test
  void hostLongerThan253CharactersIsRefused() {
    ConfigException e = refused(rabbit("a".repeat(254)), NO_FLAGS);
    assertEquals("invalid host name", e.getMessage());
  }

  @Test
  void ipv4WithAnOctetAbove255IsRefused() {
    ConfigException e = refused(rabbit("999.1.1.1"), EVERYTHING_ALLOWED);
    assertEquals("invalid IP address", e.getMessage());
  }

  @Test
  void publicIpLiteralIsAccepted() {
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit("93.184.216.34"), NO_FLAGS));
    assertDoesNotThrow(() -> ConnectionRules.check(rabbit("[2606:4700:4700::1111]"), NO_FLAGS));
  }

  @Test
  void missingHostIsRefused() {
    ConfigException e = refused(new JsonObject().put("type", "redis-rq").put("port", 6379), NO_FLAGS);
    assertEquals("host", e.key());
    assertEquals("is required", e.getMessage());
  }

  @Test
  void portAsStringIsAccepted() {
    assertDoesNotThrow(() -> ConnectionRules.check(
        new JsonObject().put("type", "rabbitmq").put("host", "mq.example.com").put("port", "5672"), NO_FLAGS));
  }

  @Test
  void portAbove65535IsRefused() {
    ConfigException e = refused(
        new JsonObject().put("type", "rabbitmq").put("host", "mq.example.com").put("port", 70000), NO_FLAGS);
    assertEquals("port", e.key());
    assertEquals("must be between 1 and 65535, got 70000", e.getMessage());
  }

  @Test
  void portZeroIsRefused() {
    ConfigException e = refused(
        new JsonObject().put("type", "mysql").put("host", "db.example.com").put("port", "0"), NO_FLAGS);
    assertEquals("port", e.key());
  }

  @Test
  void missingPortIsRefused() {
    ConfigException e = refused(new JsonObject().put("type", "clickhouse").put("host", "ch.example.com"), NO_FLAGS);
    assertEquals("port", e.key());
    assertEquals("is required", e.getMessage());
  }

  @Test
  void postgresqlWithOnlyAConnectionStringIsAccepted() {
    assertDoesNotThrow(() -> ConnectionRules.check(new JsonObject().put("type", "postgresql")
        .put("connection_string", "postgresql://app:s3cret@db.example.com:5432/events"), NO_FLAGS));
    assertDoesNotThrow(() -> ConnectionRules.check(new JsonObject().put("type", "postgresql")
        .put("connection_string", "postgres://app@db.example.com/events"), NO_FLAGS));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mysql://u:p@db.example.com/db", "file:///etc/passwd", "postgresql://db.example.com/db"})
  void postgresqlConnectionStringOfTheWrongShapeIsRefused(String dsn) {
    ConfigException e = refused(new JsonObject().put("type", "postgresql").put("connection_string", dsn), NO_FLAGS);
    assertEquals("connection_string", e.key());
    assertEquals("must be a postgresql:// URL with user@host", e.getMessage());
  }

  @Test
  void missingTypeIsRefused() {
    ConfigException e = refused(new JsonObject().put("host", "mq.example.com").put("port", 5672), NO_FLAGS);
    assertEquals("type", e.key());
    assertEquals("is required", e.getMessage());
  }

  @Test
  void blankTypeIsRefused() {
    ConfigException e = refused(new JsonObject().put("type", " "), NO_FLAGS);
    assertEquals("type", e.key());
  }

  @Test
  void unknownTypesAreAcceptedWithoutHostChecks() {
    assertDoesNotThrow(() -> ConnectionRules.check(new JsonObject().put("type", "kafka")
        .put("bootstrap_servers", "localhost:9092"), NO_FLAGS));
    assertDoesNotThrow(() -> ConnectionRules.check(new JsonObject().put("type", "something_new"), NO_FLAGS));
  }
}
