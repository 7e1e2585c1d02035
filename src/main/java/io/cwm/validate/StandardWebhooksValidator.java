package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.SecretRules;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com/, the scheme of Svix):
 * headers {@code webhook-id}, {@code webhook-timestamp} (unix seconds) and {@code webhook-signature}
 * (space-separated {@code v1,<base64>} items; other versions are ignored), or Svix's
 * {@code svix-id}, {@code svix-timestamp}, {@code svix-signature} when the {@code webhook-*} ones are
 * absent. The MAC is HMAC-SHA256 over {@code <id>.<timestamp>.<body>}, keyed with the base64 decoding
 * of the secret after its {@code whsec_} prefix. Several secrets may be configured (rotation): any
 * one of them matching any signature passes. The timestamp must be within {@code tolerance_seconds}
 * (default 300) of now, in either direction.
 */
public final class StandardWebhooksValidator implements BodySignature {
  public static final long DEFAULT_TOLERANCE_SECONDS = 300;
  private static final String PREFIX = "whsec_";

  private final String key;
  private final List<byte[]> keys;
  private final long toleranceSeconds;
  private final Clock clock;

  private StandardWebhooksValidator(String key, List<byte[]> keys, long toleranceSeconds, Clock clock) {
    this.key = key;
    this.keys = keys;
    this.toleranceSeconds = toleranceSeconds;
    this.clock = clock;
  }

  /** {@code "standard_webhooks": {"secret": "whsec_..."}} or {@code {"secrets": [...]}}, optional tolerance_seconds. */
  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    for (String field : config.fieldNames()) {
      if (!List.of("secret", "secrets", "tolerance_seconds").contains(field)) {
        throw new ConfigException(field, "unknown key (known: secret, secrets, tolerance_seconds)");
      }
    }
    List<String> secrets = secrets(config);
    long tolerance = Coerce.integer(config, "tolerance_seconds", DEFAULT_TOLERANCE_SECONDS, 1, 86_400);
    return create("standard_webhooks", secrets, tolerance, context.clock());
  }

  /** Builds the check; throws {@link ConfigException} (key {@code secret} or {@code secrets[i]}) for a bad secret. */
  static StandardWebhooksValidator create(String key, List<String> secrets, long toleranceSeconds, Clock clock) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < secrets.size(); i++) {
      keys.add(decode(secrets.size() == 1 ? "secret" : "secrets[" + i + "]", secrets.get(i)));
    }
    return new StandardWebhooksValidator(key, List.copyOf(keys), toleranceSeconds, clock);
  }

  /**
   * The {@code secret} or {@code secrets} of a block (exactly one of them), each non-blank; the
   * ConfigException names the key and never the value.
   */
  static List<String> secrets(JsonObject config) {
    boolean one = config.containsKey("secret");
    boolean many = config.containsKey("secrets");
    if (one && many) {
      throw new ConfigException("secrets", "give either \"secret\" or \"secrets\", not both");
    }
    if (many) {
      if (!(config.getValue("secrets") instanceof JsonArray array) || array.isEmpty()) {
        throw new ConfigException("secrets", "must be a non-empty list of secrets");
      }
      List<String> secrets = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String text) || text.isBlank()) {
          throw new ConfigException("secrets[" + i + "]", "must be a non-blank string");
        }
        secrets.add(text);
      }
      return List.copyOf(secrets);
    }
    if (!(config.getValue("secret") instanceof String secret) || secret.isBlank()) {
      throw new ConfigException("secret", "secret not configured (\"secret\": \"...\", or \"secrets\": [...] during a rotation)");
    }
    return List.of(secret);
  }

  private static byte[] decode(String key, String secret) {
    SecretRules.Placeholder placeholder = SecretRules.classify(secret);
    if (placeholder == SecretRules.Placeholder.REPLACE_ME || placeholder == SecretRules.Placeholder.CHANGE_ME) {
      throw new ConfigException(key, placeholder.text() + ": set the real secret");
    }
    String text = secret.strip();
    if (text.startsWith(PREFIX)) {
      text = text.substring(PREFIX.length());
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "is not a Standard Webhooks secret: expected \"whsec_\" followed by base64 "
          + "(the text after whsec_ is not valid base64)");
    }
    if (bytes.length == 0) {
      throw new ConfigException(key, "is not a Standard Webhooks secret: no key bytes after \"whsec_\"");
    }
    return bytes;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public void checkHead(WebhookRequest head) {
    parse(head);
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    Parsed parsed;
    try {
      parsed = parse(request);
    } catch (CwmException refused) {
      return Future.failedFuture(refused);
    }
    byte[] prefix = (parsed.id() + "." + parsed.timestamp() + ".").getBytes(StandardCharsets.UTF_8);
    byte[] body = request.body().getBytes();
    boolean any = false;
    for (byte[] secret : keys) {
      byte[] expected = mac(secret, prefix, body);
      for (byte[] candidate : parsed.signatures()) {
        // every pair is compared: the time does not depend on which one matched
        any |= MessageDigest.isEqual(expected, candidate);
      }
    }
    return any ? Future.succeededFuture()
        : Future.failedFuture(CwmException.unauthorized("Invalid webhook signature"));
  }

  private record Parsed(String id, String timestamp, List<byte[]> signatures) {}

  /** The three headers, checked; throws the 401 when one is missing or malformed, or the timestamp is stale. */
  private Parsed parse(WebhookRequest request) {
    String prefix = request.header("webhook-id") != null || request.header("webhook-timestamp") != null
        || request.header("webhook-signature") != null ? "webhook-" : "svix-";
    String id = request.header(prefix + "id");
    String timestamp = request.header(prefix + "timestamp");
    String signature = request.header(prefix + "signature");
    for (String[] header : new String[][] {{"id", id}, {"timestamp", timestamp}, {"signature", signature}}) {
      if (header[1] == null || header[1].isBlank()) {
        throw CwmException.unauthorized("Missing " + prefix + header[0] + " header");
      }
    }
    long signedAt;
    try {
      signedAt = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      throw CwmException.unauthorized("Invalid " + prefix + "timestamp header (must be unix seconds)");
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - signedAt) > toleranceSeconds) {
      throw CwmException.unauthorized("Webhook timestamp outside the tolerance window (" + toleranceSeconds + " s)");
    }
    List<byte[]> signatures = new ArrayList<>();
    for (String item : signature.strip().split(" +")) {
      int comma = item.indexOf(',');
      if (comma <= 0 || !item.substring(0, comma).equals("v1")) {
        continue; // another version (v1a, ...): not ours to check
      }
      try {
        signatures.add(Base64.getDecoder().decode(item.substring(comma + 1)));
      } catch (IllegalArgumentException e) {
        // a malformed v1 item never matches
      }
    }
    if (signatures.isEmpty()) {
      throw CwmException.unauthorized("Invalid " + prefix + "signature header (expected v1,<base64> items)");
    }
    return new Parsed(id, timestamp.strip(), signatures);
  }

  private static byte[] mac(byte[] secret, byte[] prefix, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(prefix);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
