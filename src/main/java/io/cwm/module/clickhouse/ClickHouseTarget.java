package io.cwm.module.clickhouse;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * The module-config of {@code clickhouse} (modules.md §3.10), checked once at load:
 * {@code table} (default {@code webhook_logs}, rules of {@link ClickHouseNames}),
 * {@code include_headers} (default true: the headers as a JSON object, else {@code {}}).
 * {@code include_timestamp} is accepted and unused, as in Python (the row always has its
 * {@code timestamp}).
 */
public record ClickHouseTarget(String table, boolean includeHeaders) {
  static final String DEFAULT_TABLE = "webhook_logs";

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static ClickHouseTarget fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    Object value = config.getValue("table");
    String table = DEFAULT_TABLE;
    if (value != null) {
      if (!(value instanceof String text)) {
        throw new ConfigException("table", "must be a string");
      }
      table = text.trim();
      String problem = ClickHouseNames.tableProblem(table);
      if (problem != null) {
        throw new ConfigException("table", problem);
      }
    }
    boolean includeHeaders = Coerce.bool(config, "include_headers", true);
    Coerce.bool(config, "include_timestamp", true); // unused, but a wrong type is still a config error
    return new ClickHouseTarget(table, includeHeaders);
  }
}
