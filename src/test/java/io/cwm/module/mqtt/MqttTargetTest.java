package io.cwm.module.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load-time rules of the mqtt module-config: topic, QoS, format, prefix, Shelly and Tasmota. */
class MqttTargetTest {
  private static final Env NO_FLAGS = Env.of(Map.of());

  private static MqttTarget resolve(JsonObject moduleConfig) {
    return (MqttTarget) MqttModuleVerticle.TYPE.target(moduleConfig, new JsonObject(), NO_FLAGS);
  }

  private static ConfigException refused(JsonObject moduleConfig) {
    return assertThrows(ConfigException.class, () -> resolve(moduleConfig));
  }

  @Test
  void defaultsAreQos1NotRetainedJsonPlain() {
    MqttTarget target = resolve(new JsonObject().put("topic", " sensors/room1 "));
    assertEquals("sensors/room1", target.topic());
    assertEquals(MqttQoS.AT_LEAST_ONCE, target.qos());
    assertFalse(target.retained());
    assertEquals(MqttTarget.Format.JSON, target.format());
    assertEquals(MqttTarget.Style.PLAIN, target.style());
  }

  @Test
  void entryTopicIsTheFallbackAndModuleConfigWins() {
    assertEquals("webhook/events", MqttTarget.resolve(new JsonObject(),
        new JsonObject().put("topic", "webhook/events")).topic());
    assertEquals("mine", MqttTarget.resolve(new JsonObject().put("topic", "mine"),
        new JsonObject().put("topic", "entry")).topic());
  }

  @Test
  void missingTopicNamesTheKey() {
    ConfigException e = refused(new JsonObject());
    assertEquals("topic", e.key());
    assertTrue(e.getMessage().contains("required"), e.getMessage());
    assertEquals("topic", refused(new JsonObject().put("topic", 5)).key());
  }

  @Test
  void qosIsZeroOneOrTwoAndNumericStringsCount() {
    assertEquals(MqttQoS.AT_MOST_ONCE, resolve(new JsonObject().put("topic", "t").put("qos", 0)).qos());
    assertEquals(MqttQoS.EXACTLY_ONCE, resolve(new JsonObject().put("topic", "t").put("qos", "2")).qos());
    assertEquals("qos", refused(new JsonObject().put("topic", "t").put("qos", 3)).key());
    assertEquals("qos", refused(new JsonObject().put("topic", "t").put("qos", "high")).key());
    assertTrue(resolve(new JsonObject().put("topic", "t").put("retained", "true")).retained());
  }

  @Test
  void formatRawJsonOrAnythingElseEncoded() {
    assertEquals(MqttTarget.Format.RAW, resolve(new JsonObject().put("topic", "t").put("format", "raw")).format());
    assertEquals(MqttTarget.Format.ENCODED, resolve(new JsonObject().put("topic", "t").put("format", "xml")).format());
  }

  @Test
  void topicsPythonRefusedForNoReasonAreAccepted() {
    // '--', '..', spaces, ':', '@', '%', non-ASCII and empty levels are valid MQTT topic names
    for (String topic : new String[] {"home/living--room", "v1..2/x", "plant 3/temp", "tele/dev:01", "a@b/%",
        "caf\u00e9/t\u00e9", "a//b", "/leading", "trailing/"}) {
      assertNull(MqttTarget.topicProblem(topic), topic);
    }
  }

  @Test
  void topicsMqttOrSafetyForbidAreRefused() {
    assertNotNull(MqttTarget.topicProblem(""));
    assertNotNull(MqttTarget.topicProblem("a/+/b"));
    assertNotNull(MqttTarget.topicProblem("a/#"));
    assertNotNull(MqttTarget.topicProblem("$SYS/broker"));
    assertNotNull(MqttTarget.topicProblem("a\u0000b"));
    assertNotNull(MqttTarget.topicProblem("a\nb"));
    assertNotNull(MqttTarget.topicProblem("a\tb"));
    assertNotNull(MqttTarget.topicProblem("t".repeat(MqttTarget.MAX_TOPIC_BYTES + 1)));
    assertNull(MqttTarget.topicProblem("t".repeat(MqttTarget.MAX_TOPIC_BYTES)));
    assertEquals("topic", refused(new JsonObject().put("topic", "  ")).key());
  }

  @Test
  void prefixIsPrependedWithoutItsTrailingSlash() {
    assertEquals("site/a/sensors/x", resolve(new JsonObject().put("topic", "sensors/x")
        .put("topic_prefix", "site/a/")).topic());
    assertEquals("site/sensors", resolve(new JsonObject().put("topic", "/sensors").put("topic_prefix", "site"))
        .topic());
    assertEquals("t", resolve(new JsonObject().put("topic", "t").put("topic_prefix", "")).topic());
    assertEquals("topic_prefix", refused(new JsonObject().put("topic", "t").put("topic_prefix", "$SYS")).key());
    assertEquals("topic_prefix", refused(new JsonObject().put("topic", "t").put("topic_prefix", "a/#")).key());
  }

  @Test
  void shellyKeepsTheTopicAndTakesTheDeviceId() {
    MqttTarget target = resolve(new JsonObject().put("topic", "shellies/plug").put("shelly_gen2_format", true)
        .put("device_id", 42));
    assertEquals(MqttTarget.Style.SHELLY, target.style());
    assertEquals("42", target.deviceId());
    assertEquals("shellies/plug", target.topic());
    assertEquals("webhook", resolve(new JsonObject().put("topic", "t").put("shelly_gen2_format", true)).deviceId());
    assertEquals("device_id", refused(new JsonObject().put("topic", "t").put("shelly_gen2_format", true)
        .put("device_id", new JsonObject())).key());
  }

  @Test
  void tasmotaBuildsTheTopicAndNeedsNoTopicOfItsOwn() {
    assertEquals("cmnd/webhook/webhook", resolve(new JsonObject().put("tasmota_format", true)).topic());
    assertEquals("cmnd/sonoff1/Power", resolve(new JsonObject().put("tasmota_format", true)
        .put("device_name", "sonoff1").put("command", "Power")).topic());
    assertEquals("stat/sonoff1/status", resolve(new JsonObject().put("tasmota_format", true)
        .put("tasmota_type", "stat").put("device_name", "sonoff1")).topic());
    assertEquals("tele/sonoff1/telemetry", resolve(new JsonObject().put("tasmota_format", true)
        .put("tasmota_type", "anything").put("device_name", "sonoff1")).topic());
    assertEquals("home/cmnd/d/c", resolve(new JsonObject().put("tasmota_format", true).put("device_name", "d")
        .put("command", "c").put("topic_prefix", "home")).topic());
    assertEquals(MqttTarget.Style.TASMOTA, resolve(new JsonObject().put("tasmota_format", true)).style());
  }

  @Test
  void shellyWinsOverTasmota() {
    MqttTarget target = resolve(new JsonObject().put("topic", "t").put("shelly_gen2_format", true)
        .put("tasmota_format", true));
    assertEquals(MqttTarget.Style.SHELLY, target.style());
    assertEquals("t", target.topic());
  }

  @Test
  void tasmotaNamesFollowPythonsRules() {
    assertEquals("device_name", refused(new JsonObject().put("tasmota_format", true).put("device_name", "a+b")).key());
    assertEquals("device_name", refused(new JsonObject().put("tasmota_format", true).put("device_name", "a..b"))
        .key());
    assertEquals("device_name", refused(new JsonObject().put("tasmota_format", true).put("device_name", " ")).key());
    assertEquals("device_name", refused(new JsonObject().put("tasmota_format", true).put("device_name", 7)).key());
    assertEquals("command", refused(new JsonObject().put("tasmota_format", true).put("command", "x#")).key());
    // a stat/tele topic does not use the command
    assertEquals("stat/d/status", resolve(new JsonObject().put("tasmota_format", true).put("tasmota_type", "stat")
        .put("device_name", "d").put("command", "x#")).topic());
  }
}
