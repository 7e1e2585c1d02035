package io.cwm.module.rabbitmq;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code rabbitmq} module: its target is the {@link RabbitMqTarget} queue. */
public final class RabbitMqModuleType implements ModuleType<RabbitMqTarget> {
  public static final String NAME = "rabbitmq";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RabbitMqTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return RabbitMqTarget.fromConfig(moduleConfig, entry);
  }

  @Override
  public ModuleVerticle<RabbitMqTarget> verticle(Env env) {
    return new RabbitMqModuleVerticle(env);
  }
}
