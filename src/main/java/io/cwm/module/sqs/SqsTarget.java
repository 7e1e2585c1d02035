package io.cwm.module.sqs;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code aws_sqs} module-config (modules.md §3.14), parsed and checked once. One of:
 *
 * <ul>
 *   <li>{@code queue_url}: {@code http(s)://host[:port]/<account>/<queue name>}, at most 1024
 *       characters, no user info, query or fragment; {@code <account>} 1–64 characters of
 *       {@code [A-Za-z0-9_-]} (AWS: the 12-digit account id; emulators use others), the queue name
 *       by the rule below. An AWS URL is {@code https://sqs.<region>.amazonaws.com[.cn]/...} (or
 *       the legacy {@code https://<region>.queue.amazonaws.com/...}); any other host is an
 *       emulator's URL and is only usable with a connection that has {@code endpoint_url}
 *       (checked when the call runs). The request always goes to the connection's endpoint (its
 *       {@code endpoint_url}, else AWS's endpoint of its region), never to the URL's host.
 *   <li>{@code queue_name} (used when there is no {@code queue_url}): trimmed, 1–80 characters of
 *       {@code [A-Za-z0-9_-]}, no {@code --} or {@code __} (the spec's rule), plus SQS's
 *       {@code .fifo} suffix for FIFO queues (within the 80). Resolved with GetQueueUrl once per
 *       connection.
 * </ul>
 *
 * <p>{@code create_queue} (default false, needs {@code queue_name}): create the queue when it does
 * not exist (Python always did); without it a missing queue is a permanent failure.
 * {@code message_group_id} (FIFO queues only; default: the webhook id): 1–128 characters of
 * {@code [A-Za-z0-9!"#$%&'()*+,./:;<=>?@\[\\\]^_`{|}~-]}.
 *
 * @param queueUrl the queue's URL, or null when the queue is given by name
 * @param queueName the queue's name (also when given by URL: its last path segment)
 * @param urlRegion the region of an AWS queue URL, or null (by name, or an emulator's URL)
 * @param messageGroupId null unless configured
 */
public record SqsTarget(String queueUrl, String queueName, String urlRegion, boolean createQueue,
    String messageGroupId) {

  static final int MAX_URL_LENGTH = 1024;
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_-]+$");
  private static final Pattern ACCOUNT = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final Pattern AWS_HOST = Pattern.compile(
      "^(?:sqs\\.([a-z0-9-]+)|([a-z0-9-]+)\\.queue)\\.amazonaws\\.com(?:\\.cn)?$");
  private static final Pattern GROUP_ID = Pattern.compile("^[A-Za-z0-9!\"#$%&'()*+,./:;<=>?@\\[\\\\\\]^_`{|}~-]{1,128}$");
  private static final String FIFO = ".fifo";

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static SqsTarget fromConfig(JsonObject moduleConfig) {
    JsonObject config = moduleConfig == null ? new JsonObject() : moduleConfig;
    boolean create = Coerce.bool(config, "create_queue", false);
    String groupId = groupId(config.getValue("message_group_id"));
    String urlText = Coerce.string(config, "queue_url", null);
    if (urlText != null && !urlText.isBlank()) {
      if (create) {
        throw new ConfigException("create_queue", "needs queue_name (a queue given by queue_url is never created)");
      }
      return fromUrl(urlText.trim(), groupId);
    }
    String name = Coerce.string(config, "queue_name", null);
    if (name == null || name.isBlank()) {
      throw new ConfigException("queue_name", "is required (or queue_url)");
    }
    String trimmed = name.trim();
    String problem = nameProblem(trimmed);
    if (problem != null) {
      throw new ConfigException("queue_name", problem);
    }
    return new SqsTarget(null, trimmed, null, create, groupId);
  }

  /** Whether the queue is a FIFO queue (its name ends in {@code .fifo}). */
  public boolean fifo() {
    return queueName.endsWith(FIFO);
  }

  /** Null when {@code name} is an acceptable queue name, else why not. */
  static String nameProblem(String name) {
    String base = name.endsWith(FIFO) ? name.substring(0, name.length() - FIFO.length()) : name;
    if (name.length() > 80 || base.isEmpty()) {
      return "must be 1 to 80 characters (with a .fifo suffix)";
    }
    if (!NAME.matcher(base).matches()) {
      return "may contain only letters, digits, '_' and '-' (and end in .fifo for a FIFO queue)";
    }
    if (base.contains("--") || base.contains("__")) {
      return "must not contain '--' or '__'";
    }
    return null;
  }

  private static SqsTarget fromUrl(String text, String groupId) {
    if (text.length() > MAX_URL_LENGTH) {
      throw new ConfigException("queue_url", "must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException("queue_url", "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new ConfigException("queue_url", "must be an http(s) URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigException("queue_url", "must have a host and no user info, query or fragment");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String[] segments = path.split("/", -1);
    if (segments.length != 3 || !segments[0].isEmpty() || !ACCOUNT.matcher(segments[1]).matches()) {
      throw new ConfigException("queue_url", "must have the path /<account>/<queue name>");
    }
    String problem = nameProblem(segments[2]);
    if (problem != null) {
      throw new ConfigException("queue_url", "queue name " + problem);
    }
    String region = null;
    Matcher aws = AWS_HOST.matcher(uri.getHost().toLowerCase(Locale.ROOT));
    if (aws.matches()) {
      if (!scheme.equals("https")) {
        throw new ConfigException("queue_url", "an AWS queue URL must use https");
      }
      region = aws.group(1) != null ? aws.group(1) : aws.group(2);
    } else if (uri.getHost().toLowerCase(Locale.ROOT).contains("amazonaws.com")) {
      throw new ConfigException("queue_url", "is not an SQS host (https://sqs.<region>.amazonaws.com/...)");
    }
    return new SqsTarget(text, segments[2], region, false, groupId);
  }

  private static String groupId(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || !GROUP_ID.matcher(text.trim()).matches()) {
      throw new ConfigException("message_group_id", "must be 1 to 128 letters, digits or punctuation");
    }
    return text.trim();
  }
}
