package io.cwm.module.pubsub;

import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A {@code gcp_pubsub} connection (connections-json.md §4.9), checked:
 *
 * <ul>
 *   <li>{@code project_id} (required): {@code ^[a-z][a-z0-9-]{4,28}[a-z0-9]$}.
 *   <li>{@code credentials_path}: a service-account JSON file, relative to the working directory:
 *       not absolute, no {@code ..} segment, no backslash, no drive letter, no NUL, also after one
 *       and two rounds of percent-decoding. Absent: the application-default credentials
 *       ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's, the metadata server's).
 *   <li>{@code endpoint} (extension of this port) or, for connections without it, the
 *       environment's {@code PUBSUB_EMULATOR_HOST} (the Pub/Sub emulator's convention):
 *       {@code host:port} of an emulator, reached over plaintext gRPC without credentials. The
 *       host follows the connection host rules (loopback only with
 *       {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses only with
 *       {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}).
 *   <li>{@code credentials} (in the Python examples) is ignored, as in Python.
 * </ul>
 *
 * @param credentialsPath null for the application-default credentials (or for an emulator)
 * @param emulator {@code host:port} of an emulator, or null for Google's endpoint
 */
record PubSubConnection(String projectId, String credentialsPath, String emulator) {
  static final String EMULATOR_ENV = "PUBSUB_EMULATOR_HOST";
  private static final Pattern PROJECT = Pattern.compile("^[a-z][a-z0-9-]{4,28}[a-z0-9]$");
  private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+):(\\d{1,5})$");

  /** Parses and checks a connection object. */
  static PubSubConnection from(JsonObject connection, Env env) {
    JsonObject config = connection == null ? new JsonObject() : connection;
    String project = optionalString(config, "project_id");
    if (project == null) {
      throw new ConfigException("project_id", "is required");
    }
    if (!PROJECT.matcher(project).matches()) {
      throw new ConfigException("project_id", "must be a project id (6 to 30 lower-case letters, digits and '-')");
    }
    String path = optionalString(config, "credentials_path");
    if (path != null) {
      String problem = pathProblem(path);
      if (problem != null) {
        throw new ConfigException("credentials_path", problem);
      }
    }
    String endpoint = optionalString(config, "endpoint");
    String key = "endpoint";
    if (endpoint == null) {
      endpoint = env.get(EMULATOR_ENV).map(String::trim).filter(value -> !value.isEmpty()).orElse(null);
      key = EMULATOR_ENV;
    }
    if (endpoint != null) {
      endpoint = emulator(endpoint, key, env);
    }
    return new PubSubConnection(project, path, endpoint);
  }

  /** Null when {@code path} is an acceptable credentials path, else why not. */
  static String pathProblem(String path) {
    String decoded = path;
    for (int round = 0; round < 3; round++) {
      if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) {
        return "must not contain a backslash or NUL";
      }
      if (decoded.startsWith("/") || decoded.startsWith("~") || decoded.matches("^[A-Za-z]:.*")) {
        return "must be a relative path";
      }
      for (String segment : decoded.split("/", -1)) {
        if (segment.equals("..")) {
          return "must not contain '..'";
        }
      }
      try {
        decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "is not a valid path";
      }
    }
    return null;
  }

  private static String emulator(String text, String key, Env env) {
    var matcher = HOST_PORT.matcher(text);
    if (!matcher.matches()) {
      throw new ConfigException(key, "must be host:port of a Pub/Sub emulator");
    }
    String host = matcher.group(1);
    int port = Integer.parseInt(matcher.group(2));
    try {
      ConnectionRules.check(new JsonObject().put("type", "clickhouse").put("host", host).put("port", port), env);
    } catch (ConfigException e) {
      throw new ConfigException(key, e.getMessage());
    }
    return host + ":" + port;
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
