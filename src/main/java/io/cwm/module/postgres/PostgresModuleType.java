package io.cwm.module.postgres;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The {@code postgresql} module (alias {@code postgres}): its target is the {@link PostgresTarget}
 * with its SQL ({@link PreparedTarget}). Relational storage of a {@code data_type: blob} entry is
 * refused here, where the entry is known.
 */
public final class PostgresModuleType implements ModuleType<PreparedTarget> {
  public static final String NAME = "postgresql";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> aliases() {
    return Set.of("postgres");
  }

  @Override
  public PreparedTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    PostgresTarget target = PostgresTarget.fromConfig(moduleConfig);
    if (target.mode() == PostgresTarget.StorageMode.RELATIONAL && entry != null
        && "blob".equals(entry.getValue("data_type"))) {
      throw new ConfigException("storage_mode", "relational storage cannot hold blob payloads "
          + "(data_type blob): use json or hybrid, which store the bytes as base64");
    }
    return PreparedTarget.of(target);
  }

  @Override
  public ModuleVerticle<PreparedTarget> verticle(Env env) {
    return new PostgresModuleVerticle(env);
  }
}
