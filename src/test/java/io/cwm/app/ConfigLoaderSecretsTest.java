package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.validate.ValidatorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;

/** Placeholder, blank and demo secrets in webhooks.json and the receiver's environment. */
class ConfigLoaderSecretsTest {
  static final String PLACEHOLDER = "REPLACE_ME-with-the-real-secret-of-at-least-32-bytes";

  @TempDir
  Path dir;

  private final Map<String, String> variables = new HashMap<>();

  private ConfigLoader.Result load(String webhooks, String listenHost) throws IOException {
    Path file = Files.writeString(dir.resolve("webhooks.json"), webhooks);
    Env env = Env.of(variables);
    return ConfigLoader.load(file, dir.resolve("connections.json"), env,
        new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP in config tests");
        }), new ConfigLoader.Rules(true, false, false, listenHost));
  }

  private ConfigLoader.Result load(String webhooks) throws IOException {
    return load(webhooks, "0.0.0.0");
  }

  private String error(String id, String key, String message) {
    return "error: " + dir.resolve("webhooks.json") + ": webhook '" + id + "': " + key + ": " + message;
  }

  private static List<String> texts(ConfigLoader.Result result) {
    return result.problems().stream().map(ConfigProblem::toString).toList();
  }

  /** Every secret the validators and webhook_connect read, with the entry that holds it. */
  static final Map<String, String> SECRETS = Map.ofEntries(
      Map.entry("authorization", "\"authorization\": \"Bearer %s\""),
      Map.entry("basic_auth.password", "\"basic_auth\": {\"username\": \"shop\", \"password\": \"%s\"}"),
      Map.entry("digest_auth.password", "\"digest_auth\": {\"username\": \"shop\", \"password\": \"%s\"}"),
      Map.entry("jwt.secret", "\"jwt\": {\"secret\": \"%s\"}"),
      Map.entry("oauth1.consumer_secret", "\"oauth1\": {\"consumer_key\": \"ck\", \"consumer_secret\": \"%s\"}"),
      Map.entry("oauth1.token_secret",
          "\"oauth1\": {\"consumer_key\": \"ck\", \"consumer_secret\": \"cs\", \"token_secret\": \"%s\"}"),
      Map.entry("oauth2.client_secret", "\"oauth2\": {\"introspection_endpoint\": \"https://auth.example.com/i\", "
          + "\"client_id\": \"id\", \"client_secret\": \"%s\"}"),
      Map.entry("oauth2.jwt_secret", "\"oauth2\": {\"jwt_secret\": \"%s\"}"),
      Map.entry("hmac.secret", "\"hmac\": {\"secret\": \"%s\"}"),
      Map.entry("query_auth.api_key", "\"query_auth\": {\"api_key\": \"%s\"}"),
      Map.entry("header_auth.api_key", "\"header_auth\": {\"api_key\": \"%s\"}"),
      Map.entry("recaptcha.secret_key", "\"recaptcha\": {\"secret_key\": \"%s\"}"));

  @Test
  void aPlaceholderInAnyValidatorSecretIsRefusedWithoutPrintingIt() throws IOException {
    for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
      ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", "
          + String.format(secret.getValue(), PLACEHOLDER) + "}}");
      assertEquals(List.of(error("x", secret.getKey(), "is a placeholder (REPLACE_ME…): set the real secret")),
          texts(result), secret.getKey());
      assertFalse(texts(result).toString().contains("with-the-real"));
    }
  }

  @Test
  void aPlaceholderChannelTokenIsRefused() throws IOException {
    ConfigLoader.Result result = load("""
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "payments", "channel_token": "changeme"},
                   "authorization": "Bearer t0k3n-8a9f"}}""");
    assertEquals(List.of(error("relay", "module-config.channel_token", "is a placeholder (changeme…): set the real "
        + "secret")), texts(result));
  }

  @Test
  void theProblemNamesTheVariableTheValueCameFrom() throws IOException {
    variables.put("STRIPE_WEBHOOK_SECRET", "whsec_REPLACE_ME");
    ConfigLoader.Result result = load("""
        {"stripe": {"module": "log", "hmac": {"secret": "{$STRIPE_WEBHOOK_SECRET}", "header": "Stripe-Signature"}}}""");
    assertEquals(List.of(error("stripe", "hmac.secret", "is a placeholder (REPLACE_ME…): set the real secret (set "
        + "through {$STRIPE_WEBHOOK_SECRET})")), texts(result));
  }

  @Test
  void aBlankRequiredSecretIsRefusedAndABlankOptionalOneIsNot() throws IOException {
    assertEquals(List.of(error("x", "hmac.secret", "is blank: set the real secret")),
        texts(load("{\"x\": {\"module\": \"log\", \"hmac\": {\"secret\": \"   \"}}}")));
    ConfigLoader.Result optional = load("""
        {"x": {"module": "log", "oauth1": {"consumer_key": "ck", "consumer_secret": "cs", "token_secret": ""}}}""");
    assertTrue(optional.ok(), () -> texts(optional).toString());
    assertEquals(List.of(), optional.problems());
  }

  @Test
  void aSecretTheValidatorAlreadyRefusesIsReportedOnce() throws IOException {
    assertEquals(List.of(error("x", "hmac.secret", "HMAC secret not configured")),
        texts(load("{\"x\": {\"module\": \"log\", \"hmac\": {\"secret\": \"\"}}}")));
  }

  @Test
  void realLookingSecretsPass() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module": "log", "authorization": "Bearer test_token_123", "hmac": {"secret": "s3cr3t-8d2f"}}}""");
    assertTrue(result.ok(), () -> texts(result).toString());
    assertEquals(List.of(), result.problems());
  }

  @Test
  void placeholderAdminAndStatsTokensInTheEnvironmentAreRefused() throws IOException {
    variables.put("WEBHOOK_CONNECT_ADMIN_TOKEN", "REPLACE_ME-admin-token");
    variables.put("STATS_AUTH_TOKEN", "change-me");
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\"}}");
    assertEquals(List.of(
        "error: environment: WEBHOOK_CONNECT_ADMIN_TOKEN: is a placeholder (REPLACE_ME…): set the real token, or "
            + "leave WEBHOOK_CONNECT_ADMIN_TOKEN unset",
        "error: environment: STATS_AUTH_TOKEN: is a placeholder (changeme…): set the real token, or leave "
            + "STATS_AUTH_TOKEN unset"), texts(result));
    assertFalse(texts(result).toString().contains("admin-token"));
  }

  @Test
  void aPlaceholderMetricsTokenIsRefused() throws IOException {
    variables.put("METRICS_TOKEN", "REPLACE_ME");
    assertEquals(List.of("error: environment: METRICS_TOKEN: is a placeholder (REPLACE_ME…): set the real token, "
        + "or leave METRICS_TOKEN unset"), texts(load("{\"x\": {\"module\": \"log\"}}")));
  }

  @Test
  void unsetBlankOrRealEnvironmentTokensPass() throws IOException {
    variables.put("STATS_AUTH_TOKEN", "");
    variables.put("WEBHOOK_CONNECT_ADMIN_TOKEN", "f3b1c0de-real");
    assertEquals(List.of(), load("{\"x\": {\"module\": \"log\"}}").problems());
  }

  @Test
  void demoValuesAreRefusedOffLoopbackAcceptedOnItAndWarnedAboutWhenTheAddressIsUnknown() throws IOException {
    String webhooks = "{\"demo\": {\"module\": \"log\", \"authorization\": \"Bearer {$DEMO_TOKEN:demo-token}\"}}";
    assertEquals(List.of(error("demo", "authorization", "is a demo value of the example config, accepted only while "
        + "the receiver listens on a loopback address, not on 0.0.0.0: start with --host 127.0.0.1, or set "
        + "{$DEMO_TOKEN} to a real secret")), texts(load(webhooks, "0.0.0.0")));
    assertEquals(List.of(), load(webhooks, "127.0.0.1").problems());
    assertEquals(List.of(), load(webhooks, "::1").problems());
    ConfigLoader.Result unknown = load(webhooks, null);
    assertTrue(unknown.ok());
    assertEquals(List.of("warning: " + dir.resolve("webhooks.json") + ": webhook 'demo': authorization: is a demo "
        + "value of the example config, accepted only while the receiver listens on a loopback address (--host "
        + "127.0.0.1)"), texts(unknown));
    variables.put("DEMO_TOKEN", "7c5e0a-real-token");
    assertEquals(List.of(), load(webhooks, "0.0.0.0").problems());
  }
}
