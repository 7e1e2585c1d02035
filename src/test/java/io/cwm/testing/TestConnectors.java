package io.cwm.testing;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Target;
import java.nio.file.Path;
import java.util.Map;

/** Connector configs for tests: the defaults (never give up on refusals), with what a test varies. */
public final class TestConnectors {
  private TestConnectors() {}

  public static Target target(String url) {
    return new Target(url, "POST", Map.of(), 5, true, 3, 0.2, 2);
  }

  public static ConnectorConfig http(int port, String channel, String token, String protocol, Target target) {
    return config(port, channel, token, protocol, target, null, null);
  }

  public static ConnectorConfig module(int port, String channel, String token, String protocol, Path webhooks,
      Path connections) {
    return config(port, channel, token, protocol, null, webhooks, connections);
  }

  public static ConnectorConfig config(int port, String channel, String token, String protocol, Target target,
      Path webhooks, Path connections) {
    return new ConnectorConfig("test", "http://127.0.0.1:" + port, channel, token, protocol,
        0.2, 2, 2, 60, 5, 10, 30, "test-connector", target, Map.of(), webhooks, connections,
        true, null, null, null, "INFO", 0, true, 5, ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** {@code base} with other reconnect delays (seconds) and {@code max_refused_attempts}. */
  public static ConnectorConfig reconnecting(ConnectorConfig base, double reconnectDelay, double maxReconnectDelay,
      int maxRefusedAttempts) {
    return new ConnectorConfig(base.source(), base.cloudUrl(), base.channel(), base.token(), base.protocol(),
        reconnectDelay, maxReconnectDelay, base.reconnectBackoffMultiplier(), base.heartbeatTimeout(),
        base.connectionTimeout(), base.maxConcurrentRequests(), base.ackTimeout(), base.connectorId(),
        base.defaultTarget(), base.targets(), base.webhooksConfig(), base.connectionsConfig(), base.verifySsl(),
        base.caCertPath(), base.clientCertPath(), base.clientKeyPath(), base.logLevel(), maxRefusedAttempts,
        base.allowPrivateTargets(), base.shutdownGraceSeconds(), base.maxMessageBytes());
  }

  /** {@code base} with another {@code max_message_bytes}. */
  public static ConnectorConfig maxMessageBytes(ConnectorConfig base, int maxMessageBytes) {
    return new ConnectorConfig(base.source(), base.cloudUrl(), base.channel(), base.token(), base.protocol(),
        base.reconnectDelay(), base.maxReconnectDelay(), base.reconnectBackoffMultiplier(), base.heartbeatTimeout(),
        base.connectionTimeout(), base.maxConcurrentRequests(), base.ackTimeout(), base.connectorId(),
        base.defaultTarget(), base.targets(), base.webhooksConfig(), base.connectionsConfig(), base.verifySsl(),
        base.caCertPath(), base.clientCertPath(), base.clientKeyPath(), base.logLevel(), base.maxRefusedAttempts(),
        base.allowPrivateTargets(), base.shutdownGraceSeconds(), maxMessageBytes);
  }
}
