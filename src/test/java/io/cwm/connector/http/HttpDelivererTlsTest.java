package io.cwm.connector.http;

import static io.cwm.connector.http.Deliveries.await;
import static io.cwm.connector.http.Deliveries.config;
import static io.cwm.connector.http.Deliveries.delivery;
import static io.cwm.connector.http.Deliveries.target;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Outcome;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS toward targets: certificates generated here (self-signed, CN=localhost), a local HTTPS
 * server, and one that requires a client certificate.
 */
@ExtendWith(VertxExtension.class)
class HttpDelivererTlsTest {
  private static SelfSignedCertificate serverCert;
  private static SelfSignedCertificate clientCert;
  private HttpDeliverer deliverer;

  @BeforeAll
  static void certificates() {
    serverCert = SelfSignedCertificate.create("localhost");
    clientCert = SelfSignedCertificate.create("connector");
  }

  @AfterEach
  void stop() throws Exception {
    if (deliverer != null) {
      deliverer.close().await();
    }
  }

  private static RecordingTarget https(Vertx vertx) throws Exception {
    return RecordingTarget.start(vertx, new HttpServerOptions().setSsl(true).setKeyCertOptions(serverCert.keyCertOptions()));
  }

  private static RecordingTarget mutualTls(Vertx vertx) throws Exception {
    return RecordingTarget.start(vertx, new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(serverCert.keyCertOptions())
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(clientCert.certificatePath())));
  }

  private Outcome deliver(Vertx vertx, String url, boolean verifySsl, String ca, String cert, String key)
      throws Exception {
    ConnectorConfig config = config(target(url), Map.of(), true, verifySsl, ca, cert, key);
    deliverer = new HttpDeliverer(vertx, config);
    return await(deliverer, delivery(new JsonObject().put("tls", true)));
  }

  private static String localhost(RecordingTarget server) {
    return "https://localhost:" + server.port() + "/hook";
  }

  @Test
  void unknownCertificateFailsWhenVerifying(Vertx vertx) throws Exception {
    RecordingTarget server = https(vertx);
    Outcome outcome = deliver(vertx, localhost(server), true, null, null, null);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict(), outcome.reason());
    assertEquals(0, server.received().size());
  }

  @Test
  void caCertPathMakesTheCertificateTrusted(Vertx vertx) throws Exception {
    RecordingTarget server = https(vertx);
    Outcome outcome = deliver(vertx, localhost(server), true, serverCert.certificatePath(), null, null);

    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    assertEquals("localhost:" + server.port(), server.only().header("Host"));
  }

  @Test
  void hostNameIsCheckedAgainstTheUrlHost(Vertx vertx) throws Exception {
    RecordingTarget server = https(vertx);
    // trusted certificate, but issued to localhost, not to 127.0.0.1
    Outcome outcome = deliver(vertx, "https://127.0.0.1:" + server.port() + "/", true, serverCert.certificatePath(),
        null, null);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict(), outcome.reason());
    assertEquals(0, server.received().size());
  }

  @Test
  void verifySslFalseTrustsAnyCertificate(Vertx vertx) throws Exception {
    RecordingTarget server = https(vertx);
    Outcome outcome = deliver(vertx, "https://127.0.0.1:" + server.port() + "/", false, null, null, null);

    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    assertEquals(1, server.received().size());
  }

  @Test
  void clientCertificateIsPresentedForMutualTls(Vertx vertx) throws Exception {
    RecordingTarget server = mutualTls(vertx);
    Outcome outcome = deliver(vertx, localhost(server), true, serverCert.certificatePath(),
        clientCert.certificatePath(), clientCert.privateKeyPath());

    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    assertEquals(1, server.received().size());
  }

  @Test
  void clientKeyInsideTheCertificateFileIsFound(Vertx vertx, @TempDir Path dir) throws Exception {
    RecordingTarget server = mutualTls(vertx);
    Path combined = dir.resolve("client.pem");
    Files.writeString(combined, Files.readString(Path.of(clientCert.certificatePath()))
        + Files.readString(Path.of(clientCert.privateKeyPath())));
    Outcome outcome = deliver(vertx, localhost(server), true, serverCert.certificatePath(), combined.toString(), null);

    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
  }

  @Test
  void mutualTlsFailsWithoutAClientCertificate(Vertx vertx) throws Exception {
    RecordingTarget server = mutualTls(vertx);
    Outcome outcome = deliver(vertx, localhost(server), true, serverCert.certificatePath(), null, null);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict(), outcome.reason());
    assertEquals(0, server.received().size());
  }
}
