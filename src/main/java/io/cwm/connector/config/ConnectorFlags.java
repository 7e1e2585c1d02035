package io.cwm.connector.config;

/**
 * The connector's command-line flags (spec §8.5, the names existing deployments use). A null (or
 * blank) value means the flag was not given and overrides nothing; {@code noVerifySsl} false
 * likewise. Flags apply to every connector of the process.
 *
 * @param cloudUrl {@code --cloud-url}
 * @param channel {@code --channel}
 * @param token {@code --token}
 * @param targetUrl {@code --target-url}: replaces {@code default_target} by one with that URL and
 *     every other field at its default
 * @param protocol {@code --protocol}
 * @param logLevel {@code --log-level}
 * @param connectorId {@code --connector-id}
 * @param noVerifySsl {@code --no-verify-ssl}: true sets {@code verify_ssl} to false
 * @param webhooksConfig {@code --webhooks-config}
 * @param connectionsConfig {@code --connections-config}
 */
public record ConnectorFlags(String cloudUrl, String channel, String token, String targetUrl, String protocol,
    String logLevel, String connectorId, boolean noVerifySsl, String webhooksConfig, String connectionsConfig) {

  public static final ConnectorFlags NONE =
      new ConnectorFlags(null, null, null, null, null, null, null, false, null, null);

  /** Whether any flag was given. */
  public boolean any() {
    return given(cloudUrl) || given(channel) || given(token) || given(targetUrl)
        || given(protocol) || given(logLevel) || given(connectorId) || noVerifySsl || given(webhooksConfig)
        || given(connectionsConfig);
  }

  static boolean given(String value) {
    return value != null && !value.isBlank();
  }
}
