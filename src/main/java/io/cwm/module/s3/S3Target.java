package io.cwm.module.s3;

import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;

/** The {@code s3} module's settings, checked at load time (modules.md). */
public final class S3Target {
  private S3Target() {}

  /** Load-time check (ModuleRegistry.ConfigCheck). */
  public static void checkConfig(JsonObject moduleConfig, JsonObject entry, Env env) {}
}
