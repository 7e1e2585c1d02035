package io.cwm.config.etcd;

/**
 * Where one etcd key belongs in the Python version's layout: {@code {prefix}{namespace}/webhooks/{id}}
 * is a webhook entry, {@code {prefix}global/connections/{name}} a connection. Anything else under
 * the prefix is not ours to read: {@link #parse} says why, and the source skips it with a warning.
 *
 * @param namespace the webhook's namespace; null for a connection
 * @param name the webhook id or the connection name
 */
public record EtcdKey(String namespace, String name) {
  static final String WEBHOOKS = "webhooks";
  static final String CONNECTIONS = "connections";
  static final String GLOBAL = "global";

  public boolean connection() {
    return namespace == null;
  }

  /**
   * The place of {@code key}.
   *
   * @throws IllegalArgumentException saying why the key does not fit the layout (the message names
   *     parts of the key, never a value)
   */
  public static EtcdKey parse(String prefix, String key) {
    if (!key.startsWith(prefix)) {
      throw new IllegalArgumentException("not under the prefix " + prefix);
    }
    String[] parts = key.substring(prefix.length()).split("/", -1);
    if (parts.length != 3 || parts[2].isEmpty()
        || !(WEBHOOKS.equals(parts[1]) || GLOBAL.equals(parts[0]) && CONNECTIONS.equals(parts[1]))) {
      throw new IllegalArgumentException("not {namespace}/webhooks/{id} or global/connections/{name} under "
          + prefix);
    }
    if (CONNECTIONS.equals(parts[1])) {
      return new EtcdKey(null, parts[2]);
    }
    if (!EtcdSettings.validNamespace(parts[0])) {
      throw new IllegalArgumentException("the namespace must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-'");
    }
    return new EtcdKey(parts[0], parts[2]);
  }
}
