package io.cwm.config;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code "dedup"} key of a webhooks.json entry (issue 16, idempotency): where the idempotency
 * key of a webhook is read and how long a key is remembered. Written as an object
 * {@code {"key": "X-GitHub-Delivery", "window_seconds": 86400}}, as a preset name
 * ({@code "github"}, {@code "stripe"}, {@code "standard-webhooks"}, {@code "shopify"}) or as a
 * preset with another window ({@code {"preset": "stripe", "window_seconds": 3600}}).
 *
 * @param key where the key is read (a header name or a JSON pointer)
 * @param windowSeconds how long a key is remembered after its first message was stored
 * @param preset the preset it came from, or null
 * @param hashKeys record every key as its SHA-256, never as its text: the key is read from a field
 *     the entry's credential cleanup masks, and a secret must not be stored in the envelope
 */
public record DedupSettings(FieldSelector key, long windowSeconds, String preset, boolean hashKeys) {

  public DedupSettings(FieldSelector key, long windowSeconds, String preset) {
    this(key, windowSeconds, preset, false);
  }

  /** These settings with every key recorded as its digest. */
  public DedupSettings hashingKeys() {
    return new DedupSettings(key, windowSeconds, preset, true);
  }

  /** The header name, or the last field name of the JSON pointer: what a credential cleanup matches. */
  public String fieldName() {
    if (key.isHeader()) {
      return key.headerName();
    }
    String text = key.toString();
    return text.substring(text.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
  }

  /** {@link #recordKey(String)}, hashed whatever its length when {@link #hashKeys}. */
  public String recordKeyOf(String text) {
    if (hashKeys && text != null && !text.isEmpty()) {
      return sha256(text);
    }
    return recordKey(text);
  }

  /** Default window: 24 h, longer than GitHub's and Shopify's retry spans. */
  public static final long DEFAULT_WINDOW_SECONDS = 86_400;
  /** The {@code stripe} preset's window: Stripe retries a live-mode event for up to 3 days. */
  public static final long STRIPE_WINDOW_SECONDS = 3 * 86_400;
  /** Longest window: every record is kept this long at most (a bound on the records' storage). */
  public static final long MAX_WINDOW_SECONDS = 7 * 86_400;
  /** A key text longer than this is stored as its SHA-256 digest ({@link #recordKey}). */
  public static final int MAX_KEY_CHARS = 200;

  /** The presets: name → key and default window. */
  private record Preset(String key, long windowSeconds) {}

  private static final Map<String, Preset> PRESETS = presets();

  private static Map<String, Preset> presets() {
    Map<String, Preset> presets = new LinkedHashMap<>();
    presets.put("github", new Preset("X-GitHub-Delivery", DEFAULT_WINDOW_SECONDS));
    presets.put("stripe", new Preset("/id", STRIPE_WINDOW_SECONDS));
    presets.put("standard-webhooks", new Preset("webhook-id", DEFAULT_WINDOW_SECONDS));
    presets.put("shopify", new Preset("X-Shopify-Webhook-Id", DEFAULT_WINDOW_SECONDS));
    return Map.copyOf(presets);
  }

  /**
   * Parses the value of {@code "dedup"}; throws {@link ConfigException} with the key inside it
   * ({@code ""}, {@code key}, {@code preset}, {@code window_seconds}) and what is wrong.
   */
  public static DedupSettings parse(Object value) {
    if (value instanceof String name) {
      return fromPreset("", name, null);
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException("", "must be a preset name (" + presetNames()
          + ") or an object {\"key\": <header name or JSON pointer>, \"window_seconds\": N}");
    }
    for (String field : object.fieldNames()) {
      if (!field.equals("key") && !field.equals("window_seconds") && !field.equals("preset")) {
        throw new ConfigException(field, "unknown key (known: key, preset, window_seconds)");
      }
    }
    Long window = null;
    if (object.containsKey("window_seconds")) {
      try {
        window = Coerce.integer(object, "window_seconds", DEFAULT_WINDOW_SECONDS, 1, MAX_WINDOW_SECONDS);
      } catch (ConfigException e) {
        throw new ConfigException("window_seconds", e.getMessage());
      }
    }
    if (object.containsKey("preset")) {
      if (object.containsKey("key")) {
        throw new ConfigException("key", "give either \"key\" or \"preset\", not both");
      }
      if (!(object.getValue("preset") instanceof String name)) {
        throw new ConfigException("preset", "must be one of " + presetNames());
      }
      return fromPreset("preset", name, window);
    }
    if (!(object.getValue("key") instanceof String text)) {
      throw new ConfigException("key", "is required: a header name or a JSON pointer starting with \"/\"");
    }
    FieldSelector selector;
    try {
      selector = FieldSelector.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("key", e.getMessage());
    }
    return new DedupSettings(selector, window == null ? DEFAULT_WINDOW_SECONDS : window, null);
  }

  private static DedupSettings fromPreset(String key, String name, Long window) {
    Preset preset = PRESETS.get(name.trim().toLowerCase(java.util.Locale.ROOT));
    if (preset == null) {
      throw new ConfigException(key, "unknown preset '" + name + "' (known: " + presetNames() + ")");
    }
    return new DedupSettings(FieldSelector.parse(preset.key()), window == null ? preset.windowSeconds() : window,
        name.trim().toLowerCase(java.util.Locale.ROOT));
  }

  private static String presetNames() {
    return "github, stripe, standard-webhooks, shopify";
  }

  /**
   * The key as the buffer records it: the text itself, or {@code sha256:<hex>} of it when longer
   * than {@value #MAX_KEY_CHARS} characters (so a record's size is bounded whatever a sender puts
   * in the field). Null when {@code text} is null or empty (no key: the message is not deduplicated).
   */
  public static String recordKey(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.length() <= MAX_KEY_CHARS) {
      return text;
    }
    return sha256(text);
  }

  private static String sha256(String text) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
