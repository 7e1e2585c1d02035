package io.cwm.analytics;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import io.cwm.module.clickhouse.ClickHouseConnection;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the receiver logs every accepted webhook to ClickHouse, and where (connections-json.md
 * §2 "Implicit"): as in Python, the first connection of type {@code clickhouse} in
 * connections.json turns it on, even when no webhook uses it. Unlike Python, which does this
 * silently, the start-up log says that it is on, through which connection, to which host, port and
 * database; {@code CWM_CLICKHOUSE_EVENT_LOG=false} turns it off (Python configs load unchanged
 * either way), and {@code CWM_CLICKHOUSE_EVENT_LOG_QUEUE} sizes the in-memory queue (default
 * 10,000 rows).
 *
 * @param connectionName the connection used
 * @param connection its client settings
 * @param queueCapacity rows the queue holds before it drops
 */
public record EventLogSettings(String connectionName, ClickHouseConnection connection, int queueCapacity) {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogSettings.class);
  static final int DEFAULT_QUEUE = 10_000;

  /** The settings, or null when the event log is off (no clickhouse connection, opted out, refused). */
  public static EventLogSettings from(Map<String, JsonObject> connections, Env env) {
    Map.Entry<String, JsonObject> first = connections.entrySet().stream()
        .filter(entry -> "clickhouse".equals(entry.getValue().getValue("type")))
        .findFirst().orElse(null);
    if (first == null) {
      return null;
    }
    String switchValue = env.get(EnvVars.CWM_CLICKHOUSE_EVENT_LOG, "true").toLowerCase(Locale.ROOT);
    if (switchValue.equals("false") || switchValue.equals("0") || switchValue.equals("off")) {
      LOG.info("ClickHouse event log is off ({}=false): connection '{}' is not used to log webhooks",
          EnvVars.CWM_CLICKHOUSE_EVENT_LOG, first.getKey());
      return null;
    }
    ClickHouseConnection connection;
    try {
      connection = ClickHouseConnection.of(first.getValue(), env);
    } catch (ConfigException refused) {
      LOG.error("ClickHouse event log is off: connection '{}' key '{}' {}", first.getKey(), refused.key(),
          refused.getMessage());
      return null;
    }
    int queue = env.intInRange(EnvVars.CWM_CLICKHOUSE_EVENT_LOG_QUEUE, DEFAULT_QUEUE, 100, 10_000_000);
    LOG.info("ClickHouse event log is ON: every accepted webhook (payload and headers credential-masked) is "
        + "written to {}:{} (HTTP), database '{}', tables webhook_logs and webhook_stats, through connection '{}' "
        + "(the first clickhouse connection of connections.json); queue {} rows; set {}=false to turn it off",
        connection.host(), connection.httpPort(), connection.database(), first.getKey(), queue,
        EnvVars.CWM_CLICKHOUSE_EVENT_LOG);
    return new EventLogSettings(first.getKey(), connection, queue);
  }
}
