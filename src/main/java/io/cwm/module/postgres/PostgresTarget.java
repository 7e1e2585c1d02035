package io.cwm.module.postgres;

import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;

/** The {@code postgresql} module's settings, checked at load time (modules.md). */
public final class PostgresTarget {
  private PostgresTarget() {}

  /** Load-time check (ModuleRegistry.ConfigCheck). */
  public static void checkConfig(JsonObject moduleConfig, JsonObject entry, Env env) {}
}
