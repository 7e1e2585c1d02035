package io.cwm.connector.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.connector.ConnectorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code "sign": {"secret": "whsec_..."}} of a connector target: read, substituted, checked, never quoted. */
class TargetSignConfigTest {
  static final byte[] KEY = "0123456789abcdef01234567".getBytes(StandardCharsets.UTF_8);
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

  @TempDir
  Path dir;

  ConnectorConfigLoader.Result load(String sign, Env env) throws IOException {
    Path file = dir.resolve("connector.json");
    Files.writeString(file, """
        {"cloud_url": "https://cloud.example.com/", "channel": "orders", "token": "t",
         "default_target": {"url": "http://localhost:9000/hook"},
         "targets": {"stripe": {"url": "http://localhost:9000/stripe", "sign": %s}}}""".formatted(sign));
    return ConnectorConfigLoader.load(List.of(file), ConnectorFlags.NONE, env, ConnectorConfigLoader.Purpose.START);
  }

  static List<String> errors(ConnectorConfigLoader.Result result) {
    return result.errors().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void aSecretWithItsPrefixIsTheBase64DecodedKeyAndOtherTargetsDoNotSign() throws IOException {
    ConnectorConfigLoader.Result result = load("{\"secret\": \"" + SECRET + "\"}", Env.of(Map.of()));
    assertTrue(result.ok(), () -> "errors: " + errors(result));
    ConnectorConfig config = result.connectors().get(0);
    assertArrayEquals(KEY, config.targetFor("stripe").sign().key());
    assertNull(config.defaultTarget().sign());
  }

  @Test
  void theSecretMayComeFromAVariable() throws IOException {
    ConnectorConfigLoader.Result result = load("{\"secret\": \"{$LOCAL_SIGNING_SECRET}\"}",
        Env.of(Map.of("LOCAL_SIGNING_SECRET", SECRET)));
    assertTrue(result.ok(), () -> "errors: " + errors(result));
    assertArrayEquals(KEY, result.connectors().get(0).targetFor("stripe").sign().key());
  }

  @Test
  void badSignBlocksAreRefusedWithTheirKeyAndNeverQuoteTheSecret() throws IOException {
    String shortSecret = "whsec_" + Base64.getEncoder().encodeToString("short-key".getBytes(StandardCharsets.UTF_8));
    for (String sign : List.of("\"" + SECRET + "\"", "{}", "{\"secret\": \"whsec_not*base64!\"}",
        "{\"secret\": \"" + shortSecret + "\"}", "{\"secret\": \"" + SECRET + "\", \"algo\": \"x\"}")) {
      ConnectorConfigLoader.Result result = load(sign, Env.of(Map.of()));
      assertFalse(result.ok(), sign);
      String text = String.join("\n", errors(result));
      assertTrue(text.contains("targets.stripe.sign"), text);
      assertFalse(text.contains(SECRET.substring(6)) || text.contains("not*base64") || text.contains(shortSecret.substring(6)),
          "the secret is not quoted: " + text);
    }
  }
}
