package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubstitutionTest {
  private final List<Substitution.Problem> problems = new ArrayList<>();

  private JsonObject apply(String json, Map<String, String> env) {
    return Substitution.apply(new JsonObject(json), Env.of(env), problems);
  }

  private String value(String template, Map<String, String> env) {
    JsonObject object = new JsonObject().put("value", template);
    return Substitution.apply(object, Env.of(env), problems).getString("value");
  }

  @Test
  void wholeValueIsReplacedByTheVariable() {
    assertEquals("ghp_abc123", value("{$GITHUB_TOKEN}", Map.of("GITHUB_TOKEN", "ghp_abc123")));
    assertTrue(problems.isEmpty());
  }

  @Test
  void defaultIsUsedWhenTheVariableIsUnset() {
    assertEquals("6379", value("{$REDIS_PORT:6379}", Map.of()));
    assertTrue(problems.isEmpty());
  }

  @Test
  void setVariableWinsOverItsDefault() {
    assertEquals("6380", value("{$REDIS_PORT:6379}", Map.of("REDIS_PORT", "6380")));
  }

  @Test
  void emptyVariableCountsAsSet() {
    assertEquals("", value("{$REDIS_PORT:6379}", Map.of("REDIS_PORT", "")));
    assertTrue(problems.isEmpty());
  }

  @Test
  void emptyDefaultGivesAnEmptyString() {
    assertEquals("", value("{$X:}", Map.of()));
    assertTrue(problems.isEmpty());
  }

  @Test
  void wholeValueDefaultMayContainColons() {
    assertEquals("https://hooks.example.com:8443/in?a=b",
        value("{$TARGET_URL:https://hooks.example.com:8443/in?a=b}", Map.of()));
    assertTrue(problems.isEmpty());
  }

  @Test
  void embeddedPlaceholdersAreReplacedIndependently() {
    assertEquals("http://api.example.com:8080/api/v2",
        value("http://{$HOST}:{$PORT:8080}/api/{$VERSION:v1}",
            Map.of("HOST", "api.example.com", "VERSION", "v2")));
    assertTrue(problems.isEmpty());
  }

  @Test
  void twoAdjacentPlaceholdersWithDefaultsAreReadAsTwo() {
    assertEquals("x-y", value("{$A:x}-{$B:y}", Map.of()));
    assertEquals("1-y", value("{$A:x}-{$B:y}", Map.of("A", "1")));
    assertTrue(problems.isEmpty());
  }

  @Test
  void unsetVariableWithoutDefaultIsAProblemWithItsJsonPath() {
    JsonObject result = apply("{\"github\":{\"hmac\":{\"secret\":\"{$GITHUB_SECRET}\"}}}", Map.of());

    assertEquals(List.of(new Substitution.Problem(List.of("github", "hmac", "secret"),
        "environment variable GITHUB_SECRET is not set and has no default")), problems);
    assertEquals("{$GITHUB_SECRET}", result.getJsonObject("github").getJsonObject("hmac").getString("secret"));
  }

  @Test
  void unsetEmbeddedVariableIsAProblemAndStaysVerbatim() {
    assertEquals("http://{$HOST}/api", value("http://{$HOST}/api", Map.of()));
    assertEquals(1, problems.size());
    assertEquals("environment variable HOST is not set and has no default", problems.get(0).message());
    assertEquals(List.of("value"), problems.get(0).path());
  }

  @Test
  void valuesWithShellAndPathCharactersArriveIntact() {
    String secret = "p$a&s;s(w)o{r}d|`x`/../id uname rm -rf";
    assertEquals(secret, value("{$SECRET}", Map.of("SECRET", secret)));
    assertEquals("Bearer " + secret, value("Bearer {$SECRET}", Map.of("SECRET", secret)));
    assertTrue(problems.isEmpty());
  }

  @Test
  void defaultsWithShellCharactersArriveIntact() {
    assertEquals("a&b;c..d", value("{$MISSING:a&b;c..d}", Map.of()));
  }

  @Test
  void valueHoldingPlaceholderSyntaxIsNotSubstitutedAgain() {
    assertEquals("{$OTHER}", value("{$OUTER}", Map.of("OUTER", "{$OTHER}", "OTHER", "leak")));
  }

  @Test
  void nulCharactersAreRemoved() {
    assertEquals("abc", value("{$V}", Map.of("V", "a\0b\0c")));
    assertEquals("xy", value("{$MISSING:x\0y}", Map.of()));
  }

  @Test
  void valuesLongerThan4096CharactersAreTruncated() {
    String longValue = "k".repeat(5000);
    assertEquals("k".repeat(4096), value("{$V}", Map.of("V", longValue)));
  }

  @Test
  void valueOfExactly4096CharactersIsKept() {
    String exact = "k".repeat(4096);
    assertEquals(exact, value("{$V}", Map.of("V", exact)));
  }

  @Test
  void objectKeysAreNeverSubstituted() {
    JsonObject result = apply("{\"{$KEY}\":{\"{$INNER}\":\"v\"}}", Map.of("KEY", "k", "INNER", "i"));

    assertEquals(new JsonObject("{\"{$KEY}\":{\"{$INNER}\":\"v\"}}"), result);
    assertTrue(problems.isEmpty());
  }

  @Test
  void arrayElementsAreSubstitutedAndProblemsNameTheIndex() {
    JsonObject result = apply("{\"hook\":{\"list\":[\"{$A}\",7,\"{$B}\",true,null]}}", Map.of("A", "a"));

    assertEquals(new JsonArray().add("a").add(7).add("{$B}").add(true).addNull(),
        result.getJsonObject("hook").getJsonArray("list"));
    assertEquals(List.of("hook", "list", "[2]"), problems.get(0).path());
  }

  @Test
  void numbersBooleansAndNullAreUntouched() {
    JsonObject result = apply("{\"port\":5432,\"ssl\":false,\"none\":null}", Map.of());
    assertEquals(new JsonObject("{\"port\":5432,\"ssl\":false,\"none\":null}"), result);
  }

  @Test
  void theInputObjectIsNotModified() {
    JsonObject input = new JsonObject().put("token", "{$TOKEN}");
    Substitution.apply(input, Env.of(Map.of("TOKEN", "t")), problems);
    assertEquals("{$TOKEN}", input.getString("token"));
  }

  @Test
  void vaultReferenceWithDefaultResolvesToTheDefault() {
    assertEquals("fallback-token", value("{$vault:webhooks/github#token:fallback-token}", Map.of()));
    assertTrue(problems.isEmpty());
  }

  @Test
  void embeddedVaultReferenceWithDefaultResolvesToTheDefault() {
    assertEquals("Bearer abc", value("Bearer {$vault:auth/api#token:abc}", Map.of()));
    assertTrue(problems.isEmpty());
  }

  @Test
  void vaultReferenceWithoutDefaultIsAProblem() {
    JsonObject result = apply("{\"github\":{\"authorization\":\"{$vault:webhooks/github#token}\"}}", Map.of());

    assertEquals(List.of(new Substitution.Problem(List.of("github", "authorization"),
        "Vault reference {$vault:webhooks/github#token} has no default and no secrets backend is configured "
            + "(SECRETS_BACKEND=vault or VAULT_ENABLED=true)")),
        problems);
    assertEquals("{$vault:webhooks/github#token}", result.getJsonObject("github").getString("authorization"),
        "left as written, so no second error follows from an empty value");
  }

  @Test
  void applyToStringSubstitutesOneValue() {
    assertEquals("amqp://mq:5672", Substitution.applyToString("amqp://{$MQ_HOST:mq}:5672", Env.of(Map.of()), problems));
    assertTrue(problems.isEmpty());
  }

  @Test
  void vaultPathsListsEveryReferencedPathOnceFromStringValuesOnly() {
    JsonObject root = new JsonObject("""
        {"a": {"authorization": "Bearer {$vault:hooks/a#token}", "{$vault:key/ignored#x}": 1,
               "list": ["{$vault:db/main#user}:{$vault:db/main#password:pw}", 5, {"deep": "{$vault:hooks/a#other}"}]},
         "env": "{$HOME}", "broken": "{$vault:no-field}"}""");
    assertEquals(List.of("hooks/a", "db/main"), List.copyOf(Substitution.vaultPaths(root)));
  }
}
