package io.cwm.module.sql;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * What every call of one SQL module-config writes, built once at load: the parsed
 * {@link SqlTarget} and its SQL text in the module's dialect.
 *
 * @param dialect the module's dialect (a verticle refuses a target of another dialect)
 * @param target the table settings
 * @param sql the DDL and INSERT of that table
 */
public record PreparedTarget(SqlDialect dialect, SqlTarget target, SqlStatements sql) {

  public static PreparedTarget of(SqlDialect dialect, SqlTarget target) {
    return new PreparedTarget(dialect, target, SqlStatements.of(dialect, target));
  }

  /**
   * The load-time check of one module-config. Relational storage of a {@code data_type: blob}
   * entry is refused here, where the entry is known.
   */
  public static PreparedTarget check(SqlDialect dialect, JsonObject moduleConfig, JsonObject entry) {
    SqlTarget target = SqlTarget.fromConfig(moduleConfig, dialect.names());
    if (target.mode() == SqlTarget.StorageMode.RELATIONAL && entry != null
        && "blob".equals(entry.getValue("data_type"))) {
      throw new ConfigException("storage_mode", "relational storage cannot hold blob payloads "
          + "(data_type blob): use json or hybrid, which store the bytes as base64");
    }
    return of(dialect, target);
  }
}
