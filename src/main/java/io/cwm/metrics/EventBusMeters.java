package io.cwm.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The event-bus meters ({@code vertx_eventbus_*}), with the names and meanings of
 * vertx-micrometer-metrics and the labels {@link CwmMetrics#vertxOptions()} keeps (the side; no
 * address: session addresses carry connection ids). Every meter is registered once, when Vert.x is
 * built. vertx-micrometer-metrics 5.0 registers its gauges again for every handler and every
 * received message (by design: its gauges are keyed by tags); with the address label off every
 * handler shares one gauge id, so the second consumer registered at start-up made Micrometer
 * (1.13.9+) log "This Gauge has been already registered (vertx.eventbus.handlers)", and every
 * message paid a registry lookup.
 */
final class EventBusMeters implements EventBusMetrics<Object> {
  /** What {@link #handlerRegistered} hands back for a counted handler (Vert.x passes it back). */
  private static final Object COUNTED = new Object();
  private static final String LOCAL = "local";
  private static final String REMOTE = "remote";

  private final AtomicLong handlers = new AtomicLong();
  private final Side local;
  private final Side remote;
  private final Counter replyFailures;
  private final DistributionSummary bytesRead;
  private final DistributionSummary bytesWritten;

  EventBusMeters(MeterRegistry registry, MetricsNaming naming) {
    String prefix = MetricsDomain.EVENT_BUS.getPrefix();
    Gauge.builder(prefix + naming.getEbHandlers(), handlers, AtomicLong::get)
        .description("Number of event bus handlers in use").register(registry);
    local = new Side(registry, naming, prefix, LOCAL);
    remote = new Side(registry, naming, prefix, REMOTE);
    replyFailures = Counter.builder(prefix + naming.getEbReplyFailures())
        .description("Number of message reply failures").register(registry);
    bytesRead = DistributionSummary.builder(prefix + naming.getEbBytesRead())
        .description("Number of bytes received while reading messages from event bus cluster peers").register(registry);
    bytesWritten = DistributionSummary.builder(prefix + naming.getEbBytesWritten())
        .description("Number of bytes sent while sending messages to event bus cluster peers").register(registry);
  }

  /** Vert.x's own addresses ({@code __vertx.*}) are not counted, as in vertx-micrometer-metrics. */
  private static boolean internal(String address) {
    return address.startsWith("__vertx.");
  }

  private Side side(boolean isLocal) {
    return isLocal ? local : remote;
  }

  @Override
  public Object handlerRegistered(String address) {
    if (internal(address)) {
      return null;
    }
    handlers.incrementAndGet();
    return COUNTED;
  }

  @Override
  public void handlerUnregistered(Object handler) {
    if (handler != null) {
      handlers.decrementAndGet();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean isLocal, boolean isRemote) {
    if (!internal(address)) {
      (publish ? side(isLocal).published : side(isLocal).sent).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean isLocal, int handlerCount) {
    if (internal(address)) {
      return;
    }
    Side side = side(isLocal);
    side.received.increment();
    if (handlerCount > 0) {
      side.pending.addAndGet(handlerCount);
      side.delivered.increment();
    }
  }

  @Override
  public void messageDelivered(Object handler, boolean isLocal) {
    if (handler != null) {
      Side side = side(isLocal);
      side.pending.decrementAndGet();
      side.processed.increment();
    }
  }

  @Override
  public void discardMessage(Object handler, boolean isLocal, Message<?> message) {
    if (handler != null) {
      Side side = side(isLocal);
      side.pending.decrementAndGet();
      side.discarded.increment();
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    if (!internal(address)) {
      bytesWritten.record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    if (!internal(address)) {
      bytesRead.record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!internal(address)) {
      replyFailures.increment();
    }
  }

  /** The meters of one side: messages of this process ({@code local}) or of cluster peers ({@code remote}). */
  private static final class Side {
    final AtomicLong pending = new AtomicLong();
    final Counter published;
    final Counter sent;
    final Counter received;
    final Counter delivered;
    final Counter processed;
    final Counter discarded;

    Side(MeterRegistry registry, MetricsNaming naming, String prefix, String side) {
      Tags tags = Tags.of(Label.EB_SIDE.toString(), side);
      Gauge.builder(prefix + naming.getEbPending(), pending, AtomicLong::get)
          .description("Number of messages not processed yet").tags(tags).register(registry);
      published = counter(registry, prefix + naming.getEbPublished(), "Number of messages published (publish / "
          + "subscribe)", tags);
      sent = counter(registry, prefix + naming.getEbSent(), "Number of messages sent (point-to-point)", tags);
      received = counter(registry, prefix + naming.getEbReceived(), "Number of messages received", tags);
      delivered = counter(registry, prefix + naming.getEbDelivered(), "Number of messages delivered to handlers", tags);
      processed = counter(registry, prefix + naming.getEbProcessed(), "Number of processed messages", tags);
      discarded = counter(registry, prefix + naming.getEbDiscarded(), "Number of discarded messages", tags);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
      return Counter.builder(name).description(description).tags(tags).register(registry);
    }
  }
}
