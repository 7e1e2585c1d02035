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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Body signature check (spec §5.9): HMAC over the raw body bytes with sha1, sha256 or sha512.
 *
 * <p>Signature formats ({@code format} key, default chosen from the header name):
 * <ul>
 *   <li>{@code hex}: plain hex or {@code <algorithm>=<hex>}, e.g. GitHub's
 *       {@code X-Hub-Signature-256: sha256=...};
 *   <li>{@code base64}: Shopify's {@code X-Shopify-Hmac-SHA256} (the default for that header);
 *   <li>{@code stripe}: {@code Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]}, signed payload
 *       {@code <t>.<body>}, timestamp within {@code tolerance_seconds} (default 300) of now (the
 *       default for {@code Stripe-Signature} and {@code X-Stripe-Signature}).
 * </ul>
 */
public final class HmacValidator implements BodySignature {
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

  /** The MAC covers the body; the signature header is checked before the body is read. */
  @Override
  public void checkHead(WebhookRequest head) {
    signature(head);
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    Signature signature;
    try {
      signature = signature(request);
    } catch (CwmException refused) {
      return Future.failedFuture(refused);
    }
    return matches(signature, request.body().getBytes()) ? Future.succeededFuture() : fail("Invalid HMAC signature");
  }

  /**
   * A signature header that passed every check but the MAC itself: the hex candidates (lower case)
   * or the decoded base64 bytes, and Stripe's timestamp.
   */
  private record Signature(List<String> hex, byte[] raw, String timestamp) {}

  /** Parses the signature header; throws the spec's 401 when it is missing, malformed or stale. */
  private Signature signature(WebhookRequest request) {
    String received = request.header(headerLower);
    if (received == null) {
      throw CwmException.unauthorized("Missing " + header + " header");
    }
    return switch (format) {
      case HEX -> hex(received);
      case BASE64 -> base64(received);
      case STRIPE -> stripe(received);
    };
  }

  private Signature hex(String received) {
    String hex = received;
    int equals = received.indexOf('=');
    if (equals >= 0) {
      String prefix = received.substring(0, equals);
      if (!prefix.equalsIgnoreCase(algorithm)) {
        throw CwmException.unauthorized("Invalid HMAC signature format (must be hexadecimal)");
      }
      hex = received.substring(equals + 1);
    }
    if (hex.isEmpty() || !isHex(hex)) {
      throw CwmException.unauthorized("Invalid HMAC signature format (must be hexadecimal)");
    }
    return new Signature(List.of(hex.toLowerCase(Locale.ROOT)), null, null);
  }

  private static Signature base64(String received) {
    try {
      return new Signature(List.of(), Base64.getDecoder().decode(received.strip()), null);
    } catch (IllegalArgumentException e) {
      throw CwmException.unauthorized("Invalid HMAC signature format (must be base64)");
    }
  }

  private Signature stripe(String received) {
    String timestamp = null;
    List<String> candidates = new ArrayList<>();
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
        candidates.add(value.toLowerCase(Locale.ROOT));
      }
    }
    long signedAt;
    try {
      signedAt = timestamp == null ? -1 : Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      signedAt = -1;
    }
    if (signedAt < 0 || candidates.isEmpty()) {
      throw CwmException.unauthorized("Invalid HMAC signature format (expected t=<timestamp>,v1=<signature>)");
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - signedAt) > toleranceSeconds) {
      throw CwmException.unauthorized("HMAC signature timestamp outside the tolerance window");
    }
    return new Signature(candidates, null, timestamp);
  }

  private boolean matches(Signature signature, byte[] body) {
    if (signature.raw() != null) {
      return MessageDigest.isEqual(mac(body), signature.raw());
    }
    Mac mac = macs.get();
    if (signature.timestamp() != null) {
      mac.update((signature.timestamp() + ".").getBytes(StandardCharsets.UTF_8));
    }
    String expected = HexFormat.of().formatHex(mac.doFinal(body));
    boolean any = false;
    for (String candidate : signature.hex()) {
      // compare every candidate so the time does not depend on which one matched
      any |= isHex(candidate) && ConstantTime.equals(expected, candidate);
    }
    return any;
  }

  private byte[] mac(byte[] body) {
    return macs.get().doFinal(body);
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
