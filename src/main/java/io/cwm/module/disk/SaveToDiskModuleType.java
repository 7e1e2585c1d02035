package io.cwm.module.disk;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code save_to_disk} module: its target is the checked {@link DiskTarget} directory. */
public final class SaveToDiskModuleType implements ModuleType<DiskTarget> {
  public static final String NAME = "save_to_disk";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DiskTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return DiskTarget.fromConfig(moduleConfig, env);
  }

  @Override
  public ModuleVerticle<DiskTarget> verticle(Env env) {
    return new SaveToDiskModuleVerticle();
  }
}
