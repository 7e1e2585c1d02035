package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QueryAuthValidatorTest {
  private static final String INVALID = "Invalid API key in query parameter: api_key";

  private static Validator validator(String block) {
    return Requests.build("query_auth", "{\"query_auth\":" + block + "}", Requests.context());
  }

  private static WebhookRequest withKey(String value) {
    return Requests.post().query("api_key", value).build();
  }

  @Test
  void correctKeyPassesCaseInsensitivelyByDefault() {
    Validator auth = validator("{\"api_key\":\"Secret-Key-1\"}");
    assertPasses(auth.validate(withKey("Secret-Key-1")));
    assertPasses(auth.validate(withKey("SECRET-KEY-1")));
    assertPasses(auth.validate(withKey("secret-key-1")));
  }

  @Test
  void caseSensitiveFromSubstitutedString() {
    Validator auth = validator("{\"api_key\":\"Secret\",\"case_sensitive\":\"true\"}");
    assertPasses(auth.validate(withKey("Secret")));
    assertUnauthorized(INVALID, auth.validate(withKey("secret")));
  }

  @Test
  void customParameterNameAndLastValueWins() {
    Validator auth = validator("{\"api_key\":\"k\",\"parameter_name\":\"token.v-1_x\"}");
    assertPasses(auth.validate(Requests.post().query("token.v-1_x", "wrong").query("token.v-1_x", "k").build()));
    assertUnauthorized("Invalid API key in query parameter: token.v-1_x",
        auth.validate(Requests.post().query("token.v-1_x", "k").query("token.v-1_x", "wrong").build()));
    assertUnauthorized("Missing required query parameter: token.v-1_x",
        auth.validate(Requests.post().query("api_key", "k").build()));
  }

  @Test
  void missingBlankAndWrongKeysAreRefused() {
    Validator auth = validator("{\"api_key\":\"secret\"}");
    assertUnauthorized("Missing required query parameter: api_key", auth.validate(Requests.post().build()));
    assertUnauthorized(INVALID, auth.validate(withKey("")));
    assertUnauthorized(INVALID, auth.validate(withKey("   ")));
    assertUnauthorized(INVALID, auth.validate(withKey("\n\r")));
    assertUnauthorized(INVALID, auth.validate(withKey("secreT1")));
    assertUnauthorized(INVALID, auth.validate(withKey("secrex")));
    assertUnauthorized(INVALID, auth.validate(withKey("secre")));
    assertUnauthorized(INVALID, auth.validate(withKey("secret ")));
  }

  @Test
  void controlCharactersAreStrippedBeforeComparing() {
    // [compat] quirk of Python: ?api_key=sec%0Aret matches "secret"
    Validator auth = validator("{\"api_key\":\"secret\"}");
    assertPasses(auth.validate(withKey("sec\nret")));
    assertPasses(auth.validate(withKey("\u0000secret\u007f")));
    assertPasses(auth.validate(withKey("se\u0085cr\u009fet\t")));
  }

  @Test
  void valuesLongerThan1000CharactersAreRefused() {
    String key = "k".repeat(1000);
    Validator auth = validator("{\"api_key\":\"" + key + "\"}");
    assertPasses(auth.validate(withKey(key)));
    assertUnauthorized("Invalid query parameter value for: api_key (too long or contains invalid characters)",
        auth.validate(withKey(key + "k")));
  }

  @Test
  void nonAsciiKeysCompareCaseInsensitively() {
    Validator auth = validator("{\"api_key\":\"clé-ß\"}");
    assertPasses(auth.validate(withKey("CLÉ-ß")));
  }

  @Test
  void invalidConfigIsRefusedAtLoad() {
    assertEquals("query_auth.api_key: Query auth API key not configured",
        Requests.configProblem("{\"query_auth\":{}}"));
    assertEquals("query_auth.api_key: Query auth API key not configured",
        Requests.configProblem("{\"query_auth\":{\"api_key\":\"\"}}"));
    assertEquals("query_auth.api_key: Query auth API key not configured",
        Requests.configProblem("{\"query_auth\":{\"parameter_name\":\"key\"}}"));
    String characters = "query_auth.parameter_name: Invalid parameter name configuration: Parameter name "
        + "contains invalid characters. Only alphanumeric, underscore, hyphen, and dot are allowed";
    assertEquals(characters, Requests.configProblem("{\"query_auth\":{\"api_key\":\"k\",\"parameter_name\":\"api key\"}}"));
    assertEquals(characters, Requests.configProblem("{\"query_auth\":{\"api_key\":\"k\",\"parameter_name\":\"api;key\"}}"));
    assertEquals(characters, Requests.configProblem("{\"query_auth\":{\"api_key\":\"k\",\"parameter_name\":\"api\\nkey\"}}"));
    assertEquals("query_auth.parameter_name: Invalid parameter name configuration: Parameter name must be a non-empty string",
        Requests.configProblem("{\"query_auth\":{\"api_key\":\"k\",\"parameter_name\":\"\"}}"));
    assertEquals("query_auth.parameter_name: Invalid parameter name configuration: Parameter name too long: 101 characters (max: 100)",
        Requests.configProblem("{\"query_auth\":{\"api_key\":\"k\",\"parameter_name\":\"" + "p".repeat(101) + "\"}}"));
  }
}
