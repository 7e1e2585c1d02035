package io.cwm.module;

import io.cwm.config.ConfigException;
import io.cwm.config.RelayChannels;
import io.cwm.config.Env;
import io.cwm.module.disk.DiskTarget;
import io.cwm.module.http.HttpWebhookTarget;
import io.cwm.module.kafka.KafkaTarget;
import io.cwm.module.log.LogFormatter;
import io.cwm.module.postgres.PostgresTarget;
import io.cwm.module.redis.RedisPublishTarget;
import io.cwm.module.redis.RqJob;
import io.cwm.module.rabbitmq.QueueNames;
import io.cwm.module.s3.S3Target;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The output modules by registry name (the Python names, with their aliases), whether this
 * build serves them, and the load-time check of their module-config.
 */
public final class ModuleRegistry {

  /** Checks one module-config at load time; throws ConfigException (key relative to it). */
  @FunctionalInterface
  public interface ConfigCheck {
    void check(JsonObject moduleConfig, JsonObject entry, Env env);
  }

  /** A registry entry. {@code plannedIn} says where an unavailable module is coming, or null. */
  public record Spec(String name, boolean available, String plannedIn, ConfigCheck check) {}

  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*$");
  private static final ConfigCheck NO_CHECK = (config, entry, env) -> {};
  private static final Map<String, Spec> BY_NAME = new LinkedHashMap<>();
  private static final Map<String, String> ALIASES = Map.of("postgres", "postgresql", "mariadb", "mysql");

  static {
    add(new Spec("log", true, null, LogFormatter::checkConfig));
    add(new Spec("save_to_disk", true, null, DiskTarget::checkConfig));
    add(new Spec(RelayChannels.MODULE, true, null, RelayChannels::checkConfig));
    add(new Spec("http_webhook", true, null, HttpWebhookTarget::checkConfig));
    add(new Spec("redis_publish", true, null, RedisPublishTarget::checkConfig));
    add(new Spec("redis_rq", true, null, RqJob::checkConfig));
    add(new Spec("rabbitmq", true, null, QueueNames::checkConfig));
    add(new Spec("kafka", true, null, KafkaTarget::checkConfig));
    add(new Spec("postgresql", true, null, PostgresTarget::checkConfig));
    add(new Spec("s3", true, null, S3Target::checkConfig));
    for (String name : List.of("mysql", "clickhouse", "mqtt", "zeromq", "activemq", "aws_sqs",
        "gcp_pubsub", "websocket")) {
      add(new Spec(name, false, null, NO_CHECK));
    }
  }

  private ModuleRegistry() {}

  private static void add(Spec spec) {
    BY_NAME.put(spec.name(), spec);
  }

  /** The canonical registry name for {@code name} (aliases resolved), or null when unknown. */
  public static String canonical(String name) {
    if (name == null) {
      return null;
    }
    String trimmed = name.trim();
    String resolved = ALIASES.getOrDefault(trimmed, trimmed);
    return BY_NAME.containsKey(resolved) ? resolved : null;
  }

  public static Spec spec(String canonicalName) {
    return BY_NAME.get(canonicalName);
  }

  /**
   * Checks a module name as configured and returns its canonical registry name.
   *
   * @throws ConfigException naming what is wrong: bad syntax, unknown, or not in this build
   */
  public static String resolve(String key, Object configured) {
    if (!(configured instanceof String name) || name.isBlank()) {
      throw new ConfigException(key, "must be a module name (a non-empty string)");
    }
    String trimmed = name.trim();
    if (trimmed.length() > 64 || !NAME.matcher(trimmed).matches() || trimmed.contains("--")
        || trimmed.contains("__")) {
      throw new ConfigException(key, "invalid module name");
    }
    String canonical = canonical(trimmed);
    if (canonical == null) {
      throw new ConfigException(key, "unknown module '" + trimmed.toLowerCase(Locale.ROOT)
          + "' (known: " + String.join(", ", BY_NAME.keySet()) + ")");
    }
    Spec spec = BY_NAME.get(canonical);
    if (!spec.available()) {
      throw new ConfigException(key, "module '" + canonical + "' is not available in this build"
          + (spec.plannedIn() == null ? "" : " yet (it comes with " + spec.plannedIn() + ")"));
    }
    return canonical;
  }
}
