package io.cwm.module.redis;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code redis_rq} module: its target is the {@link RqTarget} (function and queue). */
public final class RedisRqModuleType implements ModuleType<RqTarget> {
  public static final String NAME = "redis_rq";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RqTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return RqTarget.fromConfig(moduleConfig);
  }

  @Override
  public ModuleVerticle<RqTarget> verticle(Env env) {
    return new RedisRqModuleVerticle(env);
  }
}
