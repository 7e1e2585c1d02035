package io.cwm.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The module-config of {@code webhook_connect} (spec §2.1) and the channels it defines. Every
 * channel is registered at start-up from the config, so a connector can attach before the
 * channel's first webhook (and after a restart).
 * Several webhooks may feed one channel: each gets its own queue (TTL, max_queue_size); the
 * channel-level settings (token, max_connections, max_in_flight, ack timeout, heartbeat,
 * max_deliveries, ordering) must agree, or the config is refused.
 */
public final class RelayChannels {
  public static final String MODULE = "webhook_connect";
  private static final Pattern CHANNEL_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*$");

  private RelayChannels() {}

  /** One entry's view of its channel. */
  record EntryChannel(String channel, String token, long ttlSeconds, int maxQueueSize,
      int maxConnections, int maxInFlight, int ackTimeoutSeconds, int heartbeatSeconds,
      int maxDeliveries, boolean rawBody, FieldSelector orderingKey) {
    boolean sameChannelSettings(EntryChannel other) {
      return token.equals(other.token) && maxConnections == other.maxConnections
          && maxInFlight == other.maxInFlight && ackTimeoutSeconds == other.ackTimeoutSeconds
          && heartbeatSeconds == other.heartbeatSeconds && maxDeliveries == other.maxDeliveries
          && Objects.equals(orderingText(), other.orderingText());
    }

    private String orderingText() {
      return orderingKey == null ? null : orderingKey.toString();
    }
  }

  /**
   * Load-time check of one webhook_connect module-config. {@code data_type: blob} is relayed too:
   * the payload is then the body as text (see {@code ingest.WebhookHandler}), the exact bytes in
   * the envelope's raw body.
   */
  public static void checkConfig(JsonObject moduleConfig, JsonObject entry, Env env) {
    parse(moduleConfig);
  }

  static EntryChannel parse(JsonObject config) {
    String channel = Coerce.requiredString(config, "channel").trim();
    if (!CHANNEL_NAME.matcher(channel).matches() || channel.contains("..") || channel.length() > 128) {
      throw new ConfigException("channel", "must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ (no '..', at most 128 characters)");
    }
    String token = Coerce.requiredString(config, "channel_token");
    return new EntryChannel(channel, token,
        Coerce.integer(config, "ttl_seconds", 86_400, 1, 365L * 86_400),
        (int) Coerce.integer(config, "max_queue_size", 10_000, 1, 10_000_000),
        (int) Coerce.integer(config, "max_connections", 10, 1, 10_000),
        (int) Coerce.integer(config, "max_in_flight", 100, 1, 10_000),
        (int) Coerce.integer(config, "ack_timeout_seconds", 120, 1, 86_400),
        (int) Coerce.integer(config, "heartbeat_interval_seconds", 30, 1, 3600),
        (int) Coerce.integer(config, "max_deliveries", 10, 1, 1000),
        Coerce.bool(config, "raw_body", true),
        orderingKey(config));
  }

  /** {@code "ordering": {"key": "<header or JSON pointer>"}}; absent (or null): unordered. */
  private static FieldSelector orderingKey(JsonObject config) {
    if (config.getValue("ordering") == null) {
      return null;
    }
    JsonObject ordering = Coerce.object(config, "ordering");
    for (String key : ordering.fieldNames()) {
      if (!key.equals("key")) {
        throw new ConfigException("ordering." + key, "unknown key (ordering takes only \"key\")");
      }
    }
    Object key = ordering.getValue("key");
    if (!(key instanceof String text)) {
      throw new ConfigException("ordering.key", "must be a header name or a JSON pointer starting with \"/\", got "
          + Coerce.describe(key));
    }
    try {
      return FieldSelector.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ordering.key", e.getMessage());
    }
  }

  /**
   * Builds the channels of all webhook_connect entries, in file order.
   *
   * @param relayConfigs the module-config of every webhook_connect entry, keyed by webhook id, in file order
   * @param conflicts receives one message per webhook whose channel settings disagree with the
   *     first entry of that channel, keyed by webhook id
   */
  public static Map<String, ChannelSpec> build(Map<String, JsonObject> relayConfigs, Map<String, String> conflicts) {
    return build(relayConfigs, Map.of(), conflicts);
  }

  /**
   * {@link #build(Map, Map)} with the dedup window of the webhooks that have a {@code dedup}
   * (webhook id → seconds), kept in their queue ({@link ChannelSpec.Queue#dedupWindowSeconds}).
   */
  public static Map<String, ChannelSpec> build(Map<String, JsonObject> relayConfigs, Map<String, Long> dedupWindows,
      Map<String, String> conflicts) {
    Map<String, List<Map.Entry<String, EntryChannel>>> byChannel = new LinkedHashMap<>();
    for (Map.Entry<String, JsonObject> relay : relayConfigs.entrySet()) {
      EntryChannel parsed = parse(relay.getValue());
      byChannel.computeIfAbsent(parsed.channel(), name -> new ArrayList<>()).add(Map.entry(relay.getKey(), parsed));
    }
    Map<String, ChannelSpec> channels = new LinkedHashMap<>();
    for (Map.Entry<String, List<Map.Entry<String, EntryChannel>>> channel : byChannel.entrySet()) {
      EntryChannel first = channel.getValue().get(0).getValue();
      Map<String, ChannelSpec.Queue> queues = new LinkedHashMap<>();
      for (Map.Entry<String, EntryChannel> feeder : channel.getValue()) {
        if (!feeder.getValue().sameChannelSettings(first)) {
          conflicts.put(feeder.getKey(), "channel '" + channel.getKey() + "' is also fed by webhook '"
              + channel.getValue().get(0).getKey() + "' with a different channel_token, max_connections, "
              + "max_in_flight, ack_timeout_seconds, heartbeat_interval_seconds, max_deliveries or ordering");
        }
        queues.put(feeder.getKey(), new ChannelSpec.Queue(feeder.getKey(), feeder.getValue().ttlSeconds(),
            feeder.getValue().maxQueueSize(), feeder.getValue().rawBody(),
            dedupWindows.getOrDefault(feeder.getKey(), 0L)));
      }
      channels.put(channel.getKey(), new ChannelSpec(channel.getKey(), first.token(), Map.copyOf(queues),
          first.maxConnections(), first.maxInFlight(), first.ackTimeoutSeconds(), first.heartbeatSeconds(),
          first.maxDeliveries(), first.orderingKey()));
    }
    return channels;
  }
}
