package io.cwm.module.kafka;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * Where and how the {@code kafka} module produces one webhook (modules.md §3.7), read from the
 * module-config and checked at load time and again on every call.
 *
 * <ul>
 *   <li>{@code topic} (required; falls back to the entry's top-level {@code topic}): trimmed,
 *       2–249 characters of {@code [A-Za-z0-9_.-]} (Kafka's own limit), no {@code ..} or
 *       {@code --}. No keyword prefixes are refused: they would refuse innocent topics such as
 *       {@code list-updates} or {@code config_changes} (modules.md §5.6), and a topic name cannot
 *       run anything anyway.
 *   <li>{@code key}: static record key for every message; numbers are stringified, booleans as
 *       {@code True}/{@code False}; an empty string means no key; objects and lists are refused.
 *   <li>{@code partition}: fixed partition, an integer &ge; 0 (numeric strings accepted, since
 *       substitution yields strings).
 *   <li>{@code forward_headers} (default false): the cleaned request headers become record
 *       headers (UTF-8 values).
 * </ul>
 *
 * @param topic the checked topic
 * @param key the record key, or null for none
 * @param partition the fixed partition, or null to let the producer choose
 * @param forwardHeaders whether request headers become record headers
 */
public record KafkaTarget(String topic, String key, Integer partition, boolean forwardHeaders) {
  private static final Pattern ALLOWED = Pattern.compile("^[A-Za-z0-9_.-]+$");

  /** The checked settings for one call; throws ConfigException naming the key. */
  public static KafkaTarget resolve(JsonObject moduleConfig, JsonObject entry) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    return new KafkaTarget(topic(config, entry), key(config), partition(config),
        Coerce.bool(config, "forward_headers", false));
  }

  private static String topic(JsonObject config, JsonObject entry) {
    Object configured = config.getValue("topic");
    if (configured == null && entry != null) {
      configured = entry.getValue("topic");
    }
    if (configured == null) {
      throw new ConfigException("topic", "is required (in module-config or on the entry)");
    }
    if (!(configured instanceof String text)) {
      throw new ConfigException("topic", "must be a string");
    }
    String topic = text.trim();
    String problem = topicProblem(topic);
    if (problem != null) {
      throw new ConfigException("topic", problem);
    }
    return topic;
  }

  private static String key(JsonObject config) {
    Object value = config.getValue("key");
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean flag) {
      return flag ? "True" : "False";
    }
    if (value instanceof String || value instanceof Number) {
      String key = value.toString();
      return key.isEmpty() ? null : key;
    }
    throw new ConfigException("key", "must be a string, number or boolean, got " + Coerce.describe(value));
  }

  private static Integer partition(JsonObject config) {
    if (config.getValue("partition") == null) {
      return null;
    }
    return (int) Coerce.integer(config, "partition", 0, 0, Integer.MAX_VALUE);
  }

  /** Null when {@code topic} (already trimmed) is acceptable, else why not. */
  static String topicProblem(String topic) {
    if (topic.length() < 2 || topic.length() > 249) {
      return "must be 2 to 249 characters";
    }
    if (!ALLOWED.matcher(topic).matches()) {
      return "may contain only letters, digits, '_', '.' and '-'";
    }
    if (topic.contains("..") || topic.contains("--")) {
      return "must not contain '..' or '--'";
    }
    return null;
  }
}
