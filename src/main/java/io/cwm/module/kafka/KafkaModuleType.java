package io.cwm.module.kafka;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code kafka} module: its target is the {@link KafkaTarget} (topic, key, partition). */
public final class KafkaModuleType implements ModuleType<KafkaTarget> {
  public static final String NAME = "kafka";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public KafkaTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return KafkaTarget.resolve(moduleConfig, entry);
  }

  @Override
  public ModuleVerticle<KafkaTarget> verticle(Env env) {
    return new KafkaModuleVerticle(env);
  }
}
