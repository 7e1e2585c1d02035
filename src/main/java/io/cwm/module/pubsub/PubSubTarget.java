package io.cwm.module.pubsub;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code gcp_pubsub} module-config (modules.md §3.15), parsed and checked once:
 *
 * <ul>
 *   <li>{@code topic} (required): the topic id, trimmed, 3–255 characters of the spec's
 *       {@code ^[a-z][a-z0-9_-]*$}, no {@code --} or {@code __}, not starting with {@code goog}
 *       (Pub/Sub's own rules: at least 3 characters, {@code goog} reserved). The topic is
 *       {@code projects/<project_id>/topics/<topic>}, the project coming from the connection.
 *   <li>{@code create_topic} (default false): create the topic when Pub/Sub answers NOT_FOUND and
 *       publish once more (Python always did); without it NOT_FOUND is a permanent failure.
 * </ul>
 */
public record PubSubTarget(String topic, boolean createTopic) {
  private static final Pattern TOPIC = Pattern.compile("^[a-z][a-z0-9_-]*$");

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static PubSubTarget fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    String topic = Coerce.string(config, "topic", null);
    if (topic == null || topic.isBlank()) {
      throw new ConfigException("topic", "is required");
    }
    String trimmed = topic.trim();
    String problem = topicProblem(trimmed);
    if (problem != null) {
      throw new ConfigException("topic", problem);
    }
    return new PubSubTarget(trimmed, Coerce.bool(config, "create_topic", false));
  }

  /** Null when {@code topic} is acceptable, else why not. */
  static String topicProblem(String topic) {
    if (topic.length() < 3 || topic.length() > 255) {
      return "must be 3 to 255 characters";
    }
    if (!TOPIC.matcher(topic).matches()) {
      return "must start with a lower-case letter and contain only lower-case letters, digits, '_' and '-'";
    }
    if (topic.contains("--") || topic.contains("__")) {
      return "must not contain '--' or '__'";
    }
    if (topic.toLowerCase(Locale.ROOT).startsWith("goog")) {
      return "must not start with 'goog' (reserved by Pub/Sub)";
    }
    return null;
  }
}
