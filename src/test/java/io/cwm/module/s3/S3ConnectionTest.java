package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.aws.AwsConnection;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading an s3 connection ({@link AwsConnection}): defaults, credentials, and the endpoint_url rules. */
class S3ConnectionTest {
  static final Env STRICT = Env.of(Map.of());
  static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  static final Env PRIVATE = Env.of(Map.of("ALLOW_PRIVATE_IP_CONNECTIONS", "true"));

  @Test
  void noConnectionMeansUsEast1AndTheDefaultChain() {
    AwsConnection connection = AwsConnection.from(null, STRICT, "region");
    assertEquals("us-east-1", connection.region());
    assertNull(connection.endpoint());
    assertFalse(connection.staticCredentials());
  }

  @Test
  void bothKeysGiveStaticCredentialsAndTheSecretIsNeverPrinted() {
    AwsConnection connection = AwsConnection.from(new JsonObject().put("type", "s3").put("region", "eu-west-1")
        .put("aws_access_key_id", "AKIAEXAMPLE").put("aws_secret_access_key", "s3cr3t-value"), STRICT, "region");
    assertTrue(connection.staticCredentials());
    assertEquals("eu-west-1", connection.region());
    assertFalse(connection.toString().contains("s3cr3t-value"), connection::toString);
    assertFalse(connection.toString().contains("AKIAEXAMPLE"), connection::toString);
    // one key alone (or an unset variable substituted to "") falls back to the default chain
    assertFalse(AwsConnection.from(new JsonObject().put("aws_access_key_id", "AKIAEXAMPLE")
        .put("aws_secret_access_key", ""), STRICT, "region").staticCredentials());
  }

  @Test
  void endpointUrlIsHonouredAsSchemeHostPort() {
    assertEquals(URI.create("http://minio:9000"),
        AwsConnection.from(new JsonObject().put("endpoint_url", "http://minio:9000"), STRICT, "region").endpoint());
    assertEquals(URI.create("https://s3.example.com:443"),
        AwsConnection.from(new JsonObject().put("endpoint_url", "https://s3.example.com/"), STRICT, "region").endpoint());
    assertEquals(URI.create("http://127.0.0.1:9090"),
        AwsConnection.from(new JsonObject().put("endpoint_url", "http://127.0.0.1:9090"), LOCAL, "region").endpoint());
    assertEquals(URI.create("http://10.1.2.3:9000"),
        AwsConnection.from(new JsonObject().put("endpoint_url", "http://10.1.2.3:9000"), PRIVATE, "region").endpoint());
  }

  @Test
  void loopbackAndPrivateEndpointsNeedTheirSwitches() {
    for (String url : new String[] {"http://127.0.0.1:9090", "http://localhost:9090", "http://[::1]:9090"}) {
      assertRefused(url, STRICT);
    }
    assertRefused("http://10.1.2.3:9000", STRICT);
    assertRefused("http://192.168.1.5:9000", LOCAL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://s3.example.com", "http://169.254.169.254", "http://metadata.google.internal",
      "http://127.1:9000", "http://0x7f000001", "http://user:pw@s3.example.com", "http://s3.example.com/bucket",
      "http://s3.example.com/?x=1", "not a url", "http://[fe80::1]:9000"})
  void dangerousOrUnusableEndpointsAreRefusedEvenForTests(String url) {
    assertRefused(url, Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "ALLOW_PRIVATE_IP_CONNECTIONS", "true")));
  }

  @Test
  void regionMustLookLikeARegion() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AwsConnection.from(new JsonObject().put("region", "us-east-1/../x"), STRICT, "region"));
    assertEquals("region", e.key());
  }

  private static void assertRefused(String url, Env env) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AwsConnection.from(new JsonObject().put("endpoint_url", url), env, "region"), url);
    assertEquals("endpoint_url", e.key(), e::getMessage);
  }
}
