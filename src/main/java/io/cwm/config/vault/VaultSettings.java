package io.cwm.config.vault;

import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How cwm reaches Vault for {@code {$vault:path#field}} references, read once from the
 * environment under the Python version's names (docs/vault.md lists them), so a deployment moves
 * over unchanged. Parsed up front so a typo fails the start with a message naming the variable,
 * rather than every reference failing later; no message ever contains the token or the secret id.
 *
 * @param address the Vault base URL ({@code VAULT_ADDR}), without a trailing slash
 * @param token a static token ({@code VAULT_TOKEN}); null when AppRole is used
 * @param roleId the AppRole role id ({@code VAULT_ROLE_ID}); null with a static token
 * @param secretId the AppRole secret id ({@code VAULT_SECRET_ID}); null with a static token
 * @param mount the KV v2 engine's mount path ({@code VAULT_MOUNT_POINT}, default {@code secret})
 * @param namespace the Vault Enterprise namespace sent as {@code X-Vault-Namespace}; null for none
 * @param verifyTls whether an https address's certificate and host name are checked ({@code VAULT_VERIFY})
 * @param caFile a PEM file of the CAs to trust instead of the JVM's ({@code VAULT_VERIFY=<path>}); null for the JVM's
 * @param timeout how long one request to Vault may take ({@code VAULT_TIMEOUT_SECONDS})
 * @param cacheTtl how long a secret read is reused without asking Vault again ({@code VAULT_CACHE_TTL_SECONDS};
 *     zero: never)
 * @param cacheMaxSize how many secret paths the cache holds at most ({@code VAULT_CACHE_MAX_SIZE})
 */
public record VaultSettings(String address, String token, String roleId, String secretId, String mount,
    String namespace, boolean verifyTls, String caFile, Duration timeout, Duration cacheTtl, int cacheMaxSize) {
  private static final Set<String> YES = Set.of("1", "true", "yes", "on");
  private static final Set<String> NO = Set.of("0", "false", "no", "off");
  private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*");
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_./-]{1,256}");

  /** Whether the secrets come from AppRole logins rather than a static token. */
  public boolean appRole() {
    return token == null;
  }

  /**
   * The settings in {@code env}; null when Vault is not enabled ({@code SECRETS_BACKEND=vault}
   * or {@code VAULT_ENABLED=true|1|yes|on}).
   *
   * @throws IllegalArgumentException naming the variable that is missing or wrong
   */
  public static VaultSettings fromEnv(Env env) {
    String backend = env.get(EnvVars.SECRETS_BACKEND, "env").toLowerCase(Locale.ROOT);
    boolean enabled = "vault".equals(backend)
        || YES.contains(env.get(EnvVars.VAULT_ENABLED, "false").toLowerCase(Locale.ROOT));
    if (!enabled) {
      return null;
    }
    String address = address(env.get(EnvVars.VAULT_ADDR, null));
    String token = env.get(EnvVars.VAULT_TOKEN, null);
    String roleId = env.get(EnvVars.VAULT_ROLE_ID, null);
    String secretId = env.get(EnvVars.VAULT_SECRET_ID, null);
    if (token != null) {
      roleId = null;
      secretId = null;
    } else if (roleId == null && secretId == null) {
      throw new IllegalArgumentException("Vault is enabled but no authentication is configured: set "
          + EnvVars.VAULT_TOKEN + ", or " + EnvVars.VAULT_ROLE_ID + " and " + EnvVars.VAULT_SECRET_ID);
    } else if (roleId == null || secretId == null) {
      throw new IllegalArgumentException((roleId == null ? EnvVars.VAULT_SECRET_ID : EnvVars.VAULT_ROLE_ID)
          + " is set but " + (roleId == null ? EnvVars.VAULT_ROLE_ID : EnvVars.VAULT_SECRET_ID)
          + " is not: AppRole needs both");
    }
    String mount = stripSlashes(env.get(EnvVars.VAULT_MOUNT_POINT, "secret"));
    if (!MOUNT.matcher(mount).matches()) {
      throw new IllegalArgumentException(EnvVars.VAULT_MOUNT_POINT + " must be a mount path of letters, digits, "
          + "'_', '-', '.' and '/' (no '..', no empty segment), got '" + mount + "'");
    }
    String kvVersion = env.get(EnvVars.VAULT_KV_VERSION, "2");
    if (!"2".equals(kvVersion)) {
      throw new IllegalArgumentException(EnvVars.VAULT_KV_VERSION + "=" + kvVersion
          + " is not supported: cwm reads the KV version 2 engine only");
    }
    String namespace = env.get(EnvVars.VAULT_NAMESPACE, null);
    if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(EnvVars.VAULT_NAMESPACE
          + " must be letters, digits, '_', '.', '/' and '-' (up to 256)");
    }
    String verify = env.get(EnvVars.VAULT_VERIFY, "true");
    boolean verifyTls = !NO.contains(verify.toLowerCase(Locale.ROOT));
    String caFile = null;
    if (verifyTls && !YES.contains(verify.toLowerCase(Locale.ROOT))) {
      if (!Files.isReadable(Path.of(verify))) {
        throw new IllegalArgumentException(EnvVars.VAULT_VERIFY + " is neither true/false nor a readable "
            + "CA bundle (PEM) file: " + verify);
      }
      caFile = verify;
    }
    int timeoutSeconds = Math.max(1, Math.min(300, integer(env, EnvVars.VAULT_TIMEOUT_SECONDS, 10)));
    int ttlSeconds = Math.max(0, integer(env, EnvVars.VAULT_CACHE_TTL_SECONDS, 300));
    int cacheMaxSize = Math.max(1, integer(env, EnvVars.VAULT_CACHE_MAX_SIZE, 1000));
    return new VaultSettings(address, token, roleId, secretId, mount, namespace, verifyTls, caFile,
        Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(ttlSeconds), cacheMaxSize);
  }

  private static String address(String value) {
    if (value == null) {
      throw new IllegalArgumentException(EnvVars.VAULT_ADDR + " must be set when " + EnvVars.SECRETS_BACKEND
          + "=vault or " + EnvVars.VAULT_ENABLED + "=true (e.g. https://vault.example.com:8200)");
    }
    String address = value.endsWith("/") ? value.replaceAll("/+$", "") : value;
    try {
      URI uri = new URI(address);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
        return address;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(EnvVars.VAULT_ADDR
        + " must be an http:// or https:// URL with a host and no query, e.g. https://vault.example.com:8200");
  }

  private static int integer(Env env, String name, int fallback) {
    String value = env.get(name, String.valueOf(fallback));
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number of " + (name.endsWith("SECONDS")
          ? "seconds" : "entries") + ", got '" + value + "'");
    }
  }

  private static String stripSlashes(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == '/') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == '/') {
      end--;
    }
    return value.substring(start, end);
  }

  /** Without the token and the secret id, which must never reach a log line. */
  @Override
  public String toString() {
    return "VaultSettings[address=" + address + ", auth=" + (appRole() ? "approle" : "token") + ", mount=" + mount
        + ", namespace=" + namespace + ", verifyTls=" + verifyTls + ", caFile=" + caFile + ", timeout=" + timeout
        + ", cacheTtl=" + cacheTtl + ", cacheMaxSize=" + cacheMaxSize + "]";
  }
}
