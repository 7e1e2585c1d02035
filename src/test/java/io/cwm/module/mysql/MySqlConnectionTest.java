package io.cwm.module.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client settings of a mysql connection: the spec's defaults, substituted strings, host rules, TLS modes. */
class MySqlConnectionTest {
  private static final Env TESTS = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  private static final Env PRODUCTION = Env.of(Map.of());

  private static MySqlConnection settings(JsonObject connection, Env env) {
    return MySqlConnection.of(connection, env);
  }

  private static String refusedKey(JsonObject connection, Env env) {
    return assertThrows(ConfigException.class, () -> settings(connection, env)).key();
  }

  @Test
  void pythonDefaultsAndOneRoundTripInserts() {
    MySqlConnection settings = settings(new JsonObject().put("type", "mysql"), TESTS);
    MySQLConnectOptions options = settings.connectOptions();
    assertEquals(List.of("localhost", 3306, "mysql", "root", ""),
        List.of(options.getHost(), options.getPort(), options.getDatabase(), options.getUser(), options.getPassword()));
    assertEquals(SslMode.DISABLED, options.getSslMode());
    assertEquals("utf8mb4", options.getCharset());
    assertTrue(options.getCachePreparedStatements(), "the INSERT is prepared once per session");
    assertEquals(10, settings.poolOptions().getMaxSize());
  }

  @Test
  void numbersAndFlagsMayBeSubstitutedStrings() {
    JsonObject connection = new JsonObject().put("type", "mariadb").put("host", "stock-db.example.net")
        .put("port", "3307").put("database", "stock").put("user", "hooks_writer").put("password", "p@ss:/w'rd")
        .put("pool_min_size", "1").put("pool_max_size", "5").put("ssl", "false");
    MySqlConnection settings = settings(connection, PRODUCTION);
    assertEquals(3307, settings.connectOptions().getPort());
    assertEquals("p@ss:/w'rd", settings.connectOptions().getPassword());
    assertEquals(5, settings.poolOptions().getMaxSize());
    assertEquals("pool_max_size", refusedKey(connection.copy().put("pool_max_size", "many"), PRODUCTION));
    assertEquals("pool_min_size", refusedKey(connection.copy().put("pool_min_size", "-1"), PRODUCTION));
    assertEquals("port", refusedKey(connection.copy().put("port", "70000"), PRODUCTION));
  }

  @Test
  void theHostRulesOfTheSpecApply() {
    assertEquals("host", refusedKey(new JsonObject(), PRODUCTION), "localhost needs the test flag");
    assertEquals("host", refusedKey(new JsonObject().put("host", "192.168.1.20"), PRODUCTION), "private needs its flag");
    assertEquals("host", refusedKey(new JsonObject().put("host", "metadata.google.internal"), TESTS));
    assertEquals("host", refusedKey(new JsonObject().put("host", "db`x"), TESTS));
    assertEquals("192.168.1.20", settings(new JsonObject().put("host", "192.168.1.20"),
        Env.of(Map.of("ALLOW_PRIVATE_IP_CONNECTIONS", "true"))).connectOptions().getHost());
  }

  @Test
  void sslNeverFallsBackToPlainAndVerifiesTheChainAgainstTheGivenCa() {
    JsonObject base = new JsonObject().put("host", "db.example.com").put("ssl", true);
    MySQLConnectOptions required = settings(base.copy().put("ssl_ca_cert", " "), PRODUCTION).connectOptions();
    assertEquals(SslMode.REQUIRED, required.getSslMode());
    assertNull(required.getSslOptions().getTrustOptions());

    MySQLConnectOptions verified = settings(base.copy().put("ssl_ca_cert", "/etc/mysql/ca.pem")
        .put("ssl_cert", "/etc/mysql/client.pem").put("ssl_key", "/etc/mysql/client-key.pem"), PRODUCTION).connectOptions();
    assertEquals(SslMode.VERIFY_CA, verified.getSslMode());
    assertEquals(List.of("/etc/mysql/ca.pem"),
        assertInstanceOf(PemTrustOptions.class, verified.getSslOptions().getTrustOptions()).getCertPaths());
    PemKeyCertOptions client = assertInstanceOf(PemKeyCertOptions.class, verified.getSslOptions().getKeyCertOptions());
    assertEquals(List.of("/etc/mysql/client.pem"), client.getCertPaths());
    assertEquals(List.of("/etc/mysql/client-key.pem"), client.getKeyPaths());

    assertEquals("ssl_cert", refusedKey(base.copy().put("ssl_key", "/etc/mysql/client-key.pem"), PRODUCTION));
  }
}
