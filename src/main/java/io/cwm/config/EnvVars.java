package io.cwm.config;

/**
 * Every environment variable the process reads, by name. {@link Env} reads them; the classes that
 * use a value name it from here, so this page is the list a deployment can set.
 */
public final class EnvVars {
  private EnvVars() {}

  // ---- files and listeners (names shared with the Python version's deployments)
  public static final String WEBHOOKS_CONFIG_FILE = "WEBHOOKS_CONFIG_FILE";
  public static final String CONNECTIONS_CONFIG_FILE = "CONNECTIONS_CONFIG_FILE";
  public static final String HOST = "HOST";
  public static final String PORT = "PORT";

  // ---- live config (names shared with the Python version's deployments)
  /** {@code true}: the files given on the command line are watched and reloaded when they change. */
  public static final String CONFIG_FILE_WATCHING_ENABLED = "CONFIG_FILE_WATCHING_ENABLED";
  /** Seconds of quiet after a change before the reload (default 3.0, clamped to 0.1 ... 3600). */
  public static final String CONFIG_RELOAD_DEBOUNCE_SECONDS = "CONFIG_RELOAD_DEBOUNCE_SECONDS";
  /** The token of POST /admin/reload-config and GET /admin/config-status; unset: both answer 403. */
  public static final String CONFIG_RELOAD_ADMIN_TOKEN = "CONFIG_RELOAD_ADMIN_TOKEN";

  // ---- receiver behaviour (names shared with the Python version's deployments)
  public static final String MAX_CONCURRENT_TASKS = "MAX_CONCURRENT_TASKS";
  public static final String TASK_TIMEOUT = "TASK_TIMEOUT";
  public static final String DEFAULT_ENDPOINT_RATE_LIMIT = "DEFAULT_ENDPOINT_RATE_LIMIT";
  public static final String STATS_AUTH_TOKEN = "STATS_AUTH_TOKEN";
  public static final String STATS_ALLOWED_IPS = "STATS_ALLOWED_IPS";
  public static final String STATS_RATE_LIMIT = "STATS_RATE_LIMIT";
  public static final String STATS_SANITIZE_IDS = "STATS_SANITIZE_IDS";
  public static final String TRUSTED_PROXY_IPS = "TRUSTED_PROXY_IPS";
  public static final String CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS";
  public static final String FORCE_HTTPS = "FORCE_HTTPS";
  public static final String HSTS_MAX_AGE = "HSTS_MAX_AGE";
  public static final String HSTS_INCLUDE_SUBDOMAINS = "HSTS_INCLUDE_SUBDOMAINS";
  public static final String HSTS_PRELOAD = "HSTS_PRELOAD";
  public static final String CSP_POLICY = "CSP_POLICY";
  public static final String ALLOW_LOCALHOST_FOR_TESTS = "ALLOW_LOCALHOST_FOR_TESTS";
  public static final String ALLOW_PRIVATE_IP_CONNECTIONS = "ALLOW_PRIVATE_IP_CONNECTIONS";
  public static final String SAVE_TO_DISK_BASE_DIR = "SAVE_TO_DISK_BASE_DIR";
  /** {@code true}: no {@code /openapi.json}, {@code /docs} or {@code /redoc} (404 as any unknown path). */
  public static final String DISABLE_OPENAPI_DOCS = "DISABLE_OPENAPI_DOCS";
  /** The path prefix a reverse proxy serves the receiver under: the OpenAPI document's server URL. */
  public static final String ROOT_PATH = "ROOT_PATH";

  // ---- Vault secrets for {$vault:path#field} (names shared with the Python version's deployments;
  // docs/vault.md)
  public static final String SECRETS_BACKEND = "SECRETS_BACKEND";
  public static final String VAULT_ENABLED = "VAULT_ENABLED";
  public static final String VAULT_ADDR = "VAULT_ADDR";
  public static final String VAULT_TOKEN = "VAULT_TOKEN";
  public static final String VAULT_ROLE_ID = "VAULT_ROLE_ID";
  public static final String VAULT_SECRET_ID = "VAULT_SECRET_ID";
  public static final String VAULT_MOUNT_POINT = "VAULT_MOUNT_POINT";
  public static final String VAULT_KV_VERSION = "VAULT_KV_VERSION";
  public static final String VAULT_NAMESPACE = "VAULT_NAMESPACE";
  public static final String VAULT_VERIFY = "VAULT_VERIFY";
  public static final String VAULT_TIMEOUT_SECONDS = "VAULT_TIMEOUT_SECONDS";
  public static final String VAULT_CACHE_TTL_SECONDS = "VAULT_CACHE_TTL_SECONDS";
  public static final String VAULT_CACHE_MAX_SIZE = "VAULT_CACHE_MAX_SIZE";

  // ---- config backend (names shared with the Python version's deployments)
  /** {@code file} (default) or {@code etcd}: where the webhooks and connections are read from. */
  public static final String CONFIG_BACKEND = "CONFIG_BACKEND";
  public static final String ETCD_HOST = "ETCD_HOST";
  public static final String ETCD_PORT = "ETCD_PORT";
  public static final String ETCD_PREFIX = "ETCD_PREFIX";
  /** The namespace {@code /webhook/{id}} serves (default {@code default}). */
  public static final String ETCD_NAMESPACE = "ETCD_NAMESPACE";
  public static final String ETCD_USERNAME = "ETCD_USERNAME";
  public static final String ETCD_PASSWORD = "ETCD_PASSWORD";

  // ---- receiver, Java only
  public static final String ALLOW_DEFAULT_WEBHOOK = "ALLOW_DEFAULT_WEBHOOK";
  public static final String CWM_STRICT_CONFIG = "CWM_STRICT_CONFIG";
  public static final String CWM_LOG_LEVEL = "CWM_LOG_LEVEL";
  public static final String METRICS_TOKEN = "METRICS_TOKEN";
  public static final String METRICS_AUTH = "METRICS_AUTH";
  public static final String CWM_BODY_BUDGET = "CWM_BODY_BUDGET";
  public static final String CWM_HTTP_HEADER_TIMEOUT = "CWM_HTTP_HEADER_TIMEOUT";
  public static final String CWM_HTTP_KEEPALIVE_TIMEOUT = "CWM_HTTP_KEEPALIVE_TIMEOUT";
  public static final String CWM_HTTP_BODY_TIMEOUT = "CWM_HTTP_BODY_TIMEOUT";
  public static final String CWM_HTTP_BODY_MIN_RATE = "CWM_HTTP_BODY_MIN_RATE";
  public static final String CWM_HTTP_IDLE_TIMEOUT = "CWM_HTTP_IDLE_TIMEOUT";
  /** {@code false} turns off the ClickHouse event log that any clickhouse connection turns on. */
  public static final String CWM_CLICKHOUSE_EVENT_LOG = "CWM_CLICKHOUSE_EVENT_LOG";
  /**
   * {@code false} turns off the web console: no {@code /console} routes and no message trail
   * (the console is on by default, behind the admin token).
   */
  public static final String CWM_CONSOLE = "CWM_CONSOLE";
  /** Rows the ClickHouse event log's in-memory queue holds before it drops (default 10,000). */
  public static final String CWM_CLICKHOUSE_EVENT_LOG_QUEUE = "CWM_CLICKHOUSE_EVENT_LOG_QUEUE";

  // ---- Webhook Connect
  public static final String WEBHOOK_CONNECT_ADMIN_TOKEN = "WEBHOOK_CONNECT_ADMIN_TOKEN";
  public static final String WEBHOOK_CONNECT_ADMIN_PORT = "WEBHOOK_CONNECT_ADMIN_PORT";
  public static final String WEBHOOK_CONNECT_BUFFER = "WEBHOOK_CONNECT_BUFFER";
  public static final String WEBHOOK_CONNECT_DATA_DIR = "WEBHOOK_CONNECT_DATA_DIR";
  public static final String WEBHOOK_CONNECT_EMBEDDED_FSYNC = "WEBHOOK_CONNECT_EMBEDDED_FSYNC";
  public static final String WEBHOOK_CONNECT_REDIS_URL = "WEBHOOK_CONNECT_REDIS_URL";
  public static final String REDIS_URL = "REDIS_URL";
  public static final String WEBHOOK_CONNECT_RABBITMQ_URL = "WEBHOOK_CONNECT_RABBITMQ_URL";
  public static final String RABBITMQ_URL = "RABBITMQ_URL";
  public static final String WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS = "WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS";

  // ---- cluster
  public static final String CWM_CLUSTER = "CWM_CLUSTER";
  public static final String CWM_CLUSTER_DISCOVERY = "CWM_CLUSTER_DISCOVERY";
  public static final String CWM_CLUSTER_MEMBERS = "CWM_CLUSTER_MEMBERS";
  public static final String CWM_CLUSTER_KUBERNETES_SERVICE = "CWM_CLUSTER_KUBERNETES_SERVICE";
  public static final String CWM_CLUSTER_KUBERNETES_NAMESPACE = "CWM_CLUSTER_KUBERNETES_NAMESPACE";
  public static final String CWM_CLUSTER_NAME = "CWM_CLUSTER_NAME";
  public static final String CWM_CLUSTER_HOST = "CWM_CLUSTER_HOST";
  public static final String CWM_CLUSTER_PORT = "CWM_CLUSTER_PORT";
  public static final String CWM_CLUSTER_EVENTBUS_PORT = "CWM_CLUSTER_EVENTBUS_PORT";

  // ---- connector (the CONNECTOR_* names shared with the Python connector; each sets the
  // connector.json field of the same name)
  public static final String CONNECTOR_CLOUD_URL = "CONNECTOR_CLOUD_URL";
  public static final String CONNECTOR_CHANNEL = "CONNECTOR_CHANNEL";
  public static final String CONNECTOR_TOKEN = "CONNECTOR_TOKEN";
  public static final String CONNECTOR_PROTOCOL = "CONNECTOR_PROTOCOL";
  public static final String CONNECTOR_RECONNECT_DELAY = "CONNECTOR_RECONNECT_DELAY";
  public static final String CONNECTOR_MAX_RECONNECT_DELAY = "CONNECTOR_MAX_RECONNECT_DELAY";
  public static final String CONNECTOR_HEARTBEAT_TIMEOUT = "CONNECTOR_HEARTBEAT_TIMEOUT";
  public static final String CONNECTOR_CONNECTION_TIMEOUT = "CONNECTOR_CONNECTION_TIMEOUT";
  public static final String CONNECTOR_MAX_CONCURRENT_REQUESTS = "CONNECTOR_MAX_CONCURRENT_REQUESTS";
  public static final String CONNECTOR_ACK_TIMEOUT = "CONNECTOR_ACK_TIMEOUT";
  public static final String CONNECTOR_LOG_LEVEL = "CONNECTOR_LOG_LEVEL";
  public static final String CONNECTOR_CA_CERT_PATH = "CONNECTOR_CA_CERT_PATH";
  public static final String CONNECTOR_CLIENT_CERT_PATH = "CONNECTOR_CLIENT_CERT_PATH";
  public static final String CONNECTOR_CLIENT_KEY_PATH = "CONNECTOR_CLIENT_KEY_PATH";
  public static final String CONNECTOR_ID = "CONNECTOR_ID";
  public static final String CONNECTOR_WEBHOOKS_CONFIG = "CONNECTOR_WEBHOOKS_CONFIG";
  public static final String CONNECTOR_CONNECTIONS_CONFIG = "CONNECTOR_CONNECTIONS_CONFIG";
  public static final String CONNECTOR_ETCD_HOST = "CONNECTOR_ETCD_HOST";
  public static final String CONNECTOR_ETCD_PORT = "CONNECTOR_ETCD_PORT";
  public static final String CONNECTOR_ETCD_PREFIX = "CONNECTOR_ETCD_PREFIX";
  public static final String CONNECTOR_NAMESPACE = "CONNECTOR_NAMESPACE";
  public static final String CONNECTOR_VERIFY_SSL = "CONNECTOR_VERIFY_SSL";
  public static final String CONNECTOR_TARGET_URL = "CONNECTOR_TARGET_URL";
  public static final String CONNECTOR_TARGET_METHOD = "CONNECTOR_TARGET_METHOD";
  public static final String CONNECTOR_TARGET_TIMEOUT = "CONNECTOR_TARGET_TIMEOUT";
  /** Java only: sets connector.json's {@code max_message_bytes} (the largest message taken from the receiver). */
  public static final String CONNECTOR_MAX_MESSAGE_BYTES = "CONNECTOR_MAX_MESSAGE_BYTES";
  /** Java only: a file the connector rewrites every 10 s (a liveness probe reads it). */
  public static final String CONNECTOR_HEALTH_FILE = "CONNECTOR_HEALTH_FILE";
}
