package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.DedupSettings;
import io.cwm.config.WebhookKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code "provider"} key of a webhooks.json entry: one block that expands to the signature
 * check a provider documents (and, on a {@code webhook_connect} entry, to its idempotency key:
 * see {@link Spec#dedupKey}). Written
 * {@code "provider": {"name": "stripe", "secret": "..."}}; {@code "secrets": [...]} instead of
 * {@code secret} accepts any of several secrets (a rotation); {@code tolerance_seconds} changes the
 * timestamp window of the providers that sign one; {@code url} is the public URL Twilio calls;
 * {@code "dedup": false} turns the default dedup key off.
 *
 * <p>The short form {@code "provider": "github"} is refused: it has no place for the secret. An
 * entry with {@code provider} and a hand-written {@code hmac} or {@code standard_webhooks} block is
 * refused too: two signature checks of the same request with two secrets is a mistake, not a plan.
 */
public final class ProviderPresets {

  /**
   * What a preset checks, for the docs and {@code check}'s info line.
   *
   * @param headers the headers read
   * @param algorithm the algorithm of the signature
   * @param encoding how the header writes it
   * @param signed the signed content, or null when nothing is signed (a token)
   * @param toleranceSeconds default timestamp window, or null when the provider signs no timestamp
   * @param dedupKey the default dedup key (header name or JSON pointer), or null
   * @param dedupWindowSeconds the default dedup window
   */
  public record Spec(String name, String headers, String algorithm, String encoding, String signed, Long toleranceSeconds,
      String dedupKey, long dedupWindowSeconds) {}

  private static final long DAY = 86_400;

  /** The presets, in the order the docs list them. */
  public static final Map<String, Spec> SPECS = specs();

  private static Map<String, Spec> specs() {
    Map<String, Spec> specs = new LinkedHashMap<>();
    add(specs, new Spec("github", "X-Hub-Signature-256", "HMAC-SHA256", "sha256=<hex>", "body", null,
        "X-GitHub-Delivery", DAY));
    add(specs, new Spec("stripe", "Stripe-Signature", "HMAC-SHA256", "t=<unix>,v1=<hex>", "t.body", 300L, "/id",
        3 * DAY));
    add(specs, new Spec("shopify", "X-Shopify-Hmac-SHA256", "HMAC-SHA256", "base64", "body", null,
        "X-Shopify-Event-Id", DAY));
    add(specs, new Spec("slack", "X-Slack-Signature, X-Slack-Request-Timestamp", "HMAC-SHA256", "v0=<hex>",
        "v0:timestamp:body", 300L, "/event_id", DAY));
    add(specs, new Spec("standard_webhooks", "webhook-id, webhook-timestamp, webhook-signature", "HMAC-SHA256",
        "v1,<base64>", "id.timestamp.body", 300L, "webhook-id", DAY));
    add(specs, new Spec("gitlab", "X-Gitlab-Token", "token equal to the secret", "text", null, null,
        "Idempotency-Key", DAY));
    add(specs, new Spec("twilio", "X-Twilio-Signature", "HMAC-SHA1", "base64",
        "url + sorted form params (JSON body: url with bodySHA256)", null, "I-Twilio-Idempotency-Token", DAY));
    add(specs, new Spec("paddle", "Paddle-Signature", "HMAC-SHA256", "ts=<unix>;h1=<hex>", "ts:body", 5L,
        "/event_id", DAY));
    add(specs, new Spec("linear", "Linear-Signature", "HMAC-SHA256", "hex", "body", 60L, "Linear-Delivery", DAY));
    return java.util.Collections.unmodifiableMap(specs);
  }

  private static void add(Map<String, Spec> specs, Spec spec) {
    specs.put(spec.name(), spec);
  }

  private static final Set<String> FIELDS = Set.of("name", "secret", "secrets", "tolerance_seconds", "url", "dedup");
  /** Hand-written blocks that would check the same signature a second time. */
  private static final List<String> CONFLICTS = List.of("hmac", "standard_webhooks");

  private ProviderPresets() {}

  /** The valid names, comma-separated. */
  public static String names() {
    return String.join(", ", SPECS.keySet());
  }

  /**
   * The preset a {@code provider} value names, or a ConfigException (key {@code ""} or {@code name})
   * saying what is wrong: the short form, a missing or unknown name.
   */
  public static Spec spec(Object block) {
    if (block instanceof String name) {
      throw new ConfigException("", "the short form \"provider\": \"" + name + "\" has no place for the secret: "
          + "write {\"name\": \"" + name + "\", \"secret\": \"{$YOUR_SECRET_VARIABLE}\"}");
    }
    if (!(block instanceof JsonObject config)) {
      throw new ConfigException("", "must be an object {\"name\": <provider>, \"secret\": ...} (providers: "
          + names() + ")");
    }
    if (!(config.getValue("name") instanceof String name) || name.isBlank()) {
      throw new ConfigException("name", "is required: one of " + names());
    }
    Spec spec = SPECS.get(name.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
    if (spec == null) {
      String near = WebhookKeys.nearest(name.trim(), SPECS.keySet(), 3);
      throw new ConfigException("name", "unknown provider '" + name + "'"
          + (near == null ? "" : " (did you mean '" + near + "'?)") + "; known: " + names());
    }
    return spec;
  }

  /**
   * What a valid {@code provider} block checks, for {@code check}: {@code provider stripe
   * (Stripe-Signature, HMAC-SHA256 over t.body, tolerance 300 s; dedup /id for 259200 s)}.
   *
   * @param dedup the entry's dedup settings (its own or the preset's), or null
   */
  public static String describe(JsonObject block, DedupSettings dedup) {
    Spec spec = spec(block);
    StringBuilder text = new StringBuilder("provider ").append(spec.name()).append(" (").append(spec.headers())
        .append(", ").append(spec.algorithm());
    if (spec.signed() != null) {
      text.append(" over ").append(spec.signed());
    }
    if (spec.toleranceSeconds() != null) {
      text.append(", tolerance ").append(Coerce.integer(block, "tolerance_seconds", spec.toleranceSeconds(), 1, 86_400))
          .append(" s");
    } else {
      text.append(", no signed timestamp");
    }
    if (block.getValue("secrets") instanceof io.vertx.core.json.JsonArray secrets && secrets.size() > 1) {
      text.append(", ").append(secrets.size()).append(" secrets");
    }
    text.append("; ");
    if (dedup == null) {
      text.append("no dedup");
    } else {
      text.append("dedup ").append(dedup.key()).append(" for ").append(dedup.windowSeconds()).append(" s");
    }
    return text.append(')').toString();
  }

  /** Whether the block turns the default dedup key off ({@code "dedup": false}). */
  public static boolean dedupOff(JsonObject block) {
    return block.containsKey("dedup") && !Coerce.bool(block, "dedup", true);
  }

  /** The {@link ValidatorFactory.Builder} of {@code provider}. */
  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    Spec spec = spec(block);
    JsonObject config = (JsonObject) block;
    for (String field : config.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigException(field, "unknown key (known: dedup, name, secret, secrets, tolerance_seconds, url)");
      }
    }
    for (String conflict : CONFLICTS) {
      if (entry.containsKey(conflict)) {
        throw new ConfigException("", "the entry also has a \"" + conflict + "\" block: provider " + spec.name()
            + " already checks the signature; keep one of the two");
      }
    }
    if (config.containsKey("dedup")) {
      Coerce.bool(config, "dedup", true); // a ConfigException naming "dedup" when not a boolean
    }
    if (config.containsKey("url") && !spec.name().equals("twilio")) {
      throw new ConfigException("url", "only the twilio preset reads \"url\"");
    }
    long tolerance = 0;
    if (spec.toleranceSeconds() == null) {
      if (config.containsKey("tolerance_seconds")) {
        throw new ConfigException("tolerance_seconds", spec.name() + " signs no timestamp: there is no window to set "
            + "(replay protection is the dedup window)");
      }
    } else {
      tolerance = Coerce.integer(config, "tolerance_seconds", spec.toleranceSeconds(), 1, 86_400);
    }
    List<String> secrets = StandardWebhooksValidator.secrets(config);
    if (spec.name().equals("standard_webhooks")) {
      return StandardWebhooksValidator.create("provider", secrets, tolerance, context.clock());
    }
    List<Validator> checks = new ArrayList<>();
    for (String secret : secrets) {
      checks.add(one(spec.name(), secret, tolerance, config, entry, context));
    }
    return new AnyOf(checks);
  }

  private static Validator one(String name, String secret, long tolerance, JsonObject config, JsonObject entry,
      ValidatorContext context) {
    return switch (name) {
      case "github" -> hmac(secret, "X-Hub-Signature-256", "hex", 300, entry, context);
      case "stripe" -> hmac(secret, "Stripe-Signature", "stripe", tolerance, entry, context);
      case "shopify" -> hmac(secret, "X-Shopify-Hmac-SHA256", "base64", 300, entry, context);
      case "slack" -> ProviderValidators.slack(secret, tolerance, context.clock());
      case "paddle" -> ProviderValidators.paddle(secret, tolerance, context.clock());
      case "linear" -> ProviderValidators.linear(secret, tolerance, context.clock());
      case "gitlab" -> ProviderValidators.gitlab(secret);
      case "twilio" -> ProviderValidators.twilio(secret, twilioUrl(config));
      default -> throw new IllegalStateException("no builder for provider " + name);
    };
  }

  private static String twilioUrl(JsonObject config) {
    if (!config.containsKey("url")) {
      return null;
    }
    String url = Coerce.string(config, "url", "").strip();
    if (!(url.startsWith("https://") || url.startsWith("http://")) || url.contains("#")) {
      throw new ConfigException("url", "must be the absolute http(s) URL Twilio calls, as configured in Twilio");
    }
    return url;
  }

  private static Validator hmac(String secret, String header, String format, long tolerance, JsonObject entry,
      ValidatorContext context) {
    return HmacValidator.fromConfig(new JsonObject().put("secret", secret).put("algorithm", "sha256")
        .put("header", header).put("format", format).put("tolerance_seconds", tolerance), entry, context);
  }

  /**
   * The checks of one preset with several secrets: passes when one of them passes. The head is
   * decided by the first (the same header rules for every secret); every check runs on the body.
   */
  static final class AnyOf implements Validator {
    private final List<Validator> checks;

    AnyOf(List<Validator> checks) {
      this.checks = List.copyOf(checks);
    }

    @Override
    public String key() {
      return "provider";
    }

    @Override
    public boolean needsBody(WebhookRequest head) {
      return checks.get(0).needsBody(head);
    }

    @Override
    public Future<Void> validateHead(WebhookRequest head) {
      return checks.get(0).validateHead(head);
    }

    @Override
    public Future<Void> validate(WebhookRequest request) {
      List<Future<Void>> results = new ArrayList<>();
      for (Validator check : checks) {
        results.add(check.validate(request));
      }
      return Future.join(results).transform(ignored -> {
        for (Future<Void> result : results) {
          if (result.succeeded()) {
            return Future.succeededFuture();
          }
        }
        return Future.failedFuture(results.get(0).cause());
      });
    }
  }
}
