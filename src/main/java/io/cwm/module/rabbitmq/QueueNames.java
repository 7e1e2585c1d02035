package io.cwm.module.rabbitmq;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The {@code rabbitmq} module's queue name (modules.md §3.4): {@code queue_name} from the
 * module-config, else the entry's top-level {@code queue_name}; trimmed, 1–255 characters of
 * {@code [A-Za-z0-9_.:-]}, no {@code ..} or {@code --}, not starting with {@code amq.} (reserved
 * by the broker). No keyword prefixes ({@code get_}, {@code publish-}, …) are refused: they would
 * reject innocent names such as {@code get_orders} (modules.md §5.6).
 */
public final class QueueNames {
  private static final Pattern ALLOWED = Pattern.compile("^[A-Za-z0-9_.:-]+$");

  private QueueNames() {}

  /** The checked queue name for one call; throws ConfigException naming the key. */
  public static String resolve(JsonObject moduleConfig, JsonObject entry) {
    Object configured = moduleConfig == null ? null : moduleConfig.getValue("queue_name");
    if (configured == null && entry != null) {
      configured = entry.getValue("queue_name");
    }
    if (configured == null) {
      throw new ConfigException("queue_name", "is required (in module-config or on the entry)");
    }
    if (!(configured instanceof String text)) {
      throw new ConfigException("queue_name", "must be a string");
    }
    String name = text.trim();
    String problem = problem(name);
    if (problem != null) {
      throw new ConfigException("queue_name", problem);
    }
    return name;
  }

  /** Null when {@code name} (already trimmed) is acceptable, else why not. */
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
    if (name.toLowerCase(java.util.Locale.ROOT).startsWith("amq.")) {
      return "must not start with 'amq.' (reserved by the broker)";
    }
    return null;
  }
}
