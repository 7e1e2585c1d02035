package io.cwm.module.redis;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/**
 * The {@code redis_publish} module: its target is the {@link RedisPublishTarget} read from the
 * entry's {@code redis} block and the module-config's {@code channel}.
 */
public final class RedisPublishModuleType implements ModuleType<RedisPublishTarget> {
  public static final String NAME = "redis_publish";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RedisPublishTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return RedisPublishTarget.fromConfig(moduleConfig, entry);
  }

  @Override
  public ModuleVerticle<RedisPublishTarget> verticle(Env env) {
    return new RedisPublishModuleVerticle();
  }
}
