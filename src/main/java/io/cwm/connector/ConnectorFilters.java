package io.cwm.connector;

import io.cwm.filter.Filter;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector side of {@code filters}: the filters of the message's target (HTTP mode,
 * connector.json) or of its entry in the local webhooks.json (module mode). A message they do not
 * deliver is acked without delivery, so it leaves the receiver's buffer. Counted per webhook id;
 * each message is logged at DEBUG, the first of each webhook id at INFO, and the counts at INFO at
 * most once per {@link #SUMMARY_INTERVAL_MILLIS} while messages are filtered, and when the
 * connector stops. Never logs a header or payload value. Used on the connector's event loop only.
 */
final class ConnectorFilters implements DeliveryWindow.Screen {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectorFilters.class);
  static final long SUMMARY_INTERVAL_MILLIS = 60_000;

  private final Function<String, Filter> filterOf;
  private final String tag;
  private final LongSupplier clock;
  private final Map<String, Long> counts = new TreeMap<>();
  private long total;
  private long summaryAt;

  private ConnectorFilters(Function<String, Filter> filterOf, String tag, LongSupplier clock) {
    this.filterOf = filterOf;
    this.tag = tag;
    this.clock = clock;
    this.summaryAt = clock.getAsLong();
  }

  /** The screen of {@code config}'s targets, or {@link DeliveryWindow.Screen#NONE} when none has filters. */
  static DeliveryWindow.Screen of(ConnectorConfig config, String tag, LongSupplier clock) {
    boolean any = config.defaultTarget() != null && config.defaultTarget().filters() != null;
    for (Target target : config.targets().values()) {
      any |= target.filters() != null;
    }
    return any ? new ConnectorFilters(webhookId -> {
      Target target = config.targetFor(webhookId);
      return target == null ? null : target.filters();
    }, tag, clock) : DeliveryWindow.Screen.NONE;
  }

  /**
   * The screen of a module-mode connector: each entry's filters ({@code filterOf} by webhook id,
   * null for none), or {@link DeliveryWindow.Screen#NONE} when no entry has filters.
   */
  static DeliveryWindow.Screen of(boolean anyFilters, Function<String, Filter> filterOf, String tag,
      LongSupplier clock) {
    return anyFilters ? new ConnectorFilters(filterOf, tag, clock) : DeliveryWindow.Screen.NONE;
  }

  @Override
  public String dropReason(Delivery delivery) {
    Filter filters = delivery.webhookId() == null ? null : filterOf.apply(delivery.webhookId());
    if (filters == null) {
      return null;
    }
    String reason = filters.dropReason(delivery.headers(), delivery.payload());
    if (reason != null) {
      count(delivery, reason);
    }
    return reason;
  }

  private void count(Delivery delivery, String reason) {
    String webhookId = String.valueOf(delivery.webhookId());
    long count = counts.merge(webhookId, 1L, Long::sum);
    total++;
    if (count == 1) {
      LOG.info("{} first message of webhook {} filtered by its {} (message {}): acked, not delivered; "
          + "counts follow at most once a minute", tag, webhookId, reason, delivery.messageId());
    } else {
      LOG.debug("{} message {} (webhook {}) filtered by its {}: acked, not delivered", tag,
          delivery.messageId(), webhookId, reason);
    }
    long now = clock.getAsLong();
    if (now - summaryAt >= SUMMARY_INTERVAL_MILLIS) {
      summaryAt = now;
      logSummary();
    }
  }

  /** Messages filtered so far (acked, not delivered). */
  long total() {
    return total;
  }

  /** Messages filtered so far per webhook id. */
  Map<String, Long> counts() {
    return Map.copyOf(counts);
  }

  void logSummary() {
    if (total > 0) {
      LOG.info("{} {} message(s) filtered since start (acked, not delivered), by webhook id: {}", tag, total, counts);
    }
  }
}
