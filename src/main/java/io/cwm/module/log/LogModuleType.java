package io.cwm.module.log;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code log} module: its target is the {@link LogFormatter} of its module-config. */
public final class LogModuleType implements ModuleType<LogFormatter> {
  public static final String NAME = "log";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LogFormatter target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return LogFormatter.fromConfig(moduleConfig);
  }

  @Override
  public ModuleVerticle<LogFormatter> verticle(Env env) {
    return new LogModuleVerticle();
  }
}
