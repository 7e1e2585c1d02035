package io.cwm.module.postgres;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * What every call of one {@code postgresql} module-config writes, built once at load: the parsed
 * {@link PostgresTarget} and its SQL text.
 *
 * @param target the table settings
 * @param sql the DDL and INSERT of that table
 */
public record PreparedTarget(PostgresTarget target, PostgresSql sql) {

  static PreparedTarget of(PostgresTarget target) {
    return new PreparedTarget(target, PostgresSql.of(target));
  }

  /**
   * The load-time check of one module-config. Relational storage of a {@code data_type: blob}
   * entry is refused here, where the entry is known.
   */
  static PreparedTarget check(JsonObject moduleConfig, JsonObject entry) {
    PostgresTarget target = PostgresTarget.fromConfig(moduleConfig);
    if (target.mode() == PostgresTarget.StorageMode.RELATIONAL && entry != null
        && "blob".equals(entry.getValue("data_type"))) {
      throw new ConfigException("storage_mode", "relational storage cannot hold blob payloads "
          + "(data_type blob): use json or hybrid, which store the bytes as base64");
    }
    return of(target);
  }
}
