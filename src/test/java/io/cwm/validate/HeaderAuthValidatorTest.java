package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeaderAuthValidatorTest {
  private static Validator validator(String block) {
    return Requests.build("header_auth", "{\"header_auth\":" + block + "}", Requests.context());
  }

  @Test
  void defaultHeaderMatchesCaseInsensitively() {
    Validator auth = validator("{\"api_key\":\"Key-123\"}");
    assertPasses(auth.validate(Requests.post().header("X-API-Key", "Key-123").build()));
    assertPasses(auth.validate(Requests.post().header("x-api-key", "KEY-123").build()));
    assertPasses(auth.validate(Requests.post().header("X-API-KEY", "key-123").build()));
  }

  @Test
  void customHeaderName() {
    Validator auth = validator("{\"api_key\":\"t\",\"header_name\":\"X-Custom-Token\"}");
    assertPasses(auth.validate(Requests.post().header("x-custom-TOKEN", "t").build()));
    assertUnauthorized("Missing required header: X-Custom-Token",
        auth.validate(Requests.post().header("X-API-Key", "t").build()));
  }

  @Test
  void caseSensitiveRefusesWrongCase() {
    Validator auth = validator("{\"api_key\":\"Key\",\"case_sensitive\":true}");
    assertPasses(auth.validate(Requests.post().header("X-API-Key", "Key").build()));
    assertUnauthorized("Invalid API key in header: X-API-Key",
        auth.validate(Requests.post().header("X-API-Key", "KEY").build()));
  }

  @Test
  void missingBlankAndWrongValuesAreRefused() {
    Validator auth = validator("{\"api_key\":\"secret\"}");
    String invalid = "Invalid API key in header: X-API-Key";
    assertUnauthorized("Missing required header: X-API-Key", auth.validate(Requests.post().build()));
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-KEY", "").build()));
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-KEY", "   ").build()));
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-Key", "secrex").build()));
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-Key", "secre").build()));
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-Key", "secret00").build()));
    // header auth does not strip control characters (only query auth does)
    assertUnauthorized(invalid, auth.validate(Requests.post().header("X-API-Key", "sec\u0000ret").build()));
  }

  @Test
  void invalidConfigIsRefusedAtLoad() {
    assertEquals("header_auth.api_key: Header auth API key not configured",
        Requests.configProblem("{\"header_auth\":{}}"));
    assertEquals("header_auth.api_key: Header auth API key not configured",
        Requests.configProblem("{\"header_auth\":{\"api_key\":\"  \"}}"));
    assertEquals("header_auth.header_name: must be a header name",
        Requests.configProblem("{\"header_auth\":{\"api_key\":\"k\",\"header_name\":\"X API\"}}"));
    assertEquals("header_auth.header_name: must be a header name",
        Requests.configProblem("{\"header_auth\":{\"api_key\":\"k\",\"header_name\":\"X-A:\"}}"));
    assertEquals("header_auth.case_sensitive: must be a boolean (true/false), got a string",
        Requests.configProblem("{\"header_auth\":{\"api_key\":\"k\",\"case_sensitive\":\"yes\"}}"));
  }
}
