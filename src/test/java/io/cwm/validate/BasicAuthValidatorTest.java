package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class BasicAuthValidatorTest {
  private static final Validator BASIC = validator("{\"username\":\"admin\",\"password\":\"s3cret\"}");

  private static Validator validator(String block) {
    return Requests.build("basic_auth", "{\"basic_auth\":" + block + "}", Requests.context());
  }

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private static io.vertx.core.Future<Void> send(Validator validator, String authorization) {
    Requests request = Requests.post();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return validator.validate(request.build());
  }

  @Test
  void correctCredentialsPass() {
    assertPasses(send(BASIC, basic("admin:s3cret")));
  }

  @Test
  void passwordMayContainColons() {
    Validator validator = validator("{\"username\":\"user\",\"password\":\"pa:ss\"}");
    assertPasses(send(validator, basic("user:pa:ss")));
    assertUnauthorized("Invalid credentials", send(validator, basic("user:pa")));
  }

  @Test
  void unicodeCredentialsInUtf8Pass() {
    Validator validator = validator("{\"username\":\"jürgen\",\"password\":\"пароль\"}");
    assertPasses(send(validator, basic("jürgen:пароль")));
  }

  @Test
  void latin1CredentialsAreAcceptedWhenNotUtf8() {
    Validator validator = validator("{\"username\":\"jürgen\",\"password\":\"pw\"}");
    String latin1 = Base64.getEncoder().encodeToString("jürgen:pw".getBytes(StandardCharsets.ISO_8859_1));
    assertPasses(send(validator, "Basic " + latin1));
  }

  @Test
  void wrongUsernameOrPasswordIsRefusedWithTheSameMessage() {
    assertUnauthorized("Invalid credentials", send(BASIC, basic("admin:wrong")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic("root:s3cret")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic("admin:s3cre")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic("admin:s3cretX")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic("admin:S3CRET")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic("ADMIN:s3cret")));
    assertUnauthorized("Invalid credentials", send(BASIC, basic(":")));
  }

  @Test
  void missingHeaderAndOtherSchemes() {
    assertUnauthorized("Missing Authorization header", send(BASIC, null));
    assertUnauthorized("Missing Authorization header", send(BASIC, ""));
    assertUnauthorized("Basic authentication required", send(BASIC, "Bearer abc"));
    assertUnauthorized("Basic authentication required", send(BASIC, "basic YWRtaW46czNjcmV0"));
    assertUnauthorized("Basic authentication required", send(BASIC, "BASIC YWRtaW46czNjcmV0"));
    assertUnauthorized("Basic authentication required", send(BASIC, "Basic"));
    assertUnauthorized("Basic authentication required", send(BASIC, "Basic\tYWRtaW46czNjcmV0"));
  }

  @Test
  void malformedPrefixIsRefused() {
    String good = basic("admin:s3cret").substring("Basic ".length());
    assertUnauthorized("Invalid Basic authentication format: missing credentials", send(BASIC, "Basic "));
    assertUnauthorized("Invalid Basic authentication format", send(BASIC, "Basic  " + good));
    assertUnauthorized("Invalid Basic authentication format", send(BASIC, "Basic \t" + good));
    assertUnauthorized("Invalid Basic authentication format", send(BASIC, "Basic \r\n" + good));
    assertUnauthorized("Invalid base64 encoding format", send(BASIC, "Basic Basic " + good));
  }

  @Test
  void malformedBase64IsRefused() {
    String good = basic("admin:s3cret").substring("Basic ".length());
    assertUnauthorized("Invalid base64 encoding: whitespace not allowed", send(BASIC, "Basic " + good + " "));
    assertUnauthorized("Invalid base64 encoding format", send(BASIC, "Basic !!!"));
    assertUnauthorized("Invalid base64 encoding format",
        send(BASIC, "Basic " + good.substring(0, 4) + " " + good.substring(4)));
    // base64url alphabet: "admin:?>?" encodes to "YWRtaW46Pz4/" in standard base64
    assertEquals("Basic YWRtaW46Pz4/", basic("admin:?>?"));
    assertUnauthorized("Invalid base64 encoding format", send(BASIC, "Basic YWRtaW46Pz4_"));
    assertUnauthorized("Invalid base64 encoding format", send(BASIC, "Basic YWRtaW46-z4/"));
    assertUnauthorized("Invalid base64 encoding format", send(BASIC, "Basic YWRt===="));
    assertUnauthorized("Invalid base64 encoding in Authorization header", send(BASIC, "Basic YWRtaW4"));
    assertUnauthorized("Invalid base64 encoding in Authorization header", send(BASIC, "Basic YQ="));
  }

  @Test
  void credentialsWithoutColonAreRefused() {
    assertUnauthorized("Invalid basic auth format", send(BASIC, basic("admins3cret")));
  }

  @Test
  void emptyBlockMeansNoCheck() {
    assertEquals(List.of("basic_auth"), Requests.emptyBlocks("{\"basic_auth\":{}}"));
  }

  @Test
  void missingOrInvalidCredentialsAreRefusedAtLoad() {
    assertEquals("basic_auth.username: Basic auth credentials not configured",
        Requests.configProblem("{\"basic_auth\":{\"password\":\"p\"}}"));
    assertEquals("basic_auth.password: Basic auth credentials not configured",
        Requests.configProblem("{\"basic_auth\":{\"username\":\"u\",\"password\":\"\"}}"));
    assertEquals("basic_auth.username: Basic auth credentials not configured",
        Requests.configProblem("{\"basic_auth\":{\"username\":42,\"password\":\"p\"}}"));
    assertEquals("basic_auth.password: Basic auth credentials not configured",
        Requests.configProblem("{\"basic_auth\":{\"username\":\"u\",\"password\":[\"p\"]}}"));
    assertEquals("basic_auth: must be an object",
        Requests.configProblem("{\"basic_auth\":\"admin:s3cret\"}"));
  }
}
