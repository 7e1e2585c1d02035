package io.cwm.module.s3;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code s3} module-config (modules.md §3.8), parsed and checked once:
 *
 * <ul>
 *   <li>{@code bucket} (required): an S3 general-purpose bucket name, 3–63 characters of
 *       {@code [a-z0-9.-]}, starting and ending with a letter or digit, no {@code ..}, not an IPv4
 *       address, none of the reserved prefixes/suffixes. A missing or invalid bucket is a load
 *       error.
 *   <li>{@code prefix} (default {@code webhooks}): trimmed, 1–255 characters of
 *       {@code [A-Za-z0-9_/-]}, no {@code ..}, {@code //} or {@code --}, no leading or trailing
 *       {@code /}.
 *   <li>{@code filename_pattern} (default {@code webhook_{uuid}.json}): trimmed, ≤ 255 characters;
 *       placeholders {@code {uuid}} and {@code {timestamp}}, the rest {@code [A-Za-z0-9_.-]}, no
 *       {@code /}, {@code \}, {@code ..} or {@code --}. Any other {@code {...}} (the documented but
 *       never implemented {@code {webhook_id}}) is refused by name. A pattern that is only a
 *       placeholder ({@code {uuid}}) is accepted.
 *   <li>{@code content_type} (default {@code application/json}; blobs default to
 *       {@code application/octet-stream}): printable US-ASCII, {@code type/subtype}, ≤ 255.
 *   <li>{@code include_headers} (default false): store the request headers as object metadata
 *       ({@link S3Metadata}).
 * </ul>
 *
 * <p>Object key = {@code <prefix>/<YYYY>/<MM>/<DD>/<HH>/<filename>} in UTC; {@code {timestamp}} is
 * the same instant as {@code 2025-01-15T10-30-45.123456} (always six fraction digits; the date path
 * and the timestamp come from one clock read). Placeholders expand to fixed lengths, so the
 * 1024-byte key limit is checked at load.
 *
 * @param contentType the configured content type, or null when not configured
 */
public record S3Target(String bucket, String prefix, String filenamePattern, String contentType,
    boolean includeHeaders) {

  static final String DEFAULT_PREFIX = "webhooks";
  static final String DEFAULT_FILENAME = "webhook_{uuid}.json";
  static final String JSON = "application/json";
  static final String BYTES = "application/octet-stream";
  static final int MAX_KEY_BYTES = 1024;

  private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9_/-]+$");
  private static final Pattern FILENAME_REST = Pattern.compile("^[A-Za-z0-9_.-]*$");
  private static final Pattern FILENAME = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");
  private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
  private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
  private static final String[] RESERVED_BUCKET_PREFIXES = {"xn--", "sthree-", "amzn-s3-demo-"};
  private static final String[] RESERVED_BUCKET_SUFFIXES = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"};
  private static final String UUID_PLACEHOLDER = "{uuid}";
  private static final String TIMESTAMP_PLACEHOLDER = "{timestamp}";
  /** 36: a UUID's text; 26: {@code 2025-01-15T10-30-45.123456}. */
  private static final int UUID_LENGTH = 36;
  private static final int TIMESTAMP_LENGTH = 26;
  private static final DateTimeFormatter DATE_PATH =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSSSSS").withZone(ZoneOffset.UTC);

  /**
   * Load-time check of an {@code s3} connection (region, credentials, {@code endpoint_url} host
   * rules, see {@link io.cwm.module.aws.AwsConnection}); throws ConfigException naming the key in the connection.
   * The module applies the same check when it builds the connection's client.
   */
  public static void checkConnection(JsonObject connection, Env env) {
    io.cwm.module.aws.AwsConnection.from(connection, env, S3ModuleVerticle.REGION_KEY);
  }

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static S3Target fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    String bucket = bucket(config.getValue("bucket"));
    String prefix = prefix(config.getValue("prefix"));
    String pattern = filenamePattern(config.getValue("filename_pattern"));
    String contentType = contentType(config.getValue("content_type"));
    boolean includeHeaders = Coerce.bool(config, "include_headers", false);
    int keyLength = prefix.length() + "/YYYY/MM/DD/HH/".length() + expandedLength(pattern);
    if (keyLength > MAX_KEY_BYTES) {
      throw new ConfigException("filename_pattern", "makes object keys of " + keyLength
          + " bytes with the prefix (S3 allows " + MAX_KEY_BYTES + ")");
    }
    return new S3Target(bucket, prefix, pattern, contentType, includeHeaders);
  }

  /** The object key for an upload at {@code now} with {@code uuid} for {@code {uuid}}. */
  public String objectKey(Instant now, UUID uuid) {
    String filename = filenamePattern.replace(UUID_PLACEHOLDER, uuid.toString())
        .replace(TIMESTAMP_PLACEHOLDER, TIMESTAMP.format(now));
    if (!FILENAME.matcher(filename).matches()) { // cannot happen after the load check; kept as a guard
      throw new ConfigException("filename_pattern", "produced an invalid file name");
    }
    return prefix + "/" + DATE_PATH.format(now) + "/" + filename;
  }

  /** The Content-Type of the object: configured, else JSON, or octet-stream for a blob. */
  public String contentTypeFor(boolean blob) {
    return contentType != null ? contentType : blob ? BYTES : JSON;
  }

  static String bucket(Object value) {
    if (value == null) {
      throw new ConfigException("bucket", "is required");
    }
    if (!(value instanceof String name)) {
      throw new ConfigException("bucket", "must be a string");
    }
    String problem = bucketProblem(name);
    if (problem != null) {
      throw new ConfigException("bucket", problem);
    }
    return name;
  }

  /** Null when {@code name} is a valid general-purpose bucket name, else why not. */
  static String bucketProblem(String name) {
    if (name.length() < 3 || name.length() > 63) {
      return "must be 3 to 63 characters";
    }
    if (!BUCKET.matcher(name).matches()) {
      return "may contain only lower-case letters, digits, '.' and '-', and must start and end with a letter or digit";
    }
    if (name.contains("..")) {
      return "must not contain '..'";
    }
    if (IPV4.matcher(name).matches()) {
      return "must not be formatted as an IP address";
    }
    for (String reserved : RESERVED_BUCKET_PREFIXES) {
      if (name.startsWith(reserved)) {
        return "must not start with '" + reserved + "' (reserved by S3)";
      }
    }
    for (String reserved : RESERVED_BUCKET_SUFFIXES) {
      if (name.endsWith(reserved)) {
        return "must not end with '" + reserved + "' (reserved by S3)";
      }
    }
    return null;
  }

  static String prefix(Object value) {
    if (value == null) {
      return DEFAULT_PREFIX;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException("prefix", "must be a string");
    }
    String prefix = text.trim();
    if (prefix.isEmpty() || prefix.length() > 255) {
      throw new ConfigException("prefix", "must be 1 to 255 characters");
    }
    if (prefix.contains("..") || prefix.startsWith("/") || prefix.endsWith("/")) {
      throw new ConfigException("prefix", "must not contain '..' nor start or end with '/'");
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new ConfigException("prefix", "may contain only letters, digits, '_', '-' and '/'");
    }
    if (prefix.contains("//") || prefix.contains("--")) {
      throw new ConfigException("prefix", "must not contain '//' or '--'");
    }
    return prefix;
  }

  static String filenamePattern(Object value) {
    if (value == null) {
      return DEFAULT_FILENAME;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException("filename_pattern", "must be a string");
    }
    String pattern = text.trim();
    if (pattern.isEmpty() || pattern.length() > 255) {
      throw new ConfigException("filename_pattern", "must be 1 to 255 characters");
    }
    if (pattern.contains("..") || pattern.contains("/") || pattern.contains("\\")) {
      throw new ConfigException("filename_pattern", "must not contain '..', '/' or '\\'");
    }
    if (pattern.contains("--")) {
      throw new ConfigException("filename_pattern", "must not contain '--'");
    }
    Matcher placeholders = PLACEHOLDER.matcher(pattern);
    while (placeholders.find()) {
      String found = placeholders.group();
      if (!found.equals(UUID_PLACEHOLDER) && !found.equals(TIMESTAMP_PLACEHOLDER)) {
        throw new ConfigException("filename_pattern", "has an unknown placeholder (only {uuid} and {timestamp})");
      }
    }
    String rest = pattern.replace(UUID_PLACEHOLDER, "").replace(TIMESTAMP_PLACEHOLDER, "");
    if (!FILENAME_REST.matcher(rest).matches()) {
      throw new ConfigException("filename_pattern",
          "may contain only letters, digits, '_', '.', '-' and the placeholders {uuid} and {timestamp}");
    }
    return pattern;
  }

  static String contentType(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException("content_type", "must be a string");
    }
    String type = text.trim();
    if (type.isEmpty() || type.length() > 255 || type.indexOf('/') <= 0) {
      throw new ConfigException("content_type", "must be a media type (type/subtype), at most 255 characters");
    }
    for (int i = 0; i < type.length(); i++) {
      char c = type.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new ConfigException("content_type", "must be printable US-ASCII");
      }
    }
    return type;
  }

  private static int expandedLength(String pattern) {
    int uuids = occurrences(pattern, UUID_PLACEHOLDER);
    int timestamps = occurrences(pattern, TIMESTAMP_PLACEHOLDER);
    return pattern.length() + uuids * (UUID_LENGTH - UUID_PLACEHOLDER.length())
        + timestamps * (TIMESTAMP_LENGTH - TIMESTAMP_PLACEHOLDER.length());
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      count++;
    }
    return count;
  }
}
