package io.cwm.config.etcd;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the etcd config backend reads from, parsed once from the environment with the Python
 * version's names and defaults: the receiver's {@code CONFIG_BACKEND=etcd} and {@code ETCD_*}, or
 * the connector's {@code CONNECTOR_ETCD_*} and {@code CONNECTOR_NAMESPACE}. A bad value stops
 * start-up with a message naming the variable (never the password).
 *
 * @param host the etcd member's host name or address
 * @param port its client port
 * @param prefix what every key of this deployment starts with; ends with {@code /}
 * @param namespace the namespace {@code /webhook/{id}} serves
 * @param username null: etcd without authentication
 * @param password set exactly when {@code username} is
 */
public record EtcdSettings(String host, int port, String prefix, String namespace, String username,
    String password) {
  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_PORT = 2379;
  public static final String DEFAULT_PREFIX = "/cwm/";
  public static final String DEFAULT_NAMESPACE = "default";
  /** What a namespace may be: it is one path segment of the key and of {@code /webhook/{namespace}/{id}}. */
  public static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]+");

  public EtcdSettings {
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("username and password go together");
    }
  }

  /**
   * The receiver's settings when {@code CONFIG_BACKEND=etcd}; empty when it is unset or {@code file}.
   *
   * @throws ConfigException naming the variable whose value is wrong
   */
  public static Optional<EtcdSettings> fromEnv(Env env) {
    String backend = env.get(EnvVars.CONFIG_BACKEND, "file");
    if ("file".equalsIgnoreCase(backend)) {
      return Optional.empty();
    }
    if (!"etcd".equalsIgnoreCase(backend)) {
      throw new ConfigException(EnvVars.CONFIG_BACKEND,
          EnvVars.CONFIG_BACKEND + " must be 'file' or 'etcd', not '" + printable(backend) + "'");
    }
    String username = env.get(EnvVars.ETCD_USERNAME, null);
    String password = env.get(EnvVars.ETCD_PASSWORD).filter(value -> !value.isEmpty()).orElse(null);
    if (username == null && password != null) {
      throw new ConfigException(EnvVars.ETCD_PASSWORD,
          EnvVars.ETCD_PASSWORD + " is set but " + EnvVars.ETCD_USERNAME + " is not");
    }
    if (username != null && password == null) {
      throw new ConfigException(EnvVars.ETCD_USERNAME,
          EnvVars.ETCD_USERNAME + " is set but " + EnvVars.ETCD_PASSWORD + " is not");
    }
    return Optional.of(new EtcdSettings(host(env, EnvVars.ETCD_HOST), port(env, EnvVars.ETCD_PORT),
        prefix(env, EnvVars.ETCD_PREFIX), namespace(env, EnvVars.ETCD_NAMESPACE), username, password));
  }

  /**
   * The connector's etcd mode (spec §8.14) when {@code CONNECTOR_ETCD_HOST} is set; empty otherwise.
   * The Python connector has no credentials for etcd, so neither has this.
   *
   * @throws ConfigException naming the variable whose value is wrong
   */
  public static Optional<EtcdSettings> forConnector(Env env) {
    if (env.get(EnvVars.CONNECTOR_ETCD_HOST, null) == null) {
      return Optional.empty();
    }
    return Optional.of(new EtcdSettings(host(env, EnvVars.CONNECTOR_ETCD_HOST),
        port(env, EnvVars.CONNECTOR_ETCD_PORT), prefix(env, EnvVars.CONNECTOR_ETCD_PREFIX),
        namespace(env, EnvVars.CONNECTOR_NAMESPACE), null, null));
  }

  /** {@code host:port}, as messages name the member. */
  public String address() {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  public boolean authenticated() {
    return username != null;
  }

  /** True when {@code namespace} can be a namespace (see {@link #NAMESPACE}). */
  public static boolean validNamespace(String namespace) {
    return namespace != null && NAMESPACE.matcher(namespace).matches();
  }

  @Override
  public String toString() {
    return "EtcdSettings[" + address() + ", prefix=" + prefix + ", namespace=" + namespace
        + (username == null ? "" : ", username=" + username + ", password=***") + "]";
  }

  private static String host(Env env, String name) {
    String host = env.get(name, DEFAULT_HOST);
    if (!HOST.matcher(host).matches()) {
      throw new ConfigException(name, name + " must be a host name or address without scheme, port or path, not '"
          + printable(host) + "'");
    }
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(Env env, String name) {
    String text = env.get(name, String.valueOf(DEFAULT_PORT));
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(name, name + " must be a port from 1 to 65535, not '" + printable(text) + "'");
  }

  private static String prefix(Env env, String name) {
    String prefix = env.get(name, DEFAULT_PREFIX);
    if (!prefix.endsWith("/")) {
      throw new ConfigException(name, name + " must end with '/' (keys are {prefix}{namespace}/webhooks/{id}), not '"
          + printable(prefix) + "'");
    }
    return prefix;
  }

  private static String namespace(Env env, String name) {
    String namespace = env.get(name, DEFAULT_NAMESPACE);
    if (!validNamespace(namespace)) {
      throw new ConfigException(name, name + " must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-', not '"
          + printable(namespace) + "'");
    }
    return namespace;
  }

  /** The value as a message may quote it: control characters replaced, at most 80 characters. */
  static String printable(String value) {
    return printable(value, 80);
  }

  /** As above, at most {@code max} characters. */
  static String printable(String value, int max) {
    String cleaned = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return cleaned.length() > max ? cleaned.substring(0, max) + "..." : cleaned;
  }
}
