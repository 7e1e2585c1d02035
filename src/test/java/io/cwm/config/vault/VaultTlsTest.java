package io.cwm.config.vault;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.cwm.config.Env;
import io.cwm.config.Secrets;
import io.cwm.testing.LogCapture;
import io.cwm.testing.VaultTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An https VAULT_ADDR: the certificate is checked against the JVM's CAs or VAULT_VERIFY's file, or not at all. */
class VaultTlsTest {
  private static Vertx vertx;
  private static VaultTestServer vault;
  private static SelfSignedCertificate certificate;
  private static String token;
  private static final List<JsonObject> RAWS = List.of(new JsonObject().put("a", "{$vault:hooks/a#token}"));

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    certificate = SelfSignedCertificate.create("localhost");
    vault = VaultTestServer.startTls(vertx, certificate).put("hooks/a", new JsonObject().put("token", "tls-token"));
    token = vault.issueToken();
  }

  @AfterAll
  static void stop() {
    vault.close();
    certificate.delete();
    await(vertx.close());
  }

  private static Secrets resolve(String... pairs) {
    Map<String, String> values = new HashMap<>(Map.of("SECRETS_BACKEND", "vault", "VAULT_ADDR", vault.address(),
        "VAULT_TOKEN", token));
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    VaultSecrets secrets = VaultSecrets.create(vertx, VaultSettings.fromEnv(Env.of(values)));
    try {
      return await(secrets.resolve(RAWS));
    } finally {
      secrets.close();
    }
  }

  @Test
  void aCertificateOutsideTheJvmsCasIsRefused() {
    Secrets snapshot = resolve();
    assertNull(snapshot.lookup("hooks/a", "token"));
    assertTrue(snapshot.failure("hooks/a", "token").startsWith("Vault unreachable at " + vault.address()
        + " (TLS failed"), snapshot.failure("hooks/a", "token"));
  }

  @Test
  void vaultVerifyNamesTheCaFileToTrust() {
    assertEquals("tls-token", resolve("VAULT_VERIFY", certificate.certificatePath()).lookup("hooks/a", "token"));
  }

  @Test
  void vaultVerifyFalseTrustsAnyCertificateAndSaysSo() {
    try (LogCapture log = LogCapture.of(VaultSecrets.class.getName(), Level.WARN)) {
      assertEquals("tls-token", resolve("VAULT_VERIFY", "false").lookup("hooks/a", "token"));
      assertTrue(log.messages(Level.WARN).contains("Vault: VAULT_VERIFY=false: the certificate of " + vault.address()
          + " is not checked"), log.messages().toString());
    }
  }
}
