package io.cwm.config;

import io.vertx.core.json.JsonObject;
import io.cwm.net.AddressClass;
import io.cwm.net.IpAddresses;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Load-time checks of connections.json entries (connections-json.md §3): {@code type} present;
 * for rabbitmq, redis-rq, postgresql, mysql and clickhouse a valid host and port. Localhost needs
 * {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}.
 * A postgresql entry with a {@code connection_string} needs no host/port: the string names them.
 */
public final class ConnectionRules {
  private static final Set<String> HOST_TYPES = Set.of("rabbitmq", "redis-rq", "postgresql", "mysql", "clickhouse");
  private static final Set<String> LOCALHOST = Set.of("localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]");
  private static final Pattern FORBIDDEN = Pattern.compile("[;|&$`(){}<>?*!\\\\]");
  private static final Pattern HOSTNAME = Pattern.compile("^[A-Za-z0-9.-]+$");
  private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
  private static final String[] METADATA = {"metadata.google.internal", "169.254.169.254",
      "metadata.azure.com", "metadata.cloud.ibm.com"};

  private ConnectionRules() {}

  /** Checks one connection; throws ConfigException naming the key. */
  public static void check(JsonObject connection, Env env) {
    String type = Coerce.string(connection, "type", null);
    if (type == null || type.isBlank()) {
      throw new ConfigException("type", "is required");
    }
    if (!HOST_TYPES.contains(type)) {
      return;
    }
    if (type.equals("postgresql") && connection.getValue("connection_string") != null) {
      String dsn = Coerce.string(connection, "connection_string", "");
      if (!(dsn.startsWith("postgresql://") || dsn.startsWith("postgres://")) || !dsn.contains("@")) {
        throw new ConfigException("connection_string", "must be a postgresql:// URL with user@host");
      }
      return;
    }
    Object host = connection.getValue("host");
    if (!(host instanceof String text) || text.isBlank()) {
      throw new ConfigException("host", "is required");
    }
    String reason = hostProblem(text.trim(), env);
    if (reason != null) {
      throw new ConfigException("host", reason);
    }
    if (connection.getValue("port") == null) {
      throw new ConfigException("port", "is required");
    }
    Coerce.integer(connection, "port", 0, 1, 65535);
  }

  /** Null when the host is acceptable, else why not. */
  static String hostProblem(String host, Env env) {
    if (host.length() > 253 || host.indexOf('\0') >= 0) {
      return "invalid host name";
    }
    String lower = host.toLowerCase(Locale.ROOT);
    if (LOCALHOST.contains(lower)) {
      return env.flag(EnvVars.ALLOW_LOCALHOST_FOR_TESTS) ? null
          : "localhost is refused unless ALLOW_LOCALHOST_FOR_TESTS=true";
    }
    if (FORBIDDEN.matcher(host).find()) {
      return "host contains forbidden characters";
    }
    String literal = lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
    byte[] address = IpAddresses.parse(literal);
    if (address == null && (IPV4.matcher(literal).matches() || literal.contains(":"))) {
      return "invalid IP address";
    }
    if (address != null) {
      return switch (AddressClass.of(address)) {
        case LOOPBACK -> env.flag(EnvVars.ALLOW_LOCALHOST_FOR_TESTS) ? null
            : "loopback addresses are refused unless ALLOW_LOCALHOST_FOR_TESTS=true";
        case SPECIAL -> "link-local, multicast, reserved and unspecified addresses are refused";
        case PRIVATE -> env.flag(EnvVars.ALLOW_PRIVATE_IP_CONNECTIONS) ? null
            : "private addresses are refused unless ALLOW_PRIVATE_IP_CONNECTIONS=true";
        case PUBLIC -> null;
      };
    }
    for (String metadata : METADATA) {
      if (lower.contains(metadata)) {
        return "cloud metadata hosts are refused";
      }
    }
    if (host.startsWith("[") || !HOSTNAME.matcher(host).matches()) {
      return "invalid host name";
    }
    return null;
  }
}
