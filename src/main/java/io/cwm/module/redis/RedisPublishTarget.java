package io.cwm.module.redis;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.net.AddressClass;
import io.cwm.net.IpAddresses;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where {@code redis_publish} publishes (modules.md §3.6): the webhook entry's top-level
 * {@code redis} object — {@code host} (default localhost, which the host rules then refuse),
 * {@code port} 6379, {@code channel} {@code webhook_events}, {@code allowed_hosts}; as
 * extensions {@code db} (0) and {@code password}. A {@code channel} in module-config is used
 * when the {@code redis} block names none (a documented form of the module's config).
 *
 * <p>Host rules: a non-empty {@code allowed_hosts} list is the only check (case-insensitive
 * match); {@code []} refuses every host; otherwise localhost spellings, non-public IP literals,
 * odd numeric IPv4 spellings, metadata names and invalid DNS names are refused.
 *
 * @param key identifies one Redis client: host, port, db and a hash of the password (not the password)
 */
public record RedisPublishTarget(String host, int port, int db, String password, String channel, String key) {
  public static final String DEFAULT_CHANNEL = "webhook_events";
  private static final Pattern CHANNEL = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final List<String> CHANNEL_KEYWORDS = List.of("pubsub", "publish", "subscribe", "psubscribe",
      "unsubscribe", "punsubscribe", "keys", "get", "set", "del", "exists", "expire", "ttl", "flushdb",
      "flushall", "config", "info", "monitor", "debug", "eval", "evalsha", "script");
  private static final Set<String> LOCALHOST = Set.of("localhost", "localhost.localdomain", "127.0.0.1",
      "0.0.0.0", "::1", "[::1]", "127.1", "127.0.1", "127.000.000.001", "0177.0.0.1", "0x7f.0.0.1",
      "2130706433", "0x7f000001");
  private static final Set<String> METADATA = Set.of("metadata.google.internal", "169.254.169.254", "metadata",
      "instance-data", "instance-data.ecs", "ecs-metadata", "100.100.100.200");
  /** Digits, dots and hex: something a resolver may read as an IPv4 address (127.1, 0x7f.1, 2130706433). */
  private static final Pattern NUMERIC_HOST = Pattern.compile("^(0x[0-9a-f]+|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]*))*$");
  private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

  /** Without the password. */
  @Override
  public String toString() {
    return "RedisPublishTarget[port=" + port + ", db=" + db + ", channel=" + channel + "]";
  }

  /** Reads and validates the target; throws ConfigException naming the key. */
  public static RedisPublishTarget fromConfig(JsonObject moduleConfig, JsonObject entry) {
    JsonObject redis = entry == null || !(entry.getValue("redis") instanceof JsonObject block) ? new JsonObject() : block;
    String host = Coerce.string(redis, "host", "localhost").trim();
    int port = (int) Coerce.integer(redis, "port", 6379, 1, 65535);
    int db = (int) Coerce.integer(redis, "db", 0, 0, 1_000_000);
    String password = Coerce.string(redis, "password", null);
    String channel = Coerce.string(redis, "channel", null);
    if (channel == null && moduleConfig != null) {
      channel = Coerce.string(moduleConfig, "channel", null);
    }
    channel = checkChannel(channel == null ? DEFAULT_CHANNEL : channel);
    String problem = hostProblem(host, redis.containsKey("allowed_hosts")
        ? Coerce.stringList(redis, "allowed_hosts") : null);
    if (problem != null) {
      throw new ConfigException("redis.host", problem);
    }
    return new RedisPublishTarget(host, port, db, password, channel, host.toLowerCase(Locale.ROOT) + ":" + port + "/" + db
        + (password == null ? "" : "#" + password.hashCode()));
  }

  static String checkChannel(String configured) {
    String channel = configured.trim();
    if (channel.isEmpty() || channel.length() > 255 || !CHANNEL.matcher(channel).matches()
        || channel.contains("..") || channel.contains("--")) {
      throw new ConfigException("redis.channel", "must be 1-255 characters of A-Z a-z 0-9 _ . - without '..' or '--'");
    }
    String lower = channel.toLowerCase(Locale.ROOT);
    for (String keyword : CHANNEL_KEYWORDS) {
      if (lower.equals(keyword) || lower.startsWith(keyword + ".") || lower.startsWith(keyword + "_")) {
        throw new ConfigException("redis.channel", "must not be or start with the Redis command name '" + keyword + "'");
      }
    }
    return channel;
  }

  /** Null when the host may be used, else why not. {@code allowedHosts} null: not configured. */
  static String hostProblem(String host, List<String> allowedHosts) {
    if (host.isEmpty() || host.length() > 253 || host.indexOf('\0') >= 0) {
      return "invalid host name";
    }
    String lower = host.toLowerCase(Locale.ROOT);
    if (allowedHosts != null) {
      for (String allowed : allowedHosts) {
        if (allowed.trim().toLowerCase(Locale.ROOT).equals(lower)) {
          return null;
        }
      }
      return "host is not in redis.allowed_hosts";
    }
    if (LOCALHOST.contains(lower) || lower.endsWith(".localhost")) {
      return "localhost is refused (list it in redis.allowed_hosts)";
    }
    if (METADATA.contains(lower)) {
      return "cloud metadata hosts are refused";
    }
    String literal = lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
    byte[] address = IpAddresses.parse(literal);
    if (address != null) {
      return AddressClass.of(address) == AddressClass.PUBLIC ? null
          : "loopback, private, link-local, multicast and reserved addresses are refused (list it in redis.allowed_hosts)";
    }
    if (literal.contains(":") || NUMERIC_HOST.matcher(lower).matches()) {
      return "invalid IP address";
    }
    String name = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return "invalid host name";
      }
    }
    return null;
  }
}
