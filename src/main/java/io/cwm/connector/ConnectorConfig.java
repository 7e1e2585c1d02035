package io.cwm.connector;

import io.cwm.config.etcd.EtcdSettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * One connector (one channel) after defaults, connector.json, {@code CONNECTOR_*} variables and
 * command-line flags were layered (in that order) and {@code {$VAR}} substituted and validated
 * (spec §8.1–§8.6). Durations are in seconds as in the file.
 *
 * <p>Exactly one delivery mode: HTTP ({@code defaultTarget} and/or {@code targets}) or module
 * ({@code webhooksConfig}, optionally {@code connectionsConfig}) or etcd ({@code etcd}: the entries
 * of one namespace read from etcd, live; spec §8.14).
 *
 * @param source where it came from (file path or "environment"), for messages
 * @param cloudUrl receiver base URL without trailing slash (http, https, ws or wss)
 * @param channel channel name ({@code ^[A-Za-z0-9][A-Za-z0-9._-]*$}, no {@code ..})
 * @param token channel token
 * @param protocol websocket | sse | long_poll
 * @param connectorId sent as X-Connector-ID; null: a generated one
 * @param defaultTarget HTTP mode fallback target, or null
 * @param targets HTTP mode targets per webhook id (may be empty)
 * @param webhooksConfig module mode: the local webhooks.json, or null
 * @param connectionsConfig module mode: the local connections.json, or null
 * @param verifySsl verify TLS certificates of the receiver and of HTTP targets
 * @param caCertPath extra CA bundle (PEM) or null
 * @param clientCertPath client certificate (PEM) for mTLS or null
 * @param clientKeyPath its key (PEM) or null
 * @param maxRefusedAttempts Java, opt-in: consecutive refusals (HTTP 401/403/404 at connect,
 *     close 4001/4002, no connection in between) after which the connector gives up and exits 1;
 *     0 (the default) = never, refusals are retried with the reconnect back-off
 * @param allowPrivateTargets Java: HTTP targets may be private or loopback addresses (the usual
 *     local service); false refuses them (link-local and metadata addresses are always refused)
 * @param shutdownGraceSeconds Java: how long in-progress deliveries may finish on SIGTERM
 * @param maxMessageBytes Java: the largest single message taken from the receiver, in bytes (a
 *     WebSocket message, an SSE line or event, a long-poll answer body); a bigger one breaks the link and
 *     the connector reconnects. At least {@link #MIN_MAX_MESSAGE_BYTES}, by default
 *     {@link #DEFAULT_MAX_MESSAGE_BYTES}
 * @param etcd etcd mode: where the module-mode entries and connections are read (and watched); null
 *     in the other modes
 */
public record ConnectorConfig(String source, String cloudUrl, String channel, String token, String protocol,
    double reconnectDelay, double maxReconnectDelay, double reconnectBackoffMultiplier, double heartbeatTimeout,
    double connectionTimeout, int maxConcurrentRequests, double ackTimeout, String connectorId,
    Target defaultTarget, Map<String, Target> targets, Path webhooksConfig, Path connectionsConfig,
    boolean verifySsl, String caCertPath, String clientCertPath, String clientKeyPath, String logLevel,
    int maxRefusedAttempts, boolean allowPrivateTargets, double shutdownGraceSeconds, int maxMessageBytes,
    EtcdSettings etcd) {

  /** A connector in HTTP or file module mode. */
  public ConnectorConfig(String source, String cloudUrl, String channel, String token, String protocol,
      double reconnectDelay, double maxReconnectDelay, double reconnectBackoffMultiplier, double heartbeatTimeout,
      double connectionTimeout, int maxConcurrentRequests, double ackTimeout, String connectorId,
      Target defaultTarget, Map<String, Target> targets, Path webhooksConfig, Path connectionsConfig,
      boolean verifySsl, String caCertPath, String clientCertPath, String clientKeyPath, String logLevel,
      int maxRefusedAttempts, boolean allowPrivateTargets, double shutdownGraceSeconds, int maxMessageBytes) {
    this(source, cloudUrl, channel, token, protocol, reconnectDelay, maxReconnectDelay, reconnectBackoffMultiplier,
        heartbeatTimeout, connectionTimeout, maxConcurrentRequests, ackTimeout, connectorId, defaultTarget, targets,
        webhooksConfig, connectionsConfig, verifySsl, caCertPath, clientCertPath, clientKeyPath, logLevel,
        maxRefusedAttempts, allowPrivateTargets, shutdownGraceSeconds, maxMessageBytes, null);
  }

  public static final String WEBSOCKET = "websocket";
  public static final String SSE = "sse";
  public static final String LONG_POLL = "long_poll";
  /**
   * {@code max_message_bytes} by default: 64 MiB, so the largest message a receiver sends fits (a
   * 10 MiB body whose every byte JSON's ASCII escaping turns into six, a backslash-u escape, plus its
   * headers). 20 MiB could refuse a legitimate 10 MiB webhook once escaped.
   */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  /** The smallest {@code max_message_bytes} accepted: room for the protocol's own frames. */
  public static final int MIN_MAX_MESSAGE_BYTES = 1024;

  public boolean httpMode() {
    return defaultTarget != null || !targets.isEmpty();
  }

  /** The target of a webhook id: its own, else the default, else null. */
  public Target targetFor(String webhookId) {
    Target own = targets.get(webhookId);
    return own != null ? own : defaultTarget;
  }
}
