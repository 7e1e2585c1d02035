package io.cwm.validate;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the validators of one webhook entry, in the spec's fixed order. A validator exists only
 * when its key is present. Builders throw {@link ConfigException} for a block that can never
 * pass (missing secret, unsupported algorithm, ...): such a config is refused at start-up rather
 * than answering 401 to every request. A block that means "no check" (for example
 * {@code "hmac": {}}) builds no validator; the loader warns about it.
 */
public final class ValidatorFactory {

  /** Builds one validator from its block; returns null when the block means "no check". */
  @FunctionalInterface
  public interface Builder {
    Validator build(Object block, JsonObject entry, ValidatorContext context);
  }

  private record Slot(String key, Builder builder) {}

  /** The order of spec §5. */
  private static final List<Slot> ORDER = List.of(
      new Slot("rate_limit", RateLimitValidator::fromConfig),
      new Slot("recaptcha", RecaptchaValidator::fromConfig),
      new Slot("basic_auth", BasicAuthValidator::fromConfig),
      new Slot("digest_auth", DigestAuthValidator::fromConfig),
      new Slot("jwt", JwtValidator::fromConfig),
      new Slot("oauth1", OAuth1Validator::fromConfig),
      new Slot("oauth2", OAuth2Validator::fromConfig),
      new Slot("authorization", AuthorizationValidator::fromConfig),
      new Slot("hmac", HmacValidator::fromConfig),
      new Slot("standard_webhooks", StandardWebhooksValidator::fromConfig),
      new Slot("provider", ProviderPresets::fromConfig),
      new Slot("ip_whitelist", IpWhitelistValidator::fromConfig),
      new Slot("json_schema", JsonSchemaValidator::fromConfig),
      new Slot("query_auth", QueryAuthValidator::fromConfig),
      new Slot("header_auth", HeaderAuthValidator::fromConfig));

  private ValidatorFactory() {}

  /**
   * Builds every validator present in {@code entry}.
   *
   * @param problems receives one {@link ConfigException} per invalid block (key prefixed with
   *     the validator key); the other blocks are still built
   * @param emptyBlocks receives the keys of present blocks that mean "no check"
   */
  public static List<Validator> build(JsonObject entry, ValidatorContext context,
      List<ConfigException> problems, List<String> emptyBlocks) {
    List<Validator> validators = new ArrayList<>();
    for (Slot slot : ORDER) {
      if (!entry.containsKey(slot.key())) {
        continue;
      }
      try {
        Validator validator = slot.builder().build(entry.getValue(slot.key()), entry, context);
        if (validator == null) {
          emptyBlocks.add(slot.key());
        } else {
          validators.add(validator);
        }
      } catch (ConfigException e) {
        String key = e.key() == null || e.key().isEmpty() ? slot.key() : slot.key() + "." + e.key();
        problems.add(new ConfigException(key, e.getMessage()));
      }
    }
    return List.copyOf(validators);
  }

  /** Whether a block value is "empty": {}, [], "" or null. */
  public static boolean isEmpty(Object block) {
    return block == null
        || (block instanceof JsonObject object && object.isEmpty())
        || (block instanceof io.vertx.core.json.JsonArray array && array.isEmpty())
        || (block instanceof String text && text.isEmpty());
  }

  /** The block as an object, or a ConfigException naming the expected type. */
  public static JsonObject requireObject(Object block) {
    if (block instanceof JsonObject object) {
      return object;
    }
    throw new ConfigException("", "must be an object");
  }
}
