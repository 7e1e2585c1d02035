package io.cwm.metrics;

import io.cwm.buffer.ChannelStats;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The process's metrics, exposed for Prometheus at {@code GET /metrics}: cwm's own meters (below),
 * plus the Vert.x (HTTP server, event bus, pools) and JVM meters that vertx-micrometer-metrics
 * writes into the same registry (see {@link #vertxOptions()}). One instance per process, held by
 * the {@code AppContext}.
 *
 * <p>Every label value comes from a bounded set: webhook ids and channels from the config (anything
 * else is folded into {@value #UNKNOWN}), statuses and failure codes from small enums, HTTP methods
 * folded to the standard ones. Meters are created once and cached, so the methods called on the
 * request path are a map lookup and an increment.
 */
public final class CwmMetrics {
  /** Label value of every webhook id that is not a webhooks.json entry. */
  public static final String UNKNOWN = "_unknown";
  public static final String WEBSOCKET = "websocket";
  public static final String SSE = "sse";
  public static final String LONG_POLL = "long_poll";
  /** Content type of {@link #scrape()}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String[] PROTOCOLS = {WEBSOCKET, SSE, LONG_POLL};
  private static final int MIN_STATUS = 100;
  private static final int MAX_STATUS = 599;
  private static final String[] REASONS = reasons();
  /** Methods outside this set would be an attacker-chosen label value: they become OTHER. */
  private static final Map<String, Iterable<Tag>> METHOD_TAGS = methodTags();
  private static final Iterable<Tag> OTHER_METHOD = Tags.of(Label.HTTP_METHOD.toString(), "OTHER");

  private final PrometheusMeterRegistry registry;
  /** Replaced whole (copy on write) when a reload adds ids: read on every request without a lock. */
  private volatile Map<String, WebhookCounters> webhooks;
  private final WebhookCounters unknownWebhook;
  private final ConcurrentMap<String, AtomicReferenceArray<Counter>> validationFailures = new ConcurrentHashMap<>();
  private volatile Map<String, ChannelMeters> channels;
  private final boolean hideWebhookIds;
  /** What the circuit meters read, kept reachable. */
  private final java.util.List<Object> circuitSuppliers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param registry the registry Vert.x was built with ({@link #newRegistry()})
   * @param webhookIds the webhooks.json entry ids: the only values the {@code webhook_id} label takes
   *     besides {@value #UNKNOWN}
   * @param channels the Webhook Connect channels of the config
   * @param hideWebhookIds label webhooks with {@code webhook_<sha256 prefix>} instead of their id, as
   *     {@code /stats} does with {@code STATS_SANITIZE_IDS}
   */
  public CwmMetrics(PrometheusMeterRegistry registry, Set<String> webhookIds, Set<String> channels,
      boolean hideWebhookIds) {
    this.registry = registry;
    this.hideWebhookIds = hideWebhookIds;
    Map<String, WebhookCounters> byId = new HashMap<>();
    for (String id : webhookIds) {
      byId.put(id, new WebhookCounters(hideWebhookIds ? hidden(id) : id));
    }
    this.webhooks = Map.copyOf(byId);
    this.unknownWebhook = new WebhookCounters(UNKNOWN);
    Map<String, ChannelMeters> byChannel = new HashMap<>();
    for (String channel : channels) {
      byChannel.put(channel, new ChannelMeters(channel));
    }
    this.channels = Map.copyOf(byChannel);
  }

  /**
   * After a config reload: the label values of webhook ids and channels that are new. Series of ids
   * that left the config stay (their counts are history); an id unknown to the config is still
   * {@value #UNKNOWN}.
   */
  public synchronized void configure(Set<String> webhookIds, Set<String> channelNames) {
    if (!webhooks.keySet().containsAll(webhookIds)) {
      Map<String, WebhookCounters> byId = new HashMap<>(webhooks);
      webhookIds.forEach(id -> byId.computeIfAbsent(id, added -> new WebhookCounters(
          hideWebhookIds ? hidden(added) : added)));
      webhooks = Map.copyOf(byId);
    }
    if (!channels.keySet().containsAll(channelNames)) {
      Map<String, ChannelMeters> byChannel = new HashMap<>(channels);
      channelNames.forEach(name -> byChannel.computeIfAbsent(name, ChannelMeters::new));
      channels = Map.copyOf(byChannel);
    }
  }

  /** The registry for one process; pass it to Vert.x ({@code withMetrics}) and to the constructor. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Vert.x metrics options for {@code VertxOptions.setMetricsOptions}: HTTP server, event bus and
   * pool meters plus the JVM binders (memory, GC, threads, class loading, processor, uptime), whose
   * lifecycle follows Vert.x's. Labels: status code, route template (never the raw path: webhook ids
   * are in paths), method folded to the standard ones; no event-bus address (session addresses
   * carry connection ids). The registry name is unique so that several processes in one JVM (tests)
   * do not share Vert.x's static registry table.
   */
  public static MicrometerMetricsOptions vertxOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName("cwm-" + UUID.randomUUID())
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE))
        .setServerRequestTagsProvider(request -> METHOD_TAGS.getOrDefault(request.method().name(), OTHER_METHOD))
        .setClientRequestTagsProvider(request -> METHOD_TAGS.getOrDefault(request.method().name(), OTHER_METHOD));
  }

  /**
   * The Vert.x metrics factory for {@code Vertx.builder().withMetrics(...)}: vertx-micrometer-metrics
   * writing into {@code registry}, with the event-bus meters registered once ({@link EventBusMeters}).
   */
  public static io.vertx.core.spi.VertxMetricsFactory vertxMetricsFactory(PrometheusMeterRegistry registry) {
    return VertxMeters.factory(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Everything in Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * A webhook request got its answer ({@code cwm_webhooks_received_total}). Called by the receiver
   * routes once the status is final, for every answer including 404 and 413.
   *
   * @param webhookId the id from the URL; ids that are not webhooks.json entries (also those served
   *     by the {@code default} entry) count as {@value #UNKNOWN}
   */
  public void webhookReceived(String webhookId, int status) {
    WebhookCounters counters = webhookId == null ? null : webhooks.get(webhookId);
    (counters == null ? unknownWebhook : counters).increment(status);
  }

  /**
   * The webhook's {@code filters} kept a request from delivery ({@code cwm_webhooks_filtered_total}):
   * answered 200, not queued nor delivered. Same {@code webhook_id} label as
   * {@link #webhookReceived}.
   */
  public void webhookFiltered(String webhookId) {
    WebhookCounters counters = webhookId == null ? null : webhooks.get(webhookId);
    (counters == null ? unknownWebhook : counters).filtered();
  }

  /**
   * A webhook with {@code dedup} was a duplicate: answered with its first message's id, not queued
   * again ({@code cwm_dedup_duplicates_total{webhook_id}}).
   */
  public void duplicateDropped(String webhookId) {
    dedupCounter("cwm.dedup.duplicates", "Webhooks answered as a duplicate of a message stored within "
        + "their dedup window, not queued again", webhookId).increment();
  }

  /**
   * A webhook with {@code dedup} came without its key: relayed without deduplication
   * ({@code cwm_dedup_missing_key_total{webhook_id}}).
   */
  public void dedupKeyMissing(String webhookId) {
    dedupCounter("cwm.dedup.missing.key", "Webhooks of an entry with dedup that carried no key: "
        + "relayed without deduplication", webhookId).increment();
  }

  private Counter dedupCounter(String name, String description, String webhookId) {
    WebhookCounters counters = webhookId == null ? null : webhooks.get(webhookId);
    String label = (counters == null ? unknownWebhook : counters).label;
    // the registry caches meters by name and tags: a lookup, no new meter after the first
    return Counter.builder(name).description(description).tags("webhook_id", label).register(registry);
  }

  /**
   * A validator refused a webhook ({@code cwm_validation_failures_total}). Called by the webhook
   * handler.
   *
   * @param validator the validator's webhooks.json key ({@code hmac}, {@code jwt}, ...)
   * @param failure what it failed with: the reason label is the {@link FailureCode} in lower case
   *     ({@code unauthorized}, {@code forbidden}, {@code rate_limited}, {@code bad_request}, ...),
   *     {@code internal} for anything that is not a {@link CwmException}
   */
  public void validationFailed(String validator, Throwable failure) {
    FailureCode code = failure instanceof CwmException cwm ? cwm.code() : FailureCode.INTERNAL;
    AtomicReferenceArray<Counter> counters = validationFailures.get(validator);
    if (counters == null) {
      counters = validationFailures.computeIfAbsent(validator,
          key -> new AtomicReferenceArray<>(FailureCode.values().length));
    }
    Counter counter = counters.get(code.ordinal());
    if (counter == null) {
      counter = Counter.builder("cwm.validation.failures")
          .description("Webhooks refused by a validator, by validator key and failure reason")
          .tags("validator", validator, "reason", REASONS[code.ordinal()])
          .register(registry);
      counters.set(code.ordinal(), counter);
    }
    counter.increment();
  }

  /**
   * The latest counters of a channel, as the buffer backend reports them. Called by the stream/buffer
   * side (owned by the Webhook Connect code, not the receiver) whenever it reads the stats. The
   * channel's meters appear at the first call, so that the first sample of the cluster-wide totals
   * is their real value, not a jump from zero. Channels not in the config are ignored.
   */
  public void channelStats(ChannelStats stats) {
    ChannelMeters meters = channels.get(stats.channel());
    if (meters != null) {
      meters.update(stats);
    }
  }

  /**
   * The number of connectors of this process on {@code channel} over {@code protocol}
   * ({@code cwm_connect_connectors}). Called by the Webhook Connect edge/stream code when sessions
   * open and close. Unknown channels and protocols are ignored.
   *
   * @param protocol {@value #WEBSOCKET}, {@value #SSE} or {@value #LONG_POLL}
   */
  public void connectors(String channel, String protocol, int count) {
    ChannelMeters meters = channels.get(channel);
    int index = protocolIndex(protocol);
    if (meters != null && index >= 0) {
      meters.connectors[index].set(count);
    }
  }

  /**
   * Issue 16: sessions of this process on {@code channel} that their connector paused because a
   * target's circuit is open ({@code cwm_connect_sessions_paused}). Unknown channels are ignored.
   */
  public void pausedSessions(String channel, int count) {
    ChannelMeters meters = channels.get(channel);
    if (meters != null) {
      meters.paused.set(count);
    }
  }

  /**
   * Issue 16, the connector side: the circuit of one target of the connector of {@code channel}
   * ({@code target} is its name in connector.json, a bounded set). Registers
   * {@code cwm_connector_circuit_state{channel,target}} (0 closed, 1 open, 2 probing),
   * {@code cwm_connector_circuit_probes_total} and {@code cwm_connector_circuit_opened_total}, read at
   * each scrape. A second registration of the same channel and target (a connector redeployed) reads
   * the first one's suppliers: Micrometer keeps the first meter.
   */
  public void circuit(String channel, String target, java.util.function.IntSupplier state,
      java.util.function.LongSupplier probes, java.util.function.LongSupplier opened) {
    Tags tags = Tags.of("channel", channel, "target", target);
    circuitSuppliers.add(probes); // Micrometer holds a function counter's object weakly
    circuitSuppliers.add(opened);
    Gauge.builder("cwm.connector.circuit.state", state::getAsInt)
        .description("Circuit of a connector's target: 0 closed, 1 open (its messages wait in the receiver's "
            + "buffer), 2 probing")
        .tags(tags).register(registry);
    FunctionCounter.builder("cwm.connector.circuit.probes", probes, java.util.function.LongSupplier::getAsLong)
        .description("Probes sent to a target whose circuit was open").tags(tags).register(registry);
    FunctionCounter.builder("cwm.connector.circuit.opened", opened, java.util.function.LongSupplier::getAsLong)
        .description("Times a target's circuit opened").tags(tags).register(registry);
  }

  /**
   * Time from the webhook POST (the envelope's receive time) to the connector's ack
   * ({@code cwm_relay_post_to_ack_seconds}). Called by the stream code when an ack settles a
   * message. Unknown channels are ignored.
   */
  public void ackLatency(String channel, long nanos) {
    ChannelMeters meters = channels.get(channel);
    if (meters != null && nanos >= 0) {
      meters.ackLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Which instance of a per-channel verticle serves each channel in this process:
   * {@code cwm_channel_owner{channel, verticle}} is its instance number (-1 while none does).
   *
   * @param verticle {@code buffer} or {@code stream}
   * @param owner the channel's owning instance, read at each scrape
   */
  public void channelOwners(String verticle, Set<String> channelNames, java.util.function.ToIntFunction<String> owner) {
    for (String channel : channelNames) {
      Gauge.builder("cwm.channel.owner", () -> owner.applyAsInt(channel))
          .description("Instance of the buffer or stream verticle that owns the channel in this process")
          .tags(Tags.of("channel", channel, "verticle", verticle)).register(registry);
    }
  }

  /**
   * The request-body budget of the HTTP edge: {@code cwm_http_body_budget_bytes} (capacity) and
   * {@code cwm_http_body_in_flight_bytes} (held now by bodies being read or processed).
   */
  public void bodyBudget(long capacity, java.util.function.LongSupplier inFlight) {
    Gauge.builder("cwm.http.body.budget", () -> capacity).baseUnit("bytes")
        .description("Request-body bytes the process may hold at once").register(registry);
    Gauge.builder("cwm.http.body.in.flight", inFlight::getAsLong).baseUnit("bytes")
        .description("Request-body bytes held now by bodies being read or processed").register(registry);
  }

  /**
   * The ClickHouse event log (receiver logging): {@code cwm_event_log_queued} rows waiting in its
   * bounded queue, and the counters {@code cwm_event_log_rows_total{outcome="written|dropped|failed"}}:
   * written to ClickHouse, dropped because the queue was full, refused by ClickHouse for good.
   */
  public void eventLog(java.util.function.LongSupplier queued, java.util.function.LongSupplier written,
      java.util.function.LongSupplier dropped, java.util.function.LongSupplier failed) {
    Gauge.builder("cwm.event.log.queued", queued::getAsLong)
        .description("Event-log rows waiting for the ClickHouse writer").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("cwm.event.log.rows", written, w -> w.getAsLong())
        .tag("outcome", "written").description("Event-log rows by outcome").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("cwm.event.log.rows", dropped, d -> d.getAsLong())
        .tag("outcome", "dropped").description("Event-log rows by outcome").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("cwm.event.log.rows", failed, f -> f.getAsLong())
        .tag("outcome", "failed").description("Event-log rows by outcome").register(registry);
  }

  /**
   * The embedded buffer's store: {@code cwm_buffer_store_bytes{kind="file"}} (the file) and
   * {@code kind="live"} (what its live pages take, as MVStore estimates it).
   */
  public void embeddedStore(java.util.function.LongSupplier fileBytes, java.util.function.LongSupplier liveBytes) {
    Gauge.builder("cwm.buffer.store", fileBytes::getAsLong).baseUnit("bytes").tag("kind", "file")
        .description("Embedded buffer store: size of the file, and of its live data").register(registry);
    Gauge.builder("cwm.buffer.store", liveBytes::getAsLong).baseUnit("bytes").tag("kind", "live")
        .description("Embedded buffer store: size of the file, and of its live data").register(registry);
  }

  private static int protocolIndex(String protocol) {
    for (int i = 0; i < PROTOCOLS.length; i++) {
      if (PROTOCOLS[i].equals(protocol)) {
        return i;
      }
    }
    return -1;
  }

  /** Counters of one webhook id, one per status, created at first use. */
  private final class WebhookCounters {
    private final String label;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(MAX_STATUS - MIN_STATUS + 1);
    private volatile Counter filtered;

    WebhookCounters(String label) {
      this.label = label;
    }

    void filtered() {
      Counter counter = filtered;
      if (counter == null) {
        // the registry returns the same counter to racing threads
        counter = Counter.builder("cwm.webhooks.filtered")
            .description("Webhook requests kept from delivery by the webhook's filters (answered 200, not queued), "
                + "by webhook id")
            .tags("webhook_id", label)
            .register(registry);
        filtered = counter;
      }
      counter.increment();
    }

    void increment(int status) {
      int slot = Math.min(Math.max(status, MIN_STATUS), MAX_STATUS) - MIN_STATUS;
      Counter counter = byStatus.get(slot);
      if (counter == null) {
        // the registry returns the same counter to racing threads
        counter = Counter.builder("cwm.webhooks.received")
            .description("Webhook requests answered, by webhook id (_unknown: not a webhooks.json entry) "
                + "and HTTP status")
            .tags("webhook_id", label, "status", Integer.toString(slot + MIN_STATUS))
            .register(registry);
        byStatus.set(slot, counter);
      }
      counter.increment();
    }
  }

  /** The meters of one configured channel. */
  private final class ChannelMeters {
    private final String channel;
    private final AtomicBoolean registered = new AtomicBoolean();
    private final AtomicInteger[] connectors = new AtomicInteger[PROTOCOLS.length];
    private final AtomicInteger paused = new AtomicInteger();
    private final Timer ackLatency;
    private volatile ChannelStats latest;

    ChannelMeters(String channel) {
      this.channel = channel;
      for (int i = 0; i < PROTOCOLS.length; i++) {
        connectors[i] = new AtomicInteger();
        Gauge.builder("cwm.connect.connectors", connectors[i], AtomicInteger::get)
            .description("Connectors connected to this process, by channel and protocol (sum across receivers)")
            .tags("channel", channel, "protocol", PROTOCOLS[i])
            .register(registry);
      }
      Gauge.builder("cwm.connect.sessions.paused", paused, AtomicInteger::get)
          .description("Connector sessions of this process paused by their connector: a target's circuit is open")
          .tags("channel", channel)
          .register(registry);
      ackLatency = Timer.builder("cwm.relay.post.to.ack")
          .description("Time from the webhook POST to the connector's ack, by channel")
          .tags("channel", channel)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofMinutes(5))
          .distributionStatisticExpiry(Duration.ofMinutes(1))
          .distributionStatisticBufferLength(3)
          .register(registry);
    }

    void update(ChannelStats stats) {
      latest = stats;
      if (!registered.get() && registered.compareAndSet(false, true)) {
        register();
      }
    }

    private void register() {
      Tags tags = Tags.of("channel", channel);
      Gauge.builder("cwm.channel.depth", this, meters -> meters.latest.queued())
          .description("Messages ready for delivery in the channel (cluster-wide, from the buffer backend)")
          .tags(tags).register(registry);
      Gauge.builder("cwm.channel.in.flight", this, meters -> meters.latest.inFlight())
          .description("Messages leased to a connector and not yet settled (cluster-wide, from the buffer backend)")
          .tags(tags).register(registry);
      FunctionCounter.builder("cwm.channel.delivered", this, meters -> meters.latest.delivered())
          .description("Messages acked by a connector; cluster-wide persisted counter read from the buffer "
              + "backend: every receiver reports the same total, aggregate with max, not sum")
          .tags(tags).register(registry);
      FunctionCounter.builder("cwm.channel.dead.lettered", this, meters -> meters.latest.deadLettered())
          .description("Messages moved to the dead letters; cluster-wide persisted counter read from the buffer "
              + "backend: every receiver reports the same total, aggregate with max, not sum")
          .tags(tags).register(registry);
      FunctionCounter.builder("cwm.channel.expired", this, meters -> meters.latest.expired())
          .description("Messages whose TTL ran out before delivery; cluster-wide persisted counter read from the "
              + "buffer backend: every receiver reports the same total, aggregate with max, not sum")
          .tags(tags).register(registry);
    }
  }

  private static String[] reasons() {
    FailureCode[] codes = FailureCode.values();
    String[] reasons = new String[codes.length];
    for (FailureCode code : codes) {
      reasons[code.ordinal()] = code.name().toLowerCase(Locale.ROOT);
    }
    return reasons;
  }

  private static Map<String, Iterable<Tag>> methodTags() {
    Map<String, Iterable<Tag>> tags = new HashMap<>();
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT}) {
      tags.put(method.name(), Tags.of(Label.HTTP_METHOD.toString(), method.name()));
    }
    return Map.copyOf(tags);
  }

  /** The same hidden form as {@code /stats} with STATS_SANITIZE_IDS. */
  private static String hidden(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "webhook_" + HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
