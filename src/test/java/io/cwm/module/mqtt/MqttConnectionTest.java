package io.cwm.module.mqtt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load-time rules of an mqtt connection: versions, credentials, client id, TLS keys, host rules. */
class MqttConnectionTest {
  private static final Env NO_FLAGS = Env.of(Map.of());
  private static final Env LOCAL_OK = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private static ConfigException refused(JsonObject connection) {
    return assertThrows(ConfigException.class, () -> MqttModuleVerticle.TYPE.checkConnection(connection, LOCAL_OK));
  }

  @Test
  void pythonFixtureWithUserAndEmptyStringsLoadsAsAnonymous() {
    MqttConnection connection = MqttConnection.from(new JsonObject().put("type", "mqtt").put("host", "mqtt")
        .put("port", 1883).put("user", "").put("password", ""), NO_FLAGS);
    assertNull(connection.username());
    assertNull(connection.password());
    assertEquals(60, connection.keepAliveSeconds());
    assertFalse(connection.tls());
  }

  @Test
  void userIsAnAliasOfUsernameAndUsernameWins() {
    assertEquals("hooks", MqttConnection.from(new JsonObject().put("host", "mqtt").put("user", "hooks"), NO_FLAGS)
        .username());
    assertEquals("a", MqttConnection.from(new JsonObject().put("host", "mqtt").put("username", "a").put("user", "b"),
        NO_FLAGS).username());
  }

  @Test
  void numbersAndBooleansMayBeStrings() {
    MqttConnection connection = MqttConnection.from(new JsonObject().put("host", "broker.example.net")
        .put("port", "8883").put("keepalive", "45").put("tls", "true").put("tls_insecure", "false"), NO_FLAGS);
    assertEquals(8883, connection.port());
    assertEquals(45, connection.keepAliveSeconds());
    assertTrue(connection.tls());
  }

  @Test
  void onlyMqtt311IsSpokenAndTheOthersAreRefusedWithTheReason() {
    assertDoesNotThrow(() -> MqttConnection.from(new JsonObject().put("host", "h").put("mqtt_version", "3.1.1"),
        NO_FLAGS));
    for (Object version : new Object[] {"5", "5.0", 5, "3.1", 3.1}) {
      ConfigException e = refused(new JsonObject().put("host", "h").put("mqtt_version", version));
      assertEquals("mqtt_version", e.key());
      assertTrue(e.getMessage().contains("speaks MQTT 3.1.1 only"), e.getMessage());
    }
    assertEquals("mqtt_version", refused(new JsonObject().put("host", "h").put("mqtt_version", "4")).key());
  }

  @Test
  void defaultClientIdIsUniquePerClientAndAnExplicitOneIsHonoured() {
    MqttConnection generated = MqttConnection.from(new JsonObject().put("host", "h"), NO_FLAGS);
    String first = generated.newClientId();
    assertTrue(first.startsWith("webhook-module-") && first.length() == "webhook-module-".length() + 8, first);
    assertNotEquals(first, generated.newClientId());
    MqttConnection fixed = MqttConnection.from(new JsonObject().put("host", "h").put("client_id", "plant-7"),
        NO_FLAGS);
    assertEquals("plant-7", fixed.newClientId());
    assertEquals("plant-7", fixed.newClientId());
  }

  @Test
  void passwordWithoutUserAndHalfAClientCertificateAreRefused() {
    assertEquals("password", refused(new JsonObject().put("host", "h").put("password", "x")).key());
    assertEquals("tls_key_file", refused(new JsonObject().put("host", "h").put("tls_cert_file", "/c.pem")).key());
    assertEquals("tls_cert_file", refused(new JsonObject().put("host", "h").put("tls_key_file", "/k.pem")).key());
    assertDoesNotThrow(() -> MqttConnection.from(new JsonObject().put("host", "h").put("tls_cert_file", "")
        .put("tls_key_file", ""), NO_FLAGS));
  }

  @Test
  void hostRulesAreTheSharedOnes() {
    ConfigException local = assertThrows(ConfigException.class,
        () -> MqttConnection.from(new JsonObject(), NO_FLAGS)); // default localhost
    assertEquals("host", local.key());
    assertDoesNotThrow(() -> MqttConnection.from(new JsonObject().put("host", "127.0.0.1"), LOCAL_OK));
    assertEquals("host", refused(new JsonObject().put("host", "169.254.169.254")).key());
    assertEquals("port", refused(new JsonObject().put("host", "h").put("port", 70000)).key());
    assertEquals("keepalive", refused(new JsonObject().put("host", "h").put("keepalive", -1)).key());
  }

  @Test
  void toStringCarriesNoCredentials() {
    MqttConnection connection = MqttConnection.from(new JsonObject().put("host", "h").put("username", "u")
        .put("password", "very-secret"), NO_FLAGS);
    assertFalse(connection.toString().contains("very-secret"), connection.toString());
  }
}
