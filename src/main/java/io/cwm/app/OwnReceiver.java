package io.cwm.app;

import io.cwm.config.EnvVars;
import io.cwm.config.Env;

/**
 * In the {@code both} role the process's connectors usually reach its own receiver, as the example's
 * {@code "cloud_url": "http://127.0.0.1:{$PORT:8000}"} does. So their files are read with
 * {@code {$PORT}} and {@code {$HOST}} set to the receiver's effective values (the flags, else the
 * variables, else the defaults): {@code --port 19401} is dialled, not the 8000 of the default or a
 * stale {@code PORT}; with {@code --port 0} the files are read again once the receiver listens, with
 * the port it bound.
 */
public final class OwnReceiver {
  private OwnReceiver() {}

  /** {@code env} with PORT and HOST naming the receiver that listens on {@code host:port}. */
  public static Env connectorEnv(Env env, String host, int port) {
    return env.with(EnvVars.PORT, String.valueOf(port)).with(EnvVars.HOST, dialHost(host));
  }

  /**
   * The address to dial for a listener on {@code host}: a wildcard (every interface) is reached on
   * loopback; an IPv6 literal gets its URL brackets.
   */
  static String dialHost(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.isBlank() || bare.equals("0.0.0.0") || bare.equals("::") || bare.equals("0:0:0:0:0:0:0:0")) {
      return "127.0.0.1";
    }
    return bare.contains(":") ? "[" + bare + "]" : bare;
  }
}
