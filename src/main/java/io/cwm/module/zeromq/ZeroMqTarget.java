package io.cwm.module.zeromq;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import io.cwm.net.AddressClass;
import io.cwm.net.IpAddresses;
import io.cwm.net.TargetAddressPolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code zeromq} module-config (modules.md §3.12), checked once at load.
 *
 * <ul>
 *   <li>{@code endpoint} (required): trimmed, at most 512 characters, no control characters,
 *       {@code tcp://host:port} with a port in 1…65535. The host follows the outbound address
 *       rules of io.cwm.net (loopback, private, link-local, multicast, reserved and metadata
 *       addresses and names refused); loopback is allowed with {@code ALLOW_LOCALHOST_FOR_TESTS=true}.
 *       {@code ipc://} and {@code inproc://} are refused: JeroMQ emulates ipc over loopback TCP
 *       (it cannot reach a libzmq Unix-socket peer) and nothing binds an inproc endpoint in this
 *       process.
 *   <li>{@code socket_type} ({@code PUB}): {@code PUB}, {@code PUSH}, {@code REQ} or {@code DEALER}
 *       (any case, as Python upper-cases it).
 *   <li>{@code timeout} (seconds, default 5; extension): how long a message may wait for a peer
 *       to take it (PUSH, DEALER, REQ) and for REQ's reply.
 *   <li>{@code allowed_hosts} (extension, as http_webhook): a non-empty list names the only host
 *       the endpoint may have and skips the address checks (the way to reach a private peer).
 *   <li>{@code bind}: the Python docs mention it but the module never read it; only {@code false}
 *       is accepted (this module always connects).
 * </ul>
 *
 * @param endpoint the endpoint as configured (trimmed)
 * @param host the tcp host (lower case, IPv6 without brackets)
 * @param port the tcp port
 * @param socketType the socket type
 * @param timeoutMillis the send (and reply) timeout
 * @param allowListed whether allowed_hosts lists the host (no address checks)
 * @param loopbackAllowed whether ALLOW_LOCALHOST_FOR_TESTS allows loopback addresses
 */
public record ZeroMqTarget(String endpoint, String host, int port, SocketKind socketType, long timeoutMillis,
    boolean allowListed, boolean loopbackAllowed) {

  /** The socket types of the spec. */
  public enum SocketKind { PUB, PUSH, REQ, DEALER }

  static final int MAX_ENDPOINT_LENGTH = 512;
  static final String NOT_ALLOW_LISTED = "the host is not in allowed_hosts";
  private static final double DEFAULT_TIMEOUT_SECONDS = 5;

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static ZeroMqTarget fromConfig(JsonObject moduleConfig, Env env) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    if (Coerce.bool(config, "bind", false)) {
      throw new ConfigException("bind", "is not supported: the module connects to the endpoint as a client "
          + "(a socket bound per webhook cannot work)");
    }
    SocketKind kind = socketType(config);
    Set<String> allowedHosts = Coerce.stringList(config, "allowed_hosts").stream()
        .map(host -> host.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    boolean loopbackAllowed = env.flag(EnvVars.ALLOW_LOCALHOST_FOR_TESTS);
    Object value = config.getValue("endpoint");
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException("endpoint", "is required and must be a non-empty string");
    }
    String endpoint = text.trim();
    if (endpoint.length() > MAX_ENDPOINT_LENGTH) {
      throw new ConfigException("endpoint", "must be at most " + MAX_ENDPOINT_LENGTH + " characters");
    }
    for (int i = 0; i < endpoint.length(); i++) {
      char c = endpoint.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new ConfigException("endpoint", "must not contain control characters");
      }
    }
    String lower = endpoint.toLowerCase(Locale.ROOT);
    if (lower.startsWith("ipc://")) {
      throw new ConfigException("endpoint", "ipc:// is not supported: JeroMQ (pure Java) cannot reach a "
          + "libzmq ipc peer; use tcp://");
    }
    if (lower.startsWith("inproc://")) {
      throw new ConfigException("endpoint", "inproc:// reaches only sockets of the same process, and nothing "
          + "in cwm binds one; use tcp://");
    }
    if (!lower.startsWith("tcp://")) {
      throw new ConfigException("endpoint", "must be tcp://host:port");
    }
    String authority = endpoint.substring("tcp://".length());
    int colon = authority.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException("endpoint", "tcp endpoint must be tcp://host:port");
    }
    String hostPart = authority.substring(0, colon);
    String portText = authority.substring(colon + 1);
    if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new ConfigException("endpoint", "tcp endpoint must end with :port (1 to 65535)");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw new ConfigException("endpoint", "port must be between 1 and 65535");
    }
    String host = hostPart.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (IpAddresses.parse(host) == null || host.indexOf(':') < 0) {
        throw new ConfigException("endpoint", "bracketed host must be an IPv6 address");
      }
    } else if (host.indexOf(':') >= 0) {
      throw new ConfigException("endpoint", "an IPv6 host must be written in brackets: tcp://[v6]:port");
    }
    if (host.isEmpty() || host.equals("*")) {
      throw new ConfigException("endpoint", "tcp endpoint must name a host to connect to");
    }
    boolean allowListed = !allowedHosts.isEmpty();
    if (allowListed) {
      if (!allowedHosts.contains(host)) {
        throw new ConfigException("endpoint", "host is not in allowed_hosts");
      }
    } else {
      String problem = hostProblem(host, loopbackAllowed);
      if (problem != null) {
        throw new ConfigException("endpoint", problem);
      }
    }
    double timeoutSeconds = Coerce.number(config, "timeout", DEFAULT_TIMEOUT_SECONDS, 0.001, 3600);
    return new ZeroMqTarget(endpoint, host, port, kind, Math.max(1, (long) (timeoutSeconds * 1000)), allowListed,
        loopbackAllowed);
  }

  /** The socket key: one long-lived socket per endpoint and type (and address policy). */
  String socketKey() {
    return socketType + (allowListed ? " allow-listed " : " ") + endpoint;
  }

  /**
   * Why the endpoint host may not be used, judged without DNS (IP literals, localhost and
   * metadata names, numeric hosts), or null. The same policy as http_webhook URLs, except that
   * loopback is allowed under ALLOW_LOCALHOST_FOR_TESTS.
   */
  static String hostProblem(String host, boolean loopbackAllowed) {
    if (loopbackAllowed && isLoopback(host)) {
      return null;
    }
    String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    List<String> problems = TargetAddressPolicy.checkUrl("http://" + urlHost + "/", false, NOT_ALLOW_LISTED);
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** Why a resolved address may not be used, or null (checked again on every socket build). */
  static String addressProblem(byte[] address, boolean loopbackAllowed) {
    if (loopbackAllowed && AddressClass.of(address) == AddressClass.LOOPBACK) {
      return null;
    }
    return TargetAddressPolicy.refusal(address, false, NOT_ALLOW_LISTED);
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    byte[] literal = IpAddresses.parse(host);
    return literal != null && AddressClass.of(literal) == AddressClass.LOOPBACK;
  }

  private static SocketKind socketType(JsonObject config) {
    String text = Coerce.string(config, "socket_type", "PUB").trim().toUpperCase(Locale.ROOT);
    try {
      return SocketKind.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("socket_type", "must be PUB, PUSH, REQ or DEALER");
    }
  }
}
