package io.cwm.module.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection's {@code ssl}, {@code ssl_ca_cert}, {@code ssl_cert} and {@code ssl_key} against a
 * private MariaDB that refuses plain connections ({@link TlsMariaDb}): the server is verified
 * against the given CA, a user created {@code REQUIRE X509} gets in with the client certificate,
 * and every way of getting TLS wrong is a permanent 500, never a silent plain connection.
 */
class MySqlTlsTest {
  private static final String TABLE = "cwm_tls_events";
  private static final String X509_USER = "cwm_x509";
  private static TlsMariaDb database;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    database = new TlsMariaDb();
    database.sql("CREATE DATABASE hooks; CREATE USER '" + X509_USER + "'@'%' REQUIRE X509; "
        + "GRANT ALL ON hooks.* TO '" + X509_USER + "'@'%'");
    String webhook = """
        {"module": "mysql", "connection": "%s", "module-config": {"table": "%s"}}""";
    StringBuilder webhooks = new StringBuilder("{");
    for (String connection : new String[] {"verified", "unknown_ca", "plain", "client_cert", "no_client_cert"}) {
      webhooks.append(webhooks.length() > 1 ? "," : "").append('"').append(connection).append("\": ")
          .append(webhook.formatted(connection, TABLE));
    }
    webhooks.append('}');
    JsonObject root = new JsonObject().put("type", "mysql").put("host", "127.0.0.1").put("port", database.port())
        .put("database", "hooks").put("user", "root");
    JsonObject x509 = root.copy().put("user", X509_USER).put("ssl", "true").put("ssl_ca_cert", database.path("ca.pem"));
    JsonObject connections = new JsonObject()
        .put("verified", root.copy().put("ssl", true).put("ssl_ca_cert", database.path("ca.pem")))
        .put("unknown_ca", root.copy().put("ssl", true))
        .put("plain", root.copy().put("ssl", false))
        .put("client_cert", x509.copy().put("ssl_cert", database.path("client.pem"))
            .put("ssl_key", database.path("client-key.pem")))
        .put("no_client_cert", x509);
    server = TestServer.start(webhooks.toString(), connections.encode(), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
    // the first write creates the table the refusals are checked against
    assertEquals(200, post("verified", "first").statusCode());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (database != null) {
        database.close();
      }
    }
  }

  private static HttpResponse<String> post(String webhook, String marker) throws Exception {
    return Http.post(server.port(), "/webhook/" + webhook, new JsonObject().put("marker", marker).encode(),
        "Content-Type", "application/json");
  }

  private static long rowsWith(String marker) throws Exception {
    return Long.parseLong(database.sql("SELECT COUNT(*) FROM hooks." + TABLE
        + " WHERE JSON_VALUE(payload, '$.marker') = '" + marker + "'"));
  }

  private static void assertRefused(String webhook) throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post(webhook, marker);
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
    assertEquals(0, rowsWith(marker));
  }

  private static void assertStored(String webhook) throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = post(webhook, marker);
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(1, rowsWith(marker));
  }

  @Test
  void serverVerifiedAgainstTheGivenCaGetsTheRow() throws Exception {
    assertStored("verified");
  }

  @Test
  void clientCertificateAuthenticatesAnX509User() throws Exception {
    assertStored("client_cert");
    assertRefused("no_client_cert");
  }

  @Test
  void aServerCertificateTheJvmDoesNotTrustIsRefused() throws Exception {
    assertRefused("unknown_ca");
  }

  @Test
  void withoutSslTheTlsOnlyServerRefusesTheSession() throws Exception {
    assertRefused("plain");
  }
}
