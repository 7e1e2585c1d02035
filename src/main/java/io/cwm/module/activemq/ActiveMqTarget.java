package io.cwm.module.activemq;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code activemq} module-config (modules.md §3.13), checked once at load:
 * {@code destination} (required; trimmed, 1–255 characters of {@code [A-Za-z0-9_.:-]}, no
 * {@code ..} or {@code --}, not starting (any case) with a prefix the broker reserves:
 * {@code ActiveMQ.}, {@code VirtualTopic.}, {@code Consumer.}, {@code Queue.}, {@code Topic.}) and
 * {@code destination_type} ({@code queue} by default, or {@code topic}; any case, trimmed).
 *
 * @param destination the checked destination name
 * @param topic whether it is a topic (else a queue)
 */
public record ActiveMqTarget(String destination, boolean topic) {
  private static final Pattern ALLOWED = Pattern.compile("^[A-Za-z0-9_.:-]+$");
  private static final List<String> RESERVED = List.of("activemq.", "virtualtopic.", "consumer.", "queue.", "topic.");

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static ActiveMqTarget fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    Object value = config.getValue("destination");
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException("destination", "is required and must be a non-empty string");
    }
    String destination = text.trim();
    String problem = problem(destination);
    if (problem != null) {
      throw new ConfigException("destination", problem);
    }
    String type = Coerce.string(config, "destination_type", "queue").trim().toLowerCase(Locale.ROOT);
    if (!type.equals("queue") && !type.equals("topic")) {
      throw new ConfigException("destination_type", "must be queue or topic");
    }
    return new ActiveMqTarget(destination, type.equals("topic"));
  }

  /** The STOMP destination header: {@code /queue/<name>} or {@code /topic/<name>}. */
  public String stompDestination() {
    return (topic ? "/topic/" : "/queue/") + destination;
  }

  /** Null when the (trimmed) name is acceptable, else why not. */
  static String problem(String name) {
    if (name.isEmpty() || name.length() > 255) {
      return "must be 1 to 255 characters";
    }
    if (!ALLOWED.matcher(name).matches()) {
      return "may contain only letters, digits, '_', '.', ':' and '-'";
    }
    if (name.contains("..") || name.contains("--")) {
      return "must not contain '..' or '--'";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (String prefix : RESERVED) {
      if (lower.startsWith(prefix)) {
        return "must not start with a prefix the broker reserves (ActiveMQ., VirtualTopic., Consumer., Queue., Topic.)";
      }
    }
    return null;
  }
}
