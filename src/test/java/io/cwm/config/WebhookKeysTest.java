package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.validate.ValidatorContext;
import io.cwm.validate.ValidatorFactory;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cwm.app.ConfigLoader;

/** Unknown keys of a webhooks.json entry: warnings, typo errors, the strict mode. */
class WebhookKeysTest {
  @TempDir
  Path dir;

  private ConfigLoader.Result load(String webhooks, Map<String, String> variables, boolean strictFlag)
      throws IOException {
    Path file = Files.writeString(dir.resolve("webhooks.json"), webhooks);
    Env env = Env.of(variables);
    return ConfigLoader.load(file, dir.resolve("connections.json"), env,
        new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP in config tests");
        }), new ConfigLoader.Rules(true, false, strictFlag || ConfigLoader.strictFromEnv(env), null));
  }

  private ConfigLoader.Result load(String webhooks) throws IOException {
    return load(webhooks, Map.of(), false);
  }

  private String prefix(String id) {
    return dir.resolve("webhooks.json") + ": webhook '" + id + "': ";
  }

  private static List<String> texts(ConfigLoader.Result result) {
    return result.problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void aMisspeltValidatorIsAnErrorSuggestingTheValidator() throws IOException {
    ConfigLoader.Result result = load("{\"github\": {\"module\": \"log\", \"hmca\": {\"secret\": \"s\"}}}");
    assertFalse(result.ok());
    assertEquals(List.of("error: " + prefix("github") + "unknown key 'hmca' (did you mean 'hmac'?): the webhook would "
        + "run without this check"), texts(result));
  }

  @Test
  void everyValidatorModuleConfigAndConnectionAreGuardedAgainstTypos() throws IOException {
    for (String[] typo : new String[][] {{"basic-auth", "basic_auth"}, {"ip_whitelst", "ip_whitelist"},
        {"HMAC", "hmac"}, {"jtw", "jwt"}, {"oauth", "oauth1"}, {"header_auht", "header_auth"},
        {"Authorisation", "authorization"}, {"ratelimit", "rate_limit"}, {"module_config", "module-config"},
        {"connections", "connection"}}) {
      ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"" + typo[0] + "\": {}}}");
      assertEquals(1, result.errors().size(), () -> typo[0] + ": " + texts(result));
      assertTrue(result.errors().get(0).message().startsWith("unknown key '" + typo[0] + "' (did you mean '"
          + typo[1] + "'?): "), () -> texts(result).toString());
    }
  }

  @Test
  void anUnknownKeyNearAnotherKnownKeyIsAWarningWithTheSuggestion() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"data-type\": \"blob\"}}");
    assertTrue(result.ok(), () -> texts(result).toString());
    assertEquals(List.of("warning: " + prefix("x") + "unknown key 'data-type' (did you mean 'data_type'?), ignored"),
        texts(result));
  }

  @Test
  void anUnknownKeyFarFromEveryKnownKeyIsAWarningWithoutSuggestion() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"description\": \"orders from the shop\"}}");
    assertTrue(result.ok());
    assertEquals(List.of("warning: " + prefix("x") + "unknown key 'description', ignored"), texts(result));
  }

  @Test
  void commentsAreNotUnknownKeysButABlockPutAsideIsOnlyAWarning() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module": "log", "_comment": "signed by the shop", "_hmac": {"secret": "old"}}}""");
    assertTrue(result.ok(), () -> texts(result).toString());
    assertEquals(List.of("warning: " + prefix("x") + "unknown key '_hmac' (did you mean 'hmac'?), ignored"),
        texts(result));
  }

  @Test
  void strictModeByFlagMakesEveryUnknownKeyAnError() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"description\": \"d\"}}", Map.of(), true);
    assertFalse(result.ok());
    assertEquals(List.of("error: " + prefix("x") + "unknown key 'description': refused in strict mode (--strict, "
        + "CWM_STRICT_CONFIG=true)"), texts(result));
  }

  @Test
  void strictModeByEnvironmentMakesEveryUnknownKeyAnError() throws IOException {
    ConfigLoader.Result result = load("{\"x\": {\"module\": \"log\", \"data-type\": \"json\"}}",
        Map.of("CWM_STRICT_CONFIG", "true"), false);
    assertFalse(result.ok());
    assertEquals("unknown key 'data-type' (did you mean 'data_type'?): refused in strict mode (--strict, "
        + "CWM_STRICT_CONFIG=true)", result.errors().get(0).message());
    assertTrue(load("{\"x\": {\"module\": \"log\", \"data-type\": \"json\"}}",
        Map.of("CWM_STRICT_CONFIG", "false"), false).ok());
  }

  @Test
  void everyKeyPythonReadsIsKnownEvenInStrictMode() throws IOException {
    ConfigLoader.Result result = load("""
        {"x": {"module": "log", "module-config": {}, "data_type": "json", "retry": {"enabled": false},
               "credential_cleanup": {"enabled": true}, "rate_limit": {}, "recaptcha": {}, "basic_auth": {},
               "jwt": {}, "oauth2": {}, "authorization": "", "hmac": {}, "ip_whitelist": [], "json_schema": {},
               "trusted_proxies": [], "redis": {}, "queue_name": "q", "topic": "t", "destination": "d"},
         "c": {"chain": ["log"], "chain-config": {"execution": "sequential"}}}""", Map.of(), true);
    assertTrue(result.ok(), () -> texts(result).toString());
    assertTrue(texts(result).stream().noneMatch(text -> text.contains("unknown key")), () -> texts(result).toString());
  }

  @Test
  void everyValidatorKeyIsOneTheValidatorFactoryBuilds() {
    Env env = Env.of(Map.of());
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> null);
    for (String key : WebhookKeys.VALIDATORS) {
      List<ConfigException> problems = new ArrayList<>();
      List<String> empty = new ArrayList<>();
      int built = ValidatorFactory.build(new JsonObject().put(key, new JsonObject()), context, problems, empty).size();
      boolean seen = built == 1 || empty.contains(key) || problems.stream().anyMatch(p -> p.key().startsWith(key));
      assertTrue(seen, key + " is not a key the ValidatorFactory reads");
    }
    List<String> empty = new ArrayList<>();
    assertEquals(0, ValidatorFactory.build(new JsonObject().put("hmca", new JsonObject()), context,
        new ArrayList<>(), empty).size());
    assertTrue(empty.isEmpty(), "a misspelt key builds nothing: the check would silently not run");
  }

  @Test
  void theConnectorsModuleFileFollowsTheSameRules() throws IOException {
    Path file = Files.writeString(dir.resolve("module-webhooks.json"),
        "{\"x\": {\"module\": \"log\", \"module_config\": {\"pretty_print\": true}}}");
    ConfigLoader.Result result = ConfigLoader.loadForConnector(file, null, Env.of(Map.of()), Clock.systemUTC());
    assertFalse(result.ok());
    assertEquals("unknown key 'module_config' (did you mean 'module-config'?): the module would run without its "
        + "settings", result.errors().get(0).message());
  }

  @Test
  void distanceCountsATranspositionAsOneEdit() {
    assertEquals(1, WebhookKeys.distance("hmca", "hmac"));
    assertEquals(1, WebhookKeys.distance("hamc", "hmac"));
    assertEquals(2, WebhookKeys.distance("hmacc_", "hmac"));
    assertEquals(1, WebhookKeys.distance("jw", "jwt"));
    assertEquals(3, WebhookKeys.distance("id", "jwt"));
    assertNull(WebhookKeys.nearest("description", WebhookKeys.GUARDED, 2));
    assertNull(WebhookKeys.judge("_comment", "text", true));
  }
}
