package io.cwm.app;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.config.RelayChannels;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.cwm.module.activemq.ActiveMqModuleVerticle;
import io.cwm.module.clickhouse.ClickHouseModuleVerticle;
import io.cwm.module.disk.SaveToDiskModuleVerticle;
import io.cwm.module.http.HttpWebhookModuleVerticle;
import io.cwm.module.kafka.KafkaModuleVerticle;
import io.cwm.module.log.LogModuleVerticle;
import io.cwm.module.mqtt.MqttModuleVerticle;
import io.cwm.module.mysql.MySqlModuleVerticle;
import io.cwm.module.postgres.PostgresModuleVerticle;
import io.cwm.module.pubsub.PubSubModuleVerticle;
import io.cwm.module.rabbitmq.RabbitMqModuleVerticle;
import io.cwm.module.redis.RedisPublishModuleVerticle;
import io.cwm.module.redis.RedisRqModuleVerticle;
import io.cwm.module.s3.S3ModuleVerticle;
import io.cwm.module.sqs.SqsModuleVerticle;
import io.cwm.module.websocket.WebSocketModuleVerticle;
import io.cwm.module.zeromq.ZeroMqModuleVerticle;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every module type this build knows, by the registry name webhooks.json uses (with its aliases):
 * the ones it serves and the ones it refuses by name. ConfigLoader resolves configured module
 * names and runs their load-time checks here; VerticleCatalog builds the module verticles from it.
 */
public final class ModuleCatalog {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*$");

  /** {@code webhook_connect}: no verticle (the ingest relays to the channel); its target is the channel name. */
  private static final ModuleType<String> RELAY = new ModuleType<>() {
    @Override
    public String name() {
      return RelayChannels.MODULE;
    }

    @Override
    public String target(JsonObject moduleConfig, JsonObject entry, Env env) {
      RelayChannels.checkConfig(moduleConfig, entry, env);
      return moduleConfig.getString("channel").trim();
    }

    @Override
    public boolean hasVerticle() {
      return false;
    }

    @Override
    public ModuleVerticle<String> verticle(Env env) {
      throw new IllegalStateException("webhook_connect is relayed by the ingest, not served by a verticle");
    }
  };

  private static final Map<String, ModuleType<?>> BY_NAME = new LinkedHashMap<>();
  private static final Map<String, String> ALIASES = new LinkedHashMap<>();

  static {
    // one module per line
    for (ModuleType<?> type : List.of(
        LogModuleVerticle.TYPE,
        SaveToDiskModuleVerticle.TYPE,
        RELAY,
        HttpWebhookModuleVerticle.TYPE,
        RedisPublishModuleVerticle.TYPE,
        RedisRqModuleVerticle.TYPE,
        RabbitMqModuleVerticle.TYPE,
        KafkaModuleVerticle.TYPE,
        PostgresModuleVerticle.TYPE,
        S3ModuleVerticle.TYPE,

        MySqlModuleVerticle.TYPE,

        ClickHouseModuleVerticle.TYPE,

        MqttModuleVerticle.TYPE,

        WebSocketModuleVerticle.TYPE,

        ZeroMqModuleVerticle.TYPE,

        ActiveMqModuleVerticle.TYPE,

        SqsModuleVerticle.TYPE,

        PubSubModuleVerticle.TYPE)) {
      BY_NAME.put(type.name(), type);
      type.aliases().forEach(alias -> ALIASES.put(alias, type.name()));
    }
  }

  private ModuleCatalog() {}

  /** Every known type, served or not, in catalogue order. */
  public static Collection<ModuleType<?>> all() {
    return Collections.unmodifiableCollection(BY_NAME.values());
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

  /** The type of a canonical name, or null. */
  public static ModuleType<?> type(String canonicalName) {
    return BY_NAME.get(canonicalName);
  }

  /**
   * Checks a module name as configured and returns its type.
   *
   * @throws ConfigException naming what is wrong: bad syntax, unknown, or not in this build
   */
  public static ModuleType<?> resolve(String key, Object configured) {
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
    ModuleType<?> type = BY_NAME.get(canonical);
    if (!type.available()) {
      throw new ConfigException(key, "module '" + canonical + "' is not available in this build");
    }
    return type;
  }
}
