package io.cwm.module.postgres;

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
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client settings of a postgresql connection: defaults, connection strings, host rules, TLS. */
class PostgresConnectionTest {
  private static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  private static final Env STRICT = Env.of(Map.of());

  private static PostgresConnection of(String json, Env env) {
    return PostgresConnection.of(new JsonObject(json), env);
  }

  @Test
  void defaultsFollowTheSpec() {
    PostgresConnection settings = of("{\"type\": \"postgresql\"}", LOCAL);
    PgConnectOptions options = settings.connectOptions();
    assertEquals("localhost", options.getHost());
    assertEquals(5432, options.getPort());
    assertEquals("postgres", options.getDatabase());
    assertEquals("postgres", options.getUser());
    assertEquals("", options.getPassword());
    assertEquals(SslMode.DISABLE, options.getSslMode());
    assertEquals(10, settings.poolOptions().getMaxSize());
    assertEquals("cwm", options.getProperties().get("application_name"));
  }

  @Test
  void substitutedStringsAreAccepted() {
    PostgresConnection settings = of("""
        {"host": "db.example.com", "port": "6543", "database": "hooks", "user": "writer", "password": "p@ss:/word",
         "pool_max_size": "3", "pool_min_size": "1", "ssl": "false"}
        """, STRICT);
    assertEquals("db.example.com", settings.connectOptions().getHost());
    assertEquals(6543, settings.connectOptions().getPort());
    assertEquals("hooks", settings.connectOptions().getDatabase());
    assertEquals("writer", settings.connectOptions().getUser());
    assertEquals("p@ss:/word", settings.connectOptions().getPassword());
    assertEquals(3, settings.poolOptions().getMaxSize());
  }

  @Test
  void hostRulesApply() {
    assertEquals("host", assertThrows(ConfigException.class, () -> of("{\"host\": \"127.0.0.1\"}", STRICT)).key());
    assertEquals("host", assertThrows(ConfigException.class, () -> of("{}", STRICT)).key(), "default localhost");
    assertEquals("host", assertThrows(ConfigException.class, () -> of("{\"host\": \"169.254.169.254\"}", LOCAL)).key());
    assertEquals("host", assertThrows(ConfigException.class, () -> of("{\"host\": \"db;rm\"}", LOCAL)).key());
    assertEquals("host", assertThrows(ConfigException.class, () -> of("{\"host\": \"10.0.0.5\"}", STRICT)).key());
    assertEquals("port", assertThrows(ConfigException.class, () -> of("{\"host\": \"db.example.com\", \"port\": 0}", STRICT)).key());
  }

  @Test
  void connectionStringReplacesTheFieldsAndItsHostIsChecked() {
    PgConnectOptions options = of("""
        {"host": "ignored.example.com", "port": 1,
         "connection_string": "postgresql://writer:secret@db.example.com:6000/hooks?application_name=shop"}
        """, STRICT).connectOptions();
    assertEquals("db.example.com", options.getHost());
    assertEquals(6000, options.getPort());
    assertEquals("hooks", options.getDatabase());
    assertEquals("writer", options.getUser());
    assertEquals("secret", options.getPassword());
    assertEquals("shop", options.getProperties().get("application_name"));
    assertEquals("db.example.com", of("{\"connection_string\": \"postgres://u@db.example.com/x\"}", STRICT).connectOptions().getHost());

    for (String bad : List.of("postgresql://u@127.0.0.1:5432/x", "postgresql://u@169.254.169.254/x")) {
      assertEquals("connection_string", assertThrows(ConfigException.class,
          () -> of(new JsonObject().put("connection_string", bad).encode(), STRICT)).key(), bad);
    }
    for (String bad : List.of("mysql://u@db.example.com/x", "postgresql://db.example.com/x")) {
      assertEquals("connection_string", assertThrows(ConfigException.class,
          () -> of(new JsonObject().put("connection_string", bad).encode(), LOCAL)).key(), bad);
    }
  }

  @Test
  void sslRequiresTlsAndTrustsTheGivenCa() {
    PgConnectOptions plain = of("{\"host\": \"db.example.com\", \"ssl\": true, \"ssl_ca_cert\": \"\"}", STRICT).connectOptions();
    assertEquals(SslMode.REQUIRE, plain.getSslMode());
    assertNull(plain.getSslOptions().getTrustOptions());

    PgConnectOptions withCa = of("""
        {"host": "db.example.com", "ssl": true, "ssl_ca_cert": "/etc/ca.pem", "ssl_cert": "/etc/c.pem", "ssl_key": "/etc/k.pem"}
        """, STRICT).connectOptions();
    assertEquals(SslMode.REQUIRE, withCa.getSslMode());
    PemTrustOptions trust = assertInstanceOf(PemTrustOptions.class, withCa.getSslOptions().getTrustOptions());
    assertEquals(List.of("/etc/ca.pem"), trust.getCertPaths());
    PemKeyCertOptions keyCert = assertInstanceOf(PemKeyCertOptions.class, withCa.getSslOptions().getKeyCertOptions());
    assertTrue(keyCert.getCertPaths().contains("/etc/c.pem") && keyCert.getKeyPaths().contains("/etc/k.pem"));

    assertEquals("ssl_key", assertThrows(ConfigException.class,
        () -> of("{\"host\": \"db.example.com\", \"ssl\": true, \"ssl_cert\": \"/etc/c.pem\"}", STRICT)).key());
  }
}
