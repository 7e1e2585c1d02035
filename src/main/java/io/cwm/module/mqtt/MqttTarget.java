package io.cwm.module.mqtt;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where and how the {@code mqtt} module publishes one webhook (modules.md §3.11), read from the
 * module-config once at load; the publish topic is final here (prefix and Tasmota rules applied).
 *
 * <ul>
 *   <li>{@code topic}: module-config, else the entry's top-level {@code topic}; required unless
 *       {@code tasmota_format} builds the topic. Topic rules ({@link #topicProblem}): what MQTT
 *       allows for a publish topic, minus what a gateway should not publish to: not empty, at most
 *       65,535 UTF-8 bytes, no control characters, no wildcards {@code +} {@code #}, not starting
 *       with {@code $} (broker system topics).
 *   <li>{@code qos} 0, 1 or 2 (default 1; numeric strings accepted); {@code retained} (default false).
 *   <li>{@code format}: {@code json} (default), {@code raw}, anything else = the payload
 *       JSON-encoded (see {@link MqttMessages}).
 *   <li>{@code shelly_gen2_format} + {@code device_id} (default {@code webhook}): the Shelly Gen2
 *       envelope on the configured topic.
 *   <li>{@code tasmota_format} (when Shelly is off) + {@code tasmota_type} ({@code cmnd} default,
 *       {@code stat}, anything else = {@code tele}), {@code device_name} and {@code command}
 *       (default {@code webhook}, {@code [A-Za-z0-9_./-]}, no {@code ..}, {@code --}): the topic
 *       becomes {@code cmnd/<device_name>/<command>}, {@code stat/<device_name>/status} or
 *       {@code tele/<device_name>/telemetry}.
 *   <li>{@code topic_prefix}: same rules as a topic; trailing {@code /} removed; the topic becomes
 *       {@code <prefix>/<topic>} ({@code <prefix><topic>} when the topic starts with {@code /}).
 * </ul>
 *
 * @param topic the topic every message of this target is published to
 * @param qos the publish QoS
 * @param retained the retain flag
 * @param format how a plain message encodes the payload
 * @param style plain, Shelly Gen2 or Tasmota message
 * @param deviceId the Shelly {@code id} (only for {@link Style#SHELLY})
 */
public record MqttTarget(String topic, MqttQoS qos, boolean retained, Format format, Style style, String deviceId) {

  /** How a plain message carries the payload (modules.md §3.11 {@code format}). */
  public enum Format {
    /** Objects and arrays as JSON, strings as their text, other scalars as JSON text, blobs as their bytes. */
    JSON,
    /** Blobs as their bytes, strings as their UTF-8 text, anything else as JSON. */
    RAW,
    /** Any other {@code format} value: the payload JSON-encoded (a string in quotes), blobs as their bytes. */
    ENCODED
  }

  /** The message layout. */
  public enum Style { PLAIN, SHELLY, TASMOTA }

  /** MQTT's limit for a topic (a UTF-8 string with a 16-bit length). */
  static final int MAX_TOPIC_BYTES = 65_535;
  private static final Pattern TASMOTA_NAME = Pattern.compile("^[A-Za-z0-9_./-]+$");
  private static final String DEFAULT_NAME = "webhook";

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static MqttTarget resolve(JsonObject moduleConfig, JsonObject entry) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    MqttQoS qos = MqttQoS.valueOf((int) Coerce.integer(config, "qos", 1, 0, 2));
    boolean retained = Coerce.bool(config, "retained", false);
    Format format = format(config);
    boolean shelly = Coerce.bool(config, "shelly_gen2_format", false);
    boolean tasmota = !shelly && Coerce.bool(config, "tasmota_format", false);
    Object configured = config.getValue("topic");
    if (configured == null && entry != null) {
      configured = entry.getValue("topic");
    }
    String topic = configured == null ? null : checkedTopic("topic", configured);
    String deviceId = null;
    if (shelly) {
      deviceId = deviceId(config.getValue("device_id"));
    }
    if (tasmota) {
      topic = tasmotaTopic(config);
    } else if (topic == null) {
      throw new ConfigException("topic", "is required (in module-config or on the entry)");
    }
    Object prefix = config.getValue("topic_prefix");
    if (prefix != null && !(prefix instanceof String text && text.isBlank())) {
      String checked = checkedTopic("topic_prefix", prefix);
      String stripped = checked.replaceAll("/+$", "");
      topic = topic.startsWith("/") ? stripped + topic : stripped + "/" + topic;
      String problem = topicProblem(topic);
      if (problem != null) {
        throw new ConfigException("topic_prefix", "makes a topic that " + problem);
      }
    }
    return new MqttTarget(topic, qos, retained, format, shelly ? Style.SHELLY : tasmota ? Style.TASMOTA : Style.PLAIN,
        deviceId);
  }

  private static Format format(JsonObject config) {
    String format = Coerce.string(config, "format", "json").trim().toLowerCase(Locale.ROOT);
    return switch (format) {
      case "json" -> Format.JSON;
      case "raw" -> Format.RAW;
      default -> Format.ENCODED;
    };
  }

  private static String checkedTopic(String key, Object value) {
    if (!(value instanceof String text)) {
      throw new ConfigException(key, "must be a string, got " + Coerce.describe(value));
    }
    String topic = text.trim();
    String problem = topicProblem(topic);
    if (problem != null) {
      throw new ConfigException(key, problem);
    }
    return topic;
  }

  /** Null when {@code topic} (already trimmed) may be published to, else why not. */
  static String topicProblem(String topic) {
    if (topic.isEmpty()) {
      return "must not be empty";
    }
    if (topic.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_BYTES) {
      return "must be at most " + MAX_TOPIC_BYTES + " bytes (UTF-8)";
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        return "must not contain control characters";
      }
      if (c == '+' || c == '#') {
        return "must not contain the wildcards '+' or '#' (a publish goes to one topic)";
      }
    }
    if (topic.startsWith("$")) {
      return "must not start with '$' (reserved for broker system topics)";
    }
    return null;
  }

  private static String deviceId(Object value) {
    if (value == null) {
      return DEFAULT_NAME;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw new ConfigException("device_id", "must be a string or number, got " + Coerce.describe(value));
    }
    return value instanceof Boolean flag ? (flag ? "True" : "False") : value.toString();
  }

  private static String tasmotaTopic(JsonObject config) {
    String type = Coerce.string(config, "tasmota_type", "cmnd");
    String device = tasmotaName(config, "device_name");
    return switch (type) {
      case "cmnd" -> "cmnd/" + device + "/" + tasmotaName(config, "command");
      case "stat" -> "stat/" + device + "/status";
      default -> "tele/" + device + "/telemetry";
    };
  }

  private static String tasmotaName(JsonObject config, String key) {
    Object value = config.getValue(key);
    if (value == null) {
      return DEFAULT_NAME;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(key, "must be a string, got " + Coerce.describe(value));
    }
    String name = text.trim();
    if (name.isEmpty()) {
      throw new ConfigException(key, "must not be empty");
    }
    if (!TASMOTA_NAME.matcher(name).matches()) {
      throw new ConfigException(key, "may contain only letters, digits, '_', '.', '/' and '-'");
    }
    if (name.contains("..") || name.contains("--")) {
      throw new ConfigException(key, "must not contain '..' or '--'");
    }
    return name;
  }
}
