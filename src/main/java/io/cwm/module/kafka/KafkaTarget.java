package io.cwm.module.kafka;

import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;

/** The {@code kafka} module's settings, checked at load time (modules.md). */
public final class KafkaTarget {
  private KafkaTarget() {}

  /** Load-time check (ModuleRegistry.ConfigCheck). */
  public static void checkConfig(JsonObject moduleConfig, JsonObject entry, Env env) {}
}
