package io.cwm.config.vault;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.ConfigLoader;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.Secrets;
import io.cwm.testing.LogCapture;
import io.cwm.testing.MutableClock;
import io.cwm.testing.VaultTestServer;
import io.cwm.validate.ValidatorContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VaultSecrets against a server speaking Vault's KV v2 and AppRole API, end to end through ConfigLoader. */
class VaultSecretsTest {
  private static final String HOOK_TOKEN = "vault-hook-token-5f1c9a7e2b4d4c0f8a3e6b9d1c2e7f40";
  private static final String REDIS_PASSWORD = "vault-redis-password-0a9b8c7d6e5f";
  private static Vertx vertx;

  private VaultTestServer vault;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<VaultSecrets> opened = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void startVault() {
    vault = VaultTestServer.start(vertx)
        .put("hooks/a", new JsonObject().put("token", HOOK_TOKEN).put("port", 6380))
        .put("db/redis", new JsonObject().put("password", REDIS_PASSWORD));
  }

  @AfterEach
  void stopVault() {
    opened.forEach(VaultSecrets::close);
    vault.close();
  }

  private VaultSecrets secrets(String... pairs) {
    Map<String, String> values = new HashMap<>(Map.of("SECRETS_BACKEND", "vault", "VAULT_ADDR", vault.address()));
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    VaultSecrets secrets = VaultSecrets.create(vertx, VaultSettings.fromEnv(Env.of(values)), clock);
    opened.add(secrets);
    return secrets;
  }

  private VaultSecrets withToken(String... pairs) {
    List<String> all = new ArrayList<>(List.of("VAULT_TOKEN", vault.issueToken()));
    all.addAll(List.of(pairs));
    return secrets(all.toArray(String[]::new));
  }

  private static JsonObject webhooks(String authorization) {
    return new JsonObject().put("a", new JsonObject().put("module", "log").put("authorization", authorization));
  }

  private static final JsonObject CONNECTIONS = new JsonObject().put("redis_main", new JsonObject()
      .put("type", "redis").put("host", "localhost").put("port", "{$vault:db/redis#port:6379}")
      .put("password", "{$vault:db/redis#password}"));

  private static ConfigLoader.Result load(JsonObject webhooks, JsonObject connections, Secrets secrets) {
    Env env = Env.of(Map.of());
    return ConfigLoader.load(new ConfigLoader.RawConfig("webhooks.json", webhooks, Map.of(), "connections.json",
        connections), env, new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP in config tests");
        }), new ConfigLoader.Rules(true, false, false, "127.0.0.1"), secrets);
  }

  private static List<String> errors(ConfigLoader.Result result) {
    return result.problems().stream().filter(ConfigProblem::isError).map(ConfigProblem::toString).toList();
  }

  @Test
  void aTokenReadsEachDistinctPathOnceAndTheConfigGetsTheValues() {
    VaultSecrets secrets = withToken("VAULT_NAMESPACE", "team-a");
    JsonObject webhooks = webhooks("Bearer {$vault:hooks/a#token}");
    webhooks.put("b", new JsonObject().put("module", "log").put("authorization", "{$vault:hooks/a#token}"));

    Secrets snapshot = await(secrets.resolve(List.of(webhooks, CONNECTIONS)));
    ConfigLoader.Result result = load(webhooks, CONNECTIONS, snapshot);

    assertEquals(List.of(), errors(result));
    assertEquals("Bearer " + HOOK_TOKEN, result.snapshot().webhooks().get("a").raw().getString("authorization"));
    assertEquals(HOOK_TOKEN, result.snapshot().webhooks().get("b").raw().getString("authorization"));
    JsonObject redis = result.snapshot().connections().get("redis_main");
    assertEquals(REDIS_PASSWORD, redis.getString("password"));
    assertEquals("6379", String.valueOf(redis.getValue("port")), "a missing field takes its inline default");
    assertEquals(2, vault.reads());
    assertEquals(List.of("team-a", "team-a"), vault.namespaces());
    assertEquals("6380", snapshot.lookup("hooks/a", "port"), "a number field reads as its JSON text");
  }

  @Test
  void appRoleLogsInOnceForManyReadsAndAgainAfterItsTokenIsRevoked() {
    vault.approle("cwm-role", "cwm-secret-id");
    for (int i = 0; i < 20; i++) {
      vault.put("many/" + i, new JsonObject().put("v", "value-" + i));
    }
    JsonObject many = new JsonObject();
    for (int i = 0; i < 20; i++) {
      many.put("k" + i, "{$vault:many/" + i + "#v}");
    }
    VaultSecrets secrets = secrets("VAULT_ROLE_ID", "cwm-role", "VAULT_SECRET_ID", "cwm-secret-id");

    Secrets first = await(secrets.resolve(List.of(many)));
    assertEquals("value-7", first.lookup("many/7", "v"));
    assertEquals(1, vault.logins());
    assertEquals(20, vault.reads());

    vault.revokeAll();
    vault.put("many/7", new JsonObject().put("v", "rotated"));
    Secrets second = await(secrets.resolve(List.of(many), true));

    assertEquals("rotated", second.lookup("many/7", "v"));
    assertEquals(2, vault.logins(), "the 403s of one revoked token share one new login");
  }

  @Test
  void appRoleLogsInAgainBeforeTheLeaseRunsOut() {
    vault.approle("cwm-role", "cwm-secret-id").leaseSeconds(600);
    VaultSecrets secrets = secrets("VAULT_ROLE_ID", "cwm-role", "VAULT_SECRET_ID", "cwm-secret-id");
    List<JsonObject> raws = List.of(webhooks("{$vault:hooks/a#token}"));
    await(secrets.resolve(raws, true));
    clock.advance(Duration.ofSeconds(500));
    await(secrets.resolve(raws, true));
    assertEquals(1, vault.logins());

    clock.advance(Duration.ofSeconds(75)); // within 30 s of the lease's end
    Secrets snapshot = await(secrets.resolve(raws, true));

    assertEquals(HOOK_TOKEN, snapshot.lookup("hooks/a", "token"));
    assertEquals(2, vault.logins());
    assertEquals(List.of("POST /v1/auth/approle/login", "GET /v1/secret/data/hooks/a", "GET /v1/secret/data/hooks/a",
        "POST /v1/auth/approle/login", "GET /v1/secret/data/hooks/a"), vault.requests());
  }

  @Test
  void wrongAppRoleCredentialsFailEveryReferenceWithoutShowingThem() {
    vault.approle("cwm-role", "cwm-secret-id");
    VaultSecrets secrets = secrets("VAULT_ROLE_ID", "cwm-role", "VAULT_SECRET_ID", "not-the-secret-id");
    JsonObject webhooks = webhooks("{$vault:hooks/a#token}");

    ConfigLoader.Result result = load(webhooks, new JsonObject(), await(secrets.resolve(List.of(webhooks))));

    assertEquals(List.of("error: webhooks.json: webhook 'a': authorization: Vault reference {$vault:hooks/a#token} "
        + "could not be resolved and has no default: AppRole login refused (HTTP 400): check VAULT_ROLE_ID and "
        + "VAULT_SECRET_ID and the role's policies"), errors(result));
    assertEquals(0, vault.reads());
  }

  @Test
  void aResolveWithinTheTtlAsksVaultNothingAndOneAfterItReadsTheNewValue() {
    VaultSecrets secrets = withToken("VAULT_CACHE_TTL_SECONDS", "60");
    List<JsonObject> raws = List.of(webhooks("{$vault:hooks/a#token}"));
    await(secrets.resolve(raws));
    vault.put("hooks/a", new JsonObject().put("token", "rotated-token"));

    clock.advance(Duration.ofSeconds(59));
    assertEquals(HOOK_TOKEN, await(secrets.resolve(raws)).lookup("hooks/a", "token"));
    assertEquals(1, vault.reads());

    clock.advance(Duration.ofSeconds(1));
    assertEquals("rotated-token", await(secrets.resolve(raws)).lookup("hooks/a", "token"));
    assertEquals(2, vault.reads());
  }

  @Test
  void refreshAndInvalidateReadAgainWithinTheTtl() {
    VaultSecrets secrets = withToken();
    List<JsonObject> raws = List.of(webhooks("{$vault:hooks/a#token}"));
    await(secrets.resolve(raws));
    vault.put("hooks/a", new JsonObject().put("token", "rotated-token"));

    assertEquals("rotated-token", await(secrets.resolve(raws, true)).lookup("hooks/a", "token"));
    vault.put("hooks/a", new JsonObject().put("token", "rotated-again"));
    assertEquals("rotated-token", await(secrets.resolve(raws)).lookup("hooks/a", "token"), "cached");
    secrets.invalidate();
    assertEquals("rotated-again", await(secrets.resolve(raws)).lookup("hooks/a", "token"));
    assertEquals(3, vault.reads());
  }

  @Test
  void aZeroTtlReadsEveryTime() {
    VaultSecrets secrets = withToken("VAULT_CACHE_TTL_SECONDS", "0");
    List<JsonObject> raws = List.of(webhooks("{$vault:hooks/a#token}"));
    await(secrets.resolve(raws));
    await(secrets.resolve(raws));
    assertEquals(2, vault.reads());
  }

  @Test
  void aMissingSecretOrFieldFailsTheLoadUnlessTheReferenceHasADefault() {
    VaultSecrets secrets = withToken();
    JsonObject webhooks = new JsonObject()
        .put("a", new JsonObject().put("module", "log").put("authorization", "Bearer {$vault:hooks/a#nope}"))
        .put("b", new JsonObject().put("module", "log").put("authorization", "Bearer {$vault:hooks/gone#token}"))
        .put("c", new JsonObject().put("module", "log")
            .put("authorization", "Bearer {$vault:hooks/gone#token:fallback-token-of-enough-length-123}"));

    ConfigLoader.Result result = load(webhooks, new JsonObject(), await(secrets.resolve(List.of(webhooks))));

    assertEquals(List.of(
        "error: webhooks.json: webhook 'a': authorization: Vault reference {$vault:hooks/a#nope} could not be "
            + "resolved and has no default: the secret at 'hooks/a' has no field 'nope'",
        "error: webhooks.json: webhook 'b': authorization: Vault reference {$vault:hooks/gone#token} could not be "
            + "resolved and has no default: secret not found at 'secret/data/hooks/gone'"), errors(result));
    assertFalse(result.ok());

    JsonObject onlyDefault = new JsonObject().put("c", webhooks.getJsonObject("c"));
    ConfigLoader.Result withDefault = load(onlyDefault, new JsonObject(), await(secrets.resolve(List.of(onlyDefault))));
    assertEquals("Bearer fallback-token-of-enough-length-123",
        withDefault.snapshot().webhooks().get("c").raw().getString("authorization"));
  }

  @Test
  void aTokenWithoutPermissionIsReportedAsSuch() {
    VaultSecrets secrets = secrets("VAULT_TOKEN", "hvs.unknown-to-vault");
    Secrets snapshot = await(secrets.resolve(List.of(webhooks("{$vault:hooks/a#token}"))));
    assertNull(snapshot.lookup("hooks/a", "token"));
    assertEquals("permission denied reading 'secret/data/hooks/a' (HTTP 403: the token in VAULT_TOKEN may not "
        + "read it)", snapshot.failure("hooks/a", "token"));
    assertEquals(1, vault.reads(), "a static token is not retried");
  }

  @Test
  void pathsThatLeaveTheMountAreRefusedBeforeAnyRequest() {
    VaultSecrets secrets = withToken();
    JsonObject webhooks = new JsonObject()
        .put("a", "{$vault:../../sys#x}").put("b", "{$vault:hooks/../../sys/seal#x}")
        .put("c", "{$vault:hooks/%2e%2e/x#y}").put("d", "{$vault:hooks/./a#token}")
        .put("e", "{$vault:a b#c}").put("f", "{$vault:hooks/a#bad/field}");

    Secrets snapshot = await(secrets.resolve(List.of(webhooks)));

    assertEquals("the secret path '../../sys' is refused: no '..', '.' or empty segments",
        snapshot.failure("../../sys", "x"));
    assertEquals("the secret path 'hooks/../../sys/seal' is refused: no '..', '.' or empty segments",
        snapshot.failure("hooks/../../sys/seal", "x"));
    assertEquals("the secret path is refused: only letters, digits, '_', '.', '/' and '-' (up to 512)",
        snapshot.failure("hooks/%2e%2e/x", "y"));
    assertTrue(snapshot.failure("hooks/./a", "token").startsWith("the secret path 'hooks/./a' is refused"));
    assertTrue(snapshot.failure("a b", "c").startsWith("the secret path is refused"));
    assertNull(snapshot.lookup("hooks/a", "bad/field"));
    assertTrue(snapshot.failure("hooks/a", "bad/field").startsWith("the field name is refused"));
    assertEquals(List.of("GET /v1/secret/data/hooks/a"), vault.requests(), "only the allowed path was read");
  }

  @Test
  void surroundingSlashesDoNotCountAndOtherMountsAreRead() {
    vault.mount("kv/team").put("kv/team", "hooks/a", new JsonObject().put("token", "team-token"));
    VaultSecrets secrets = withToken("VAULT_MOUNT_POINT", "/kv/team/");
    Secrets snapshot = await(secrets.resolve(List.of(webhooks("{$vault:/hooks/a/#token}"))));
    assertEquals("team-token", snapshot.lookup("/hooks/a/", "token"));
    assertEquals(List.of("GET /v1/kv/team/data/hooks/a"), vault.requests());
  }

  @Test
  void vaultDownOrSealedGivesAClearFailure() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    VaultSecrets down = VaultSecrets.create(vertx, VaultSettings.fromEnv(Env.of(Map.of("SECRETS_BACKEND", "vault",
        "VAULT_ADDR", "http://127.0.0.1:" + closedPort, "VAULT_TOKEN", "hvs.whatever"))), clock);
    opened.add(down);
    JsonObject webhooks = webhooks("{$vault:hooks/a#token}");

    ConfigLoader.Result result = load(webhooks, new JsonObject(), await(down.resolve(List.of(webhooks))));

    assertEquals(1, errors(result).size());
    assertTrue(errors(result).get(0).endsWith("could not be resolved and has no default: Vault unreachable at "
        + "http://127.0.0.1:" + closedPort + " (connection refused)"), errors(result).toString());

    vault.sealed(true);
    Secrets sealed = await(withToken().resolve(List.of(webhooks)));
    assertEquals("Vault is sealed or unavailable (HTTP 503) reading 'secret/data/hooks/a'",
        sealed.failure("hooks/a", "token"));
  }

  @Test
  void aVaultThatDoesNotAnswerFailsAfterTheTimeout() {
    vault.silent(true);
    VaultSecrets secrets = withToken("VAULT_TIMEOUT_SECONDS", "1");
    Secrets snapshot = await(secrets.resolve(List.of(webhooks("{$vault:hooks/a#token}"))));
    assertEquals("Vault at " + vault.address() + " did not answer within 1 s",
        snapshot.failure("hooks/a", "token"));
  }

  @Test
  void noSecretValueOrCredentialReachesAProblemOrALogLine() {
    vault.approle("cwm-role", "cwm-secret-id-value");
    VaultSecrets secrets = secrets("VAULT_ROLE_ID", "cwm-role", "VAULT_SECRET_ID", "cwm-secret-id-value");
    JsonObject webhooks = new JsonObject()
        .put("a", new JsonObject().put("module", "log").put("authorization", "Bearer {$vault:hooks/a#token}"))
        .put("b", new JsonObject().put("module", "log").put("authorization", "Bearer {$vault:hooks/a#missing}"))
        .put("c", new JsonObject().put("module", "log").put("authorization", "Bearer {$vault:../x#y}"));
    try (LogCapture log = LogCapture.of("io.cwm")) {
      ConfigLoader.Result result = load(webhooks, CONNECTIONS, await(secrets.resolve(List.of(webhooks, CONNECTIONS))));
      vault.revokeAll();
      await(secrets.resolve(List.of(webhooks), true));

      String everything = result.problems().toString() + log.messages();
      assertEquals(2, errors(result).size(), everything);
      assertTrue(log.messages().stream().anyMatch(line -> line.contains("AppRole login succeeded")), everything);
      for (String secret : List.of(HOOK_TOKEN, REDIS_PASSWORD, "cwm-secret-id-value", "hvs.")) {
        assertFalse(everything.contains(secret), secret + " in " + everything);
      }
    }
  }
}
