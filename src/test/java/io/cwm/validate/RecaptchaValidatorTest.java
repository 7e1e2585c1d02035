package io.cwm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cwm.config.Env;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs the validator against a local siteverify stub whose answer depends on the token. */
@ExtendWith(VertxExtension.class)
class RecaptchaValidatorTest {
  private static final String SECRET = "6Lc-test-secret";

  private final AtomicReference<MultiMap> lastForm = new AtomicReference<>();
  private ValidatorContext context;
  private String verifyUrl;

  @BeforeEach
  void startStub(Vertx vertx, VertxTestContext test) {
    context = ValidatorContext.create(vertx, Requests.FIXED, Env.of(Map.of()));
    vertx.createHttpServer()
        .requestHandler(this::siteverify)
        .listen(0, "127.0.0.1")
        .onComplete(test.succeeding(server -> {
          verifyUrl = "http://127.0.0.1:" + server.actualPort() + "/recaptcha/api/siteverify";
          test.completeNow();
        }));
  }

  private void siteverify(HttpServerRequest request) {
    request.setExpectMultipart(true);
    request.endHandler(end -> {
      MultiMap form = MultiMap.caseInsensitiveMultiMap().addAll(request.formAttributes());
      lastForm.set(form);
      String answer = switch (String.valueOf(form.get("response"))) {
        case "human" -> "{\"success\":true,\"score\":0.9,\"action\":\"submit\"}";
        case "borderline" -> "{\"success\":true,\"score\":0.5}";
        case "bot" -> "{\"success\":true,\"score\":0.3}";
        case "half" -> "{\"success\":true,\"score\":0.125}";
        case "no-score" -> "{\"success\":true}";
        case "expired" -> "{\"success\":false,\"error-codes\":[\"timeout-or-duplicate\",\"invalid-input-response\"]}";
        case "no-codes" -> "{\"success\":false}";
        case "not-json" -> "<html>oops</html>";
        default -> null;
      };
      if (answer == null) {
        request.response().setStatusCode(500).end("internal error at /var/lib/secret-path");
      } else {
        request.response().putHeader("content-type", "application/json").end(answer);
      }
    });
  }

  private Validator validator(String extra) {
    String block = "{\"secret_key\":\"" + SECRET + "\",\"verify_url\":\"" + verifyUrl + "\"" + extra + "}";
    return Requests.build("recaptcha", "{\"recaptcha\":" + block + "}", context);
  }

  private static WebhookRequest withHeaderToken(String token) {
    return Requests.post().header("X-Recaptcha-Token", token).build();
  }

  /** Completes the test when the outcome succeeded. */
  private static void expectPass(VertxTestContext test, Future<Void> outcome) {
    outcome.onComplete(test.succeedingThenComplete());
  }

  /** Completes the test when the outcome failed with 401 and exactly {@code detail}. */
  private static void expectFailure(VertxTestContext test, String detail, Future<Void> outcome) {
    outcome.onComplete(test.failing(error -> test.verify(() -> {
      CwmException failure = assertInstanceOf(CwmException.class, error);
      assertEquals(FailureCode.UNAUTHORIZED, failure.code());
      assertEquals(detail, failure.detail());
      test.completeNow();
    })));
  }

  @Test
  void v3TokenWithHighScorePassesAndSendsPeerIpNotForwardedFor(VertxTestContext test) {
    WebhookRequest request = Requests.post().header("X-Recaptcha-Token", "human")
        .header("X-Forwarded-For", "198.51.100.66").peer("203.0.113.7").build();
    validator("").validate(request).onComplete(test.succeeding(ok -> test.verify(() -> {
      MultiMap form = lastForm.get();
      assertEquals(SECRET, form.get("secret"));
      assertEquals("human", form.get("response"));
      assertEquals("203.0.113.7", form.get("remoteip"));
      test.completeNow();
    })));
  }

  @Test
  void scoreEqualToTheThresholdPasses(VertxTestContext test) {
    expectPass(test, validator("").validate(withHeaderToken("borderline")));
  }

  @Test
  void v3ScoreBelowThresholdIsRefused(VertxTestContext test) {
    expectFailure(test, "reCAPTCHA score 0.30 below threshold 0.5",
        validator("").validate(withHeaderToken("bot")));
  }

  @Test
  void scoreIsPrintedLikePython(VertxTestContext test) {
    // Python's "{:.2f}" rounds 0.125 half-even to 0.12; the threshold prints as configured
    expectFailure(test, "reCAPTCHA score 0.12 below threshold 0.2",
        validator(",\"min_score\":0.2").validate(withHeaderToken("half")));
  }

  @Test
  void missingScoreCountsAsZero(VertxTestContext test) {
    expectFailure(test, "reCAPTCHA score 0.00 below threshold 1",
        validator(",\"min_score\":1").validate(withHeaderToken("no-score")));
  }

  @Test
  void substitutedMinScoreStringIsCoerced(VertxTestContext test) {
    expectFailure(test, "reCAPTCHA score 0.90 below threshold 0.95",
        validator(",\"min_score\":\"0.95\"").validate(withHeaderToken("human")));
  }

  @Test
  void v2IgnoresScoreAndSendsNoRemoteIp(VertxTestContext test) {
    validator(",\"version\":\"v2\"").validate(withHeaderToken("bot"))
        .onComplete(test.succeeding(ok -> test.verify(() -> {
          assertNull(lastForm.get().get("remoteip"));
          test.completeNow();
        })));
  }

  @Test
  void failedVerificationListsTheErrorCodes(VertxTestContext test) {
    expectFailure(test, "reCAPTCHA verification failed: timeout-or-duplicate, invalid-input-response",
        validator("").validate(withHeaderToken("expired")));
  }

  @Test
  void failedVerificationWithoutCodes(VertxTestContext test) {
    expectFailure(test, "reCAPTCHA verification failed: Verification failed",
        validator("").validate(withHeaderToken("no-codes")));
  }

  @Test
  void missingHeaderTokenIsRefusedWithoutCallingGoogle(VertxTestContext test) {
    validator("").validate(Requests.post().build()).onComplete(test.failing(error -> test.verify(() -> {
      assertEquals("Missing reCAPTCHA token (expected in header: X-Recaptcha-Token)", error.getMessage());
      assertNull(lastForm.get());
      test.completeNow();
    })));
  }

  @Test
  void customHeaderFieldIsReadCaseInsensitively(VertxTestContext test) {
    expectPass(test, validator(",\"token_field\":\"X-Captcha\"")
        .validate(Requests.post().header("x-captcha", "human").build()));
  }

  @Test
  void bodyTokenFieldsAreTriedInOrder(VertxTestContext test) {
    Validator fromBody = validator(",\"token_source\":\"body\"");
    String body = "{\"recaptcha_token\":\"\",\"recaptcha\":\"human\",\"g-recaptcha-response\":\"bot\"}";
    fromBody.validate(Requests.post().body(body).build()).onComplete(test.succeeding(ok -> test.verify(() -> {
      assertEquals("human", lastForm.get().get("response"));
      test.completeNow();
    })));
  }

  @Test
  void gRecaptchaResponseInBodyIsFound(VertxTestContext test) {
    expectPass(test, validator(",\"token_source\":\"body\"")
        .validate(Requests.post().body("{\"g-recaptcha-response\":\"human\",\"x\":1}").build()));
  }

  @Test
  void bodyWithoutTokenNamesTheConfiguredField(VertxTestContext test) {
    expectFailure(test, "Missing reCAPTCHA token (expected in body: X-Recaptcha-Token)",
        validator(",\"token_source\":\"body\"").validate(Requests.post().body("{\"token\":\"human\"}").build()));
  }

  @Test
  void invalidJsonBodyMeansNoToken(VertxTestContext test) {
    expectFailure(test, "Missing reCAPTCHA token (expected in body: X-Recaptcha-Token)",
        validator(",\"token_source\":\"body\"").validate(Requests.post().body("{not json").build()));
  }

  @Test
  void httpErrorIsReportedWithoutDetails(VertxTestContext test) {
    expectFailure(test, "Processing error occurred in reCAPTCHA verification",
        validator("").validate(withHeaderToken("server-error")));
  }

  @Test
  void nonJsonAnswerIsAnInvalidResponse(VertxTestContext test) {
    expectFailure(test, "Invalid response from reCAPTCHA service",
        validator("").validate(withHeaderToken("not-json")));
  }

  @Test
  void unreachableServiceIsReportedWithoutDetails(Vertx vertx, VertxTestContext test) {
    // a port that was just free: connection refused
    vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1")
        .compose(server -> {
          int port = server.actualPort();
          return server.close().map(port);
        })
        .onComplete(test.succeeding(port -> {
          String block = "{\"secret_key\":\"" + SECRET + "\",\"verify_url\":\"http://127.0.0.1:" + port + "/x\"}";
          Validator validator = Requests.build("recaptcha", "{\"recaptcha\":" + block + "}", context);
          expectFailure(test, "Processing error occurred in reCAPTCHA verification",
              validator.validate(withHeaderToken("human")));
        }));
  }

  @Test
  void emptyBlockMeansNoCheck() {
    assertEquals(List.of("recaptcha"), Requests.emptyBlocks("{\"recaptcha\":{}}"));
  }

  @Test
  void invalidConfigIsRefusedAtLoad() {
    assertEquals("recaptcha.secret_key: reCAPTCHA secret key not configured",
        Requests.configProblem("{\"recaptcha\":{\"version\":\"v3\"}}"));
    assertEquals("recaptcha.secret_key: reCAPTCHA secret key not configured",
        Requests.configProblem("{\"recaptcha\":{\"secret_key\":\" \"}}"));
    assertEquals("recaptcha.version: must be \"v2\" or \"v3\"",
        Requests.configProblem("{\"recaptcha\":{\"secret_key\":\"s\",\"version\":\"3\"}}"));
    assertEquals("recaptcha.min_score: must be between 0.0 and 1.0, got 1.5",
        Requests.configProblem("{\"recaptcha\":{\"secret_key\":\"s\",\"min_score\":1.5}}"));
    assertEquals("recaptcha.verify_url: must be an absolute http(s) URL",
        Requests.configProblem("{\"recaptcha\":{\"secret_key\":\"s\",\"verify_url\":\"file:///etc/passwd\"}}"));
    assertEquals("recaptcha: must be an object", Requests.configProblem("{\"recaptcha\":\"s\"}"));
    String problem = Requests.configProblem("{\"recaptcha\":{\"secret_key\":\"top-secret\",\"version\":\"v4\"}}");
    assertFalse(problem.contains("top-secret"));
  }
}
