package io.cwm.module.aws;

import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.net.TargetAddressPolicy;
import io.cwm.net.TargetUrl;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The keys an AWS connection of connections.json shares between the {@code s3} and
 * {@code aws_sqs} types (connections-json.md §4.7, §4.8), checked: the region (default
 * {@code us-east-1}; the key names are the module's: {@code region} for s3, {@code region_name}
 * then {@code region} for SQS), {@code aws_access_key_id} + {@code aws_secret_access_key} (both
 * set: static credentials, otherwise the SDK's default chain: environment, profile, container and
 * instance roles), and {@code endpoint_url} (MinIO, LocalStack, ElasticMQ, ...).
 *
 * <p>{@code endpoint_url} is operator config like a broker's host, so it follows the connection
 * host rules (connections-json.md §3, {@link ConnectionRules}): loopback only with
 * {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses only with
 * {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}. On top, what {@link TargetAddressPolicy} refuses for
 * any outbound URL is refused always: link-local, multicast and metadata addresses and names,
 * non-canonical numeric hosts ({@code 127.1}). http or https only, no user info, path or query.
 * Names are not resolved here (as for every connection host); the SDK connects to what DNS says
 * at call time.
 *
 * @param region the region name
 * @param endpoint null for AWS itself, else {@code scheme://host:port}
 * @param accessKeyId null unless both keys are set
 * @param secretAccessKey null unless both keys are set
 */
public record AwsConnection(String region, URI endpoint, String accessKeyId, String secretAccessKey) {
  public static final String DEFAULT_REGION = "us-east-1";
  private static final Pattern REGION = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final String RELAXATION = "ALLOW_LOCALHOST_FOR_TESTS / ALLOW_PRIVATE_IP_CONNECTIONS are not set";

  /**
   * Parses and checks a connection object (null: no connection, all defaults).
   *
   * @param regionKeys the keys that may name the region, the first one set wins
   * @throws ConfigException naming the key of the connection that is wrong
   */
  public static AwsConnection from(JsonObject connection, Env env, String... regionKeys) {
    JsonObject config = connection == null ? new JsonObject() : connection;
    String region = null;
    for (String key : regionKeys) {
      region = optionalString(config, key);
      if (region != null) {
        if (!REGION.matcher(region).matches()) {
          throw new ConfigException(key, "must be a region name such as us-east-1");
        }
        break;
      }
    }
    if (region == null) {
      region = DEFAULT_REGION;
    }
    String endpointText = optionalString(config, "endpoint_url");
    URI endpoint = endpointText == null ? null : endpoint(endpointText, env);
    String keyId = optionalString(config, "aws_access_key_id");
    String secret = optionalString(config, "aws_secret_access_key");
    boolean staticKeys = keyId != null && secret != null;
    return new AwsConnection(region, endpoint, staticKeys ? keyId : null, staticKeys ? secret : null);
  }

  public boolean staticCredentials() {
    return accessKeyId != null;
  }

  /** Never prints the keys (a record's default toString would). */
  @Override
  public String toString() {
    return "AwsConnection[region=" + region + ", endpoint=" + (endpoint == null ? "aws" : endpoint)
        + ", credentials=" + (staticCredentials() ? "static" : "default chain") + "]";
  }

  /** Checks {@code endpoint_url} and returns it as {@code scheme://host:port}. */
  public static URI endpoint(String text, Env env) {
    TargetUrl url;
    try {
      url = TargetUrl.parse(text);
    } catch (TargetUrl.InvalidUrlException e) {
      throw new ConfigException("endpoint_url", e.getMessage());
    }
    if (url.basicAuth() != null) {
      throw new ConfigException("endpoint_url", "must not carry user info (use aws_access_key_id)");
    }
    if (!url.requestUri().equals("/")) {
      throw new ConfigException("endpoint_url", "must not have a path or query");
    }
    List<String> problems = TargetAddressPolicy.checkUrl(text, true, RELAXATION);
    if (!problems.isEmpty()) {
      throw new ConfigException("endpoint_url", String.join("; ", problems));
    }
    try {
      // the connection host rules (localhost and private addresses behind their env switches)
      ConnectionRules.check(new JsonObject().put("type", "clickhouse").put("host", url.host())
          .put("port", url.port()), env);
    } catch (ConfigException e) {
      throw new ConfigException("endpoint_url", e.getMessage());
    }
    String host = url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host();
    return URI.create((url.ssl() ? "https://" : "http://") + host + ":" + url.port());
  }

  private static String optionalString(JsonObject config, String key) {
    Object value = config.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(key, "must be a string");
    }
    String trimmed = text.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
