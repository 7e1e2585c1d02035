package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google reCAPTCHA v2/v3 (spec §5.2): the token (from a header, or from the JSON body fields
 * {@code recaptcha_token}, {@code recaptcha}, {@code g-recaptcha-response}) is verified by a POST
 * to the siteverify endpoint; v3 also needs {@code score >= min_score}.
 *
 * <p>Divergences: {@code remoteip} is the TCP peer, not the spoofable {@code X-Forwarded-For};
 * {@code verify_url} may point elsewhere (tests, enterprise proxies); network errors never reach
 * the client verbatim.
 */
public final class RecaptchaValidator implements Validator {
  private static final Logger LOG = LoggerFactory.getLogger(RecaptchaValidator.class);
  static final String DEFAULT_VERIFY_URL = "https://www.google.com/recaptcha/api/siteverify";
  static final long TIMEOUT_MILLIS = 5_000;
  private static final List<String> BODY_FIELDS =
      List.of("recaptcha_token", "recaptcha", "g-recaptcha-response");
  private static final String PROCESSING_ERROR =
      "Processing error occurred in reCAPTCHA verification";
  private static final String INVALID_RESPONSE = "Invalid response from reCAPTCHA service";

  private final String secretKey;
  private final boolean v3;
  private final String tokenSource;
  private final String tokenField;
  private final double minScore;
  private final String minScoreText;
  private final String verifyUrl;
  private final ValidatorContext context;

  private RecaptchaValidator(String secretKey, boolean v3, String tokenSource, String tokenField,
      double minScore, String minScoreText, String verifyUrl, ValidatorContext context) {
    this.secretKey = secretKey;
    this.v3 = v3;
    this.tokenSource = tokenSource;
    this.tokenField = tokenField;
    this.minScore = minScore;
    this.minScoreText = minScoreText;
    this.verifyUrl = verifyUrl;
    this.context = context;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    String secretKey = Coerce.string(config, "secret_key", null);
    if (secretKey == null || secretKey.isBlank()) {
      throw new ConfigException("secret_key", "reCAPTCHA secret key not configured");
    }
    // anything but v2 or v3 is refused, so a typo cannot silently drop the score check
    String version = Coerce.string(config, "version", "v3").trim().toLowerCase(Locale.ROOT);
    if (!version.equals("v2") && !version.equals("v3")) {
      throw new ConfigException("version", "must be \"v2\" or \"v3\"");
    }
    // any source other than "header" means the JSON body
    String tokenSource = Coerce.string(config, "token_source", "header");
    String tokenField = Coerce.string(config, "token_field", "X-Recaptcha-Token");
    if (tokenSource.equals("header") && tokenField.isBlank()) {
      throw new ConfigException("token_field", "must be a header name");
    }
    double minScore = Coerce.number(config, "min_score", 0.5, 0, 1);
    String verifyUrl = verifyUrl(Coerce.string(config, "verify_url", DEFAULT_VERIFY_URL).trim());
    return new RecaptchaValidator(secretKey, version.equals("v3"), tokenSource, tokenField,
        minScore, pythonText(config.getValue("min_score"), minScore), verifyUrl, context);
  }

  private static String verifyUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return url;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException("verify_url", "must be an absolute http(s) URL");
  }

  /** The threshold as the failure message prints it: as configured ({@code 0.5}, {@code 1}). */
  private static String pythonText(Object configured, double value) {
    if (configured instanceof Number number) {
      return number.toString();
    }
    return Double.toString(value);
  }

  @Override
  public String key() {
    return "recaptcha";
  }

  /** A token in the body needs the body; one in a header is checked before the body is read. */
  @Override
  public boolean needsBody(WebhookRequest head) {
    return !tokenSource.equals("header");
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String token = token(request);
    if (token == null || token.isEmpty()) {
      return fail("Missing reCAPTCHA token (expected in " + tokenSource + ": " + tokenField + ")");
    }
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("secret", secretKey)
        .add("response", token);
    if (v3 && request.peerIp() != null && !request.peerIp().isBlank()) {
      form.add("remoteip", request.peerIp());
    }
    return context.webClient().postAbs(verifyUrl)
        .timeout(TIMEOUT_MILLIS)
        .followRedirects(false)
        .sendForm(form)
        .transform(outcome -> {
          if (outcome.failed()) {
            LOG.warn("reCAPTCHA verification request failed: {}", outcome.cause().toString());
            return fail(PROCESSING_ERROR);
          }
          return judge(outcome.result());
        });
  }

  private String token(WebhookRequest request) {
    if (tokenSource.equals("header")) {
      return request.header(tokenField.toLowerCase(Locale.ROOT));
    }
    Object body;
    try {
      body = request.json();
    } catch (CwmException e) {
      return null;
    }
    if (body instanceof JsonObject object) {
      for (String field : BODY_FIELDS) {
        if (object.getValue(field) instanceof String value && !value.isEmpty()) {
          return value;
        }
      }
    }
    return null;
  }

  private Future<Void> judge(HttpResponse<Buffer> response) {
    if (response.statusCode() < 200 || response.statusCode() > 299) {
      LOG.warn("reCAPTCHA verification answered HTTP {}", response.statusCode());
      return fail(PROCESSING_ERROR);
    }
    JsonObject result;
    try {
      result = new JsonObject(response.body() == null ? Buffer.buffer() : response.body());
    } catch (RuntimeException e) {
      return fail(INVALID_RESPONSE);
    }
    if (!Boolean.TRUE.equals(result.getValue("success"))) {
      String codes = result.getValue("error-codes") instanceof JsonArray array && !array.isEmpty()
          ? array.stream().map(String::valueOf).collect(Collectors.joining(", "))
          : "Verification failed";
      return fail("reCAPTCHA verification failed: " + codes);
    }
    if (v3) {
      Object score = result.containsKey("score") ? result.getValue("score") : 0.0;
      if (!(score instanceof Number number)) {
        return fail(INVALID_RESPONSE);
      }
      if (number.doubleValue() < minScore) {
        return fail("reCAPTCHA score " + twoDecimals(number.doubleValue())
            + " below threshold " + minScoreText);
      }
    }
    return Future.succeededFuture();
  }

  /** The score in the failure message: two decimals, half-even on the exact binary value. */
  private static String twoDecimals(double value) {
    return new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
