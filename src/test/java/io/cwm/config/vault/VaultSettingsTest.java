package io.cwm.config.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** VAULT_* settings under the Python version's names: defaults, choices and the messages for mistakes. */
class VaultSettingsTest {
  private static final String TOKEN = "hvs.settings-test-token-value";

  private static Env env(String... pairs) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    return Env.of(values);
  }

  private static String refusal(Env env) {
    return assertThrows(IllegalArgumentException.class, () -> VaultSettings.fromEnv(env)).getMessage();
  }

  @Test
  void vaultIsOffUnlessSecretsBackendOrVaultEnabledSaySo() {
    assertNull(VaultSettings.fromEnv(env("VAULT_ADDR", "http://v:8200", "VAULT_TOKEN", TOKEN)));
    assertNull(VaultSettings.fromEnv(env("SECRETS_BACKEND", "env", "VAULT_ENABLED", "false")));
    for (String yes : new String[] {"true", "1", "yes", "ON"}) {
      assertTrue(VaultSettings.fromEnv(env("VAULT_ENABLED", yes, "VAULT_ADDR", "http://v:8200", "VAULT_TOKEN", TOKEN))
          != null, yes);
    }
    assertTrue(VaultSettings.fromEnv(env("SECRETS_BACKEND", "Vault", "VAULT_ADDR", "http://v:8200",
        "VAULT_TOKEN", TOKEN)) != null);
  }

  @Test
  void defaultsFollowThePythonVersion() {
    VaultSettings settings = VaultSettings.fromEnv(env("SECRETS_BACKEND", "vault", "VAULT_ADDR",
        "https://vault.example.com:8200/", "VAULT_TOKEN", TOKEN));
    assertEquals("https://vault.example.com:8200", settings.address());
    assertEquals("secret", settings.mount());
    assertNull(settings.namespace());
    assertTrue(settings.verifyTls());
    assertNull(settings.caFile());
    assertEquals(Duration.ofSeconds(10), settings.timeout());
    assertEquals(Duration.ofSeconds(300), settings.cacheTtl());
    assertEquals(1000, settings.cacheMaxSize());
    assertFalse(settings.appRole());
  }

  @Test
  void aTokenWinsOverAppRoleAndAppRoleNeedsBothIds() {
    VaultSettings both = VaultSettings.fromEnv(env("VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200",
        "VAULT_TOKEN", TOKEN, "VAULT_ROLE_ID", "role", "VAULT_SECRET_ID", "sid"));
    assertFalse(both.appRole());
    assertNull(both.secretId());
    VaultSettings appRole = VaultSettings.fromEnv(env("VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200",
        "VAULT_ROLE_ID", "role", "VAULT_SECRET_ID", "sid"));
    assertTrue(appRole.appRole());
    assertEquals("VAULT_ROLE_ID is set but VAULT_SECRET_ID is not: AppRole needs both", refusal(env(
        "VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200", "VAULT_ROLE_ID", "role")));
    assertEquals("VAULT_SECRET_ID is set but VAULT_ROLE_ID is not: AppRole needs both", refusal(env(
        "VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200", "VAULT_SECRET_ID", "sid-value")));
    assertEquals("Vault is enabled but no authentication is configured: set VAULT_TOKEN, or VAULT_ROLE_ID and "
        + "VAULT_SECRET_ID", refusal(env("VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200")));
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertEquals("VAULT_ADDR must be set when SECRETS_BACKEND=vault or VAULT_ENABLED=true "
        + "(e.g. https://vault.example.com:8200)", refusal(env("SECRETS_BACKEND", "vault", "VAULT_TOKEN", TOKEN)));
    for (String address : new String[] {"vault:8200", "ftp://vault", "http://", "http://v:8200/?x=1",
        "http://user:pw@v:8200"}) {
      assertTrue(refusal(env("SECRETS_BACKEND", "vault", "VAULT_TOKEN", TOKEN, "VAULT_ADDR", address))
          .startsWith("VAULT_ADDR must be an http:// or https:// URL"), address);
    }
    Env base = env("SECRETS_BACKEND", "vault", "VAULT_TOKEN", TOKEN, "VAULT_ADDR", "http://v:8200");
    assertEquals("VAULT_CACHE_TTL_SECONDS must be a whole number of seconds, got 'soon'",
        refusal(base.with("VAULT_CACHE_TTL_SECONDS", "soon")));
    assertEquals("VAULT_TIMEOUT_SECONDS must be a whole number of seconds, got '1.5'",
        refusal(base.with("VAULT_TIMEOUT_SECONDS", "1.5")));
    assertTrue(refusal(base.with("VAULT_MOUNT_POINT", "kv/../sys")).startsWith("VAULT_MOUNT_POINT must be"));
    assertEquals("VAULT_KV_VERSION=1 is not supported: cwm reads the KV version 2 engine only",
        refusal(base.with("VAULT_KV_VERSION", "1")));
    assertTrue(refusal(base.with("VAULT_NAMESPACE", "team\r\nX: y")).startsWith("VAULT_NAMESPACE must be"));
    assertEquals("VAULT_VERIFY is neither true/false nor a readable CA bundle (PEM) file: /nowhere/ca.pem",
        refusal(base.with("VAULT_VERIFY", "/nowhere/ca.pem")));
  }

  @Test
  void numbersAreClampedAndMountSlashesDropped() {
    VaultSettings settings = VaultSettings.fromEnv(env("SECRETS_BACKEND", "vault", "VAULT_TOKEN", TOKEN,
        "VAULT_ADDR", "http://v:8200", "VAULT_TIMEOUT_SECONDS", "900", "VAULT_CACHE_TTL_SECONDS", "-5",
        "VAULT_MOUNT_POINT", "/kv/team/", "VAULT_NAMESPACE", "admin/team", "VAULT_VERIFY", "false"));
    assertEquals(Duration.ofSeconds(300), settings.timeout());
    assertEquals(Duration.ZERO, settings.cacheTtl());
    assertEquals("kv/team", settings.mount());
    assertEquals("admin/team", settings.namespace());
    assertFalse(settings.verifyTls());
  }

  @Test
  void theTokenAndTheSecretIdStayOutOfToString() {
    String text = VaultSettings.fromEnv(env("VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200",
        "VAULT_ROLE_ID", "role-id-value", "VAULT_SECRET_ID", "secret-id-value")).toString()
        + VaultSettings.fromEnv(env("VAULT_ENABLED", "true", "VAULT_ADDR", "http://v:8200", "VAULT_TOKEN", TOKEN));
    assertFalse(text.contains("secret-id-value"), text);
    assertFalse(text.contains(TOKEN), text);
  }
}
