package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Body signature check (spec §5.9): HMAC over the raw body bytes with sha1, sha256 or sha512.
 *
 * <p>Signature formats ({@code format} key, default chosen from the header name):
 * <ul>
 *   <li>{@code hex} (Python's only format): plain hex or {@code <algorithm>=<hex>}, e.g. GitHub's
 *       {@code X-Hub-Signature-256: sha256=...};
 *   <li>{@code base64}: Shopify's {@code X-Shopify-Hmac-SHA256} (the default for that header);
 *   <li>{@code stripe}: {@code Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]}, signed payload
 *       {@code <t>.<body>}, timestamp within {@code tolerance_seconds} (default 300) of now (the
 *       default for {@code Stripe-Signature} and {@code X-Stripe-Signature}).
 * </ul>
 */
public final class HmacValidator implements Validator {
  enum Format { HEX, BASE64, STRIPE }

  private static final Map<String, String> ALGORITHMS =
      Map.of("sha1", "HmacSHA1", "sha256", "HmacSHA256", "sha512", "HmacSHA512");

  private final SecretKeySpec key;
  private final String algorithm;
  private final String header;
  private final String headerLower;
  private final Format format;
  private final long toleranceSeconds;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;

  private HmacValidator(String secret, String algorithm, String header, Format format,
      long toleranceSeconds, Clock clock) {
    String jcaName = ALGORITHMS.get(algorithm);
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), jcaName);
    this.algorithm = algorithm;
    this.header = header;
    this.headerLower = header.toLowerCase(Locale.ROOT);
    this.format = format;
    this.toleranceSeconds = toleranceSeconds;
    this.clock = clock;
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance(jcaName);
        mac.init(key);
        return mac;
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    String secret = Coerce.string(config, "secret", null);
    if (secret == null || secret.isEmpty()) {
      throw new ConfigException("secret", "HMAC secret not configured");
    }
    String algorithm = Coerce.string(config, "algorithm", "sha256").trim().toLowerCase(Locale.ROOT);
    if (!ALGORITHMS.containsKey(algorithm)) {
      throw new ConfigException("algorithm",
          "Unsupported HMAC algorithm: " + algorithm + " (use sha1, sha256 or sha512)");
    }
    String header = Coerce.string(config, "header", "X-HMAC-Signature").trim();
    if (header.isEmpty()) {
      throw new ConfigException("header", "must be a header name");
    }
    Format format = format(Coerce.string(config, "format", null), header);
    if (format == Format.STRIPE && !algorithm.equals("sha256")) {
      throw new ConfigException("algorithm", "the stripe format signs with sha256");
    }
    long tolerance = Coerce.integer(config, "tolerance_seconds", 300, 1, 86_400);
    return new HmacValidator(secret, algorithm, header, format, tolerance, context.clock());
  }

  private static Format format(String configured, String header) {
    if (configured == null || configured.isBlank() || configured.equalsIgnoreCase("auto")) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.equals("stripe-signature") || lower.equals("x-stripe-signature")) {
        return Format.STRIPE;
      }
      if (lower.equals("x-shopify-hmac-sha256")) {
        return Format.BASE64;
      }
      return Format.HEX;
    }
    try {
      return Format.valueOf(configured.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("format", "must be one of hex, base64, stripe or auto");
    }
  }

  @Override
  public String key() {
    return "hmac";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String received = request.header(headerLower);
    if (received == null) {
      return fail("Missing " + header + " header");
    }
    return switch (format) {
      case HEX -> checkHex(received, request);
      case BASE64 -> checkBase64(received, request);
      case STRIPE -> checkStripe(received, request);
    };
  }

  private Future<Void> checkHex(String received, WebhookRequest request) {
    String hex = received;
    int equals = received.indexOf('=');
    if (equals >= 0) {
      String prefix = received.substring(0, equals);
      if (!prefix.equalsIgnoreCase(algorithm)) {
        return fail("Invalid HMAC signature format (must be hexadecimal)");
      }
      hex = received.substring(equals + 1);
    }
    if (hex.isEmpty() || !isHex(hex)) {
      return fail("Invalid HMAC signature format (must be hexadecimal)");
    }
    String expected = HexFormat.of().formatHex(mac(request.body().getBytes()));
    return matches(expected, hex.toLowerCase(Locale.ROOT));
  }

  private Future<Void> checkBase64(String received, WebhookRequest request) {
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(received.strip());
    } catch (IllegalArgumentException e) {
      return fail("Invalid HMAC signature format (must be base64)");
    }
    return MessageDigest.isEqual(mac(request.body().getBytes()), signature)
        ? Future.succeededFuture()
        : fail("Invalid HMAC signature");
  }

  private Future<Void> checkStripe(String received, WebhookRequest request) {
    String timestamp = null;
    java.util.List<String> candidates = new java.util.ArrayList<>();
    for (String part : received.split(",")) {
      int equals = part.indexOf('=');
      if (equals <= 0) {
        continue;
      }
      String name = part.substring(0, equals).trim();
      String value = part.substring(equals + 1).trim();
      if (name.equals("t")) {
        timestamp = value;
      } else if (name.equals("v1")) {
        candidates.add(value);
      }
    }
    long signedAt;
    try {
      signedAt = timestamp == null ? -1 : Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      signedAt = -1;
    }
    if (signedAt < 0 || candidates.isEmpty()) {
      return fail("Invalid HMAC signature format (expected t=<timestamp>,v1=<signature>)");
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - signedAt) > toleranceSeconds) {
      return fail("HMAC signature timestamp outside the tolerance window");
    }
    Mac mac = macs.get();
    mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
    String expected = HexFormat.of().formatHex(mac.doFinal(request.body().getBytes()));
    boolean any = false;
    for (String candidate : candidates) {
      // compare every candidate so the time does not depend on which one matched
      any |= isHex(candidate) && ConstantTime.equals(expected, candidate.toLowerCase(Locale.ROOT));
    }
    return any ? Future.succeededFuture() : fail("Invalid HMAC signature");
  }

  private byte[] mac(byte[] body) {
    return macs.get().doFinal(body);
  }

  private static Future<Void> matches(String expected, String received) {
    return ConstantTime.equals(expected, received)
        ? Future.succeededFuture()
        : fail("Invalid HMAC signature");
  }

  private static boolean isHex(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return false;
      }
    }
    return true;
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
