package io.cwm.connector;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connector: one channel of one receiver (spec §8). Wires the pieces on one event loop: the
 * {@link StreamLink} of the configured protocol, {@link Reconnect} for when to connect again, a
 * heartbeat watchdog, and the {@link DeliveryWindow} that delivers each message through the
 * {@link Deliverer} and acks or nacks it on the connection it came from.
 *
 * <p>Refusals (HTTP 401/403/404 at connect, close 4001/4002) are retried with the reconnect
 * back-off, forever by default: a receiver may create a channel only at its first webhook, so a
 * connector started first is refused for a while (spec §3.2, §9.2). They are logged at WARN on
 * the first one and then at most once per {@link #REFUSAL_LOG_INTERVAL_MILLIS}, with the count.
 * Only with {@code max_refused_attempts} &gt; 0 does the connector give up after that many in a row
 * (no connection in between), and the process exits 1. Other failures (network, 5xx, a full
 * channel) are always retried.
 *
 * <p>Stop (SIGTERM): the window drains (queued messages nacked at once, running ones given
 * {@code shutdown_grace_seconds}, delayed nacks sent), then the stream closes (WebSocket 1001
 * Going Away).
 */
public final class ConnectorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectorVerticle.class);
  /** While the receiver keeps refusing, one WARN line per this period (the others at DEBUG). */
  static final long REFUSAL_LOG_INTERVAL_MILLIS = 60_000;

  private final ConnectorConfig config;
  private final Function<Vertx, Deliverer> delivererFactory;
  private final Consumer<String> giveUp;
  private final java.util.function.BiConsumer<String, Circuit> circuitMeters;
  private final String connectorId;
  private final String tag;

  private Deliverer deliverer;
  private Endpoints endpoints;
  private WebSocketClient webSockets;
  private HttpClient http;
  private Reconnect reconnect;
  private StreamLink link;
  private boolean stopping;
  private int refusedInARow;
  /** When the last refusal was logged at WARN (0: none in this run of refusals). */
  private long refusalLoggedAt;
  private long lastAlive;
  private long reconnectTimer = -1;
  private long watchdogTimer = -1;
  private DeliveryWindow window;
  /** The targets' (or module mode: local entries') filters; {@link DeliveryWindow.Screen#NONE} without any. */
  private DeliveryWindow.Screen screen;

  /**
   * @param delivererFactory builds the HTTP or module deliverer on this verticle's Vert.x
   * @param giveUp called once with the reason when the receiver keeps refusing us
   */
  public ConnectorVerticle(ConnectorConfig config, Function<Vertx, Deliverer> delivererFactory,
      Consumer<String> giveUp) {
    this(config, delivererFactory, giveUp, (channel, circuit) -> { });
  }

  /**
   * @param circuitMeters told (channel, circuit) once per circuit of the targets at start (issue 16: metrics)
   */
  public ConnectorVerticle(ConnectorConfig config, Function<Vertx, Deliverer> delivererFactory,
      Consumer<String> giveUp, java.util.function.BiConsumer<String, Circuit> circuitMeters) {
    this.circuitMeters = circuitMeters;
    this.config = config;
    this.delivererFactory = delivererFactory;
    this.giveUp = giveUp;
    this.connectorId = config.connectorId() != null ? config.connectorId()
        : "cwm-" + UUID.randomUUID().toString().substring(0, 8);
    this.tag = "[channel: " + config.channel() + "]";
  }

  /** Traces each delivery (issue 19) with {@code value}. Before deployment. */
  public ConnectorVerticle tracing(io.cwm.trace.Tracing value) {
    this.tracing = value;
    return this;
  }

  private io.cwm.trace.Tracing tracing = io.cwm.trace.Tracing.OFF;

  @Override
  public Future<?> start() {
    deliverer = delivererFactory.apply(vertx);
    reconnect = new Reconnect(config.reconnectDelay(), config.maxReconnectDelay(),
        config.reconnectBackoffMultiplier(), System::currentTimeMillis, () -> ThreadLocalRandom.current().nextDouble());
    screen = deliverer instanceof ModuleDeliverer module ? module.filters(tag)
        : ConnectorFilters.of(config, tag, System::currentTimeMillis);
    Circuits circuits = Circuits.of(config, System::currentTimeMillis);
    circuits.all().forEach(circuit -> circuitMeters.accept(config.channel(), circuit));
    window = new DeliveryWindow(tag, config.maxConcurrentRequests(), deliverer, DeliveryWindow.Timers.of(vertx),
        new RecentDeliveries(System::currentTimeMillis), reconnect::delivered, screen, circuits,
        System::currentTimeMillis);
    window.tracing(tracing);
    endpoints = Endpoints.of(config.cloudUrl(), config.channel());
    // max_message_bytes: a bigger frame or message ends the socket (WebSocketLink) and we reconnect
    WebSocketClientOptions wsOptions = ClientTls.webSocket(config, endpoints.tls())
        .setMaxFrameSize(config.maxMessageBytes()).setMaxMessageSize(config.maxMessageBytes());
    webSockets = vertx.createWebSocketClient(wsOptions);
    HttpClientOptions httpOptions = ClientTls.http(config, endpoints.tls()).setKeepAlive(true);
    // the stream (SSE or a poll) holds one connection; acks use the others
    http = vertx.createHttpClient(httpOptions,
        new PoolOptions().setHttp1MaxSize(Math.max(4, config.maxConcurrentRequests() + 2)));
    if (!config.protocol().equals(ConnectorConfig.LONG_POLL)) {
      long period = Math.max(500, (long) (config.heartbeatTimeout() * 500));
      watchdogTimer = vertx.setPeriodic(period, id -> watchdog());
    }
    LOG.info("{} connector {} starting: {} to {} ({} mode, up to {} deliveries at once)", tag, connectorId,
        config.protocol(), config.cloudUrl(), config.httpMode() ? "http" : "module", config.maxConcurrentRequests());
    connect();
    return Future.succeededFuture();
  }

  // ---------------------------------------------------------------- connection lifecycle

  private void connect() {
    reconnectTimer = -1;
    if (stopping) {
      return;
    }
    StreamLink.Listener listener = new StreamLink.Listener() {
      @Override
      public boolean onMessage(Delivery delivery) {
        return ConnectorVerticle.this.onMessage(this, delivery);
      }

      @Override
      public void onAlive() {
        lastAlive = System.currentTimeMillis();
      }

      @Override
      public void onFlowSupported() {
        StreamLink from = linkOf.get(this);
        if (from != null) {
          window.flowSupported(from);
        }
      }
    };
    StreamLink fresh = newLink(listener);
    linkOf.put(listener, fresh);
    link = fresh;
    LOG.info("{} connecting ({})", tag, config.protocol());
    fresh.open().onComplete(opened -> {
      if (opened.failed()) {
        disconnected(fresh, opened.cause());
        return;
      }
      reconnect.connected();
      lastAlive = System.currentTimeMillis(); // the watchdog starts at connect
      if (refusedInARow > 0) {
        LOG.info("{} connected ({}) after {} refusal(s) in a row", tag, config.protocol(), refusedInARow);
      } else {
        LOG.info("{} connected ({})", tag, config.protocol());
      }
      refusedInARow = 0;
      refusalLoggedAt = 0;
      window.linkUp(fresh);
      if (stopping) {
        fresh.close(1001, "Going Away");
        return;
      }
      fresh.ended().onComplete(ended -> disconnected(fresh, ended.failed() ? ended.cause() : null));
    });
  }

  /** The link a listener belongs to (listeners are created per link). */
  private final Map<StreamLink.Listener, StreamLink> linkOf = new HashMap<>();

  private StreamLink newLink(StreamLink.Listener listener) {
    return switch (config.protocol()) {
      case ConnectorConfig.SSE -> new SseLink(vertx, http, endpoints,
          SseLink.streamRequest(endpoints, config.token(), connectorId), config.token(), config.maxMessageBytes(),
          listener);
      case ConnectorConfig.LONG_POLL -> new PollLink(vertx, http, endpoints, config.token(), connectorId,
          window::pollSize, reconnect.curve(), config.maxMessageBytes(), listener);
      default -> {
        WebSocketConnectOptions options = endpoints.webSocket();
        options.addHeader("Authorization", "Bearer " + config.token());
        options.addHeader("X-Connector-ID", connectorId);
        options.setTimeout((long) (config.connectionTimeout() * 1000));
        yield new WebSocketLink(webSockets, options, config.maxMessageBytes(), listener);
      }
    };
  }

  private void disconnected(StreamLink ended, Throwable cause) {
    linkOf.values().remove(ended);
    if (link != ended) {
      return;
    }
    link = null;
    if (stopping) {
      return;
    }
    boolean wasUp = reconnect.isConnected();
    reconnect.ended();
    String reason = cause == null ? "closed" : cause.getMessage();
    if (cause instanceof StreamLink.Refused refused) {
      refusedInARow++;
      int limit = config.maxRefusedAttempts();
      if (limit > 0 && refusedInARow >= limit) {
        String message = "channel " + config.channel() + ": the receiver at " + config.cloudUrl() + " refused "
            + refusedInARow + " connections in a row (" + refused.getMessage()
            + "): wrong token or unknown channel; giving up (max_refused_attempts " + limit + ")";
        LOG.error("{} {}", tag, message);
        stopping = true;
        window.stop();
        giveUp.accept(message);
        return;
      }
      long wait = reconnect.nextDelayMillis();
      logRefusal(refused, wait);
      reconnectTimer = vertx.setTimer(wait, id -> connect());
      return;
    }
    long wait = reconnect.nextDelayMillis();
    LOG.info("{} {}: {}; reconnecting in {} s", tag, wasUp ? "disconnected" : "could not connect", reason,
        seconds(wait));
    reconnectTimer = vertx.setTimer(wait, id -> connect());
  }

  /**
   * A refusal: WARN for the first of a run and then once per {@link #REFUSAL_LOG_INTERVAL_MILLIS}
   * with the count, DEBUG otherwise, so a connector waiting for its channel does not write a
   * line per attempt forever.
   */
  private void logRefusal(StreamLink.Refused refused, long wait) {
    long now = System.currentTimeMillis();
    int limit = config.maxRefusedAttempts();
    String until = limit > 0 ? "gives up after " + limit : "retrying until accepted";
    if (refusalLoggedAt == 0 || now - refusalLoggedAt >= REFUSAL_LOG_INTERVAL_MILLIS) {
      refusalLoggedAt = now;
      LOG.warn("{} refused by the receiver ({}): {} refusal(s) in a row (wrong token, or a channel the receiver "
              + "does not have yet); {}, next attempt in {} s; the next such line in {} s at the earliest", tag,
          refused.getMessage(), refusedInARow, until, seconds(wait), REFUSAL_LOG_INTERVAL_MILLIS / 1000);
    } else {
      LOG.debug("{} refused by the receiver ({}): {} refusal(s) in a row; next attempt in {} s", tag,
          refused.getMessage(), refusedInARow, seconds(wait));
    }
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
  }

  private void watchdog() {
    StreamLink current = link;
    if (current == null || !reconnect.isConnected()) {
      return;
    }
    long silent = System.currentTimeMillis() - lastAlive;
    if (silent > config.heartbeatTimeout() * 1000) {
      LOG.warn("{} nothing from the receiver for {} s (heartbeat_timeout {} s): reconnecting", tag, silent / 1000,
          config.heartbeatTimeout());
      current.close(4000, "Heartbeat timeout");
    }
  }

  // ---------------------------------------------------------------- deliveries

  /** Takes a message for delivery; false when it is one the connector already has. */
  private boolean onMessage(StreamLink.Listener from, Delivery delivery) {
    StreamLink source = linkOf.get(from);
    if (source == null) {
      return true; // not started: the receiver requeues it when this connection ends
    }
    return window.offer(source, delivery);
  }

  // ---------------------------------------------------------------- stop

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(reconnectTimer);
    vertx.cancelTimer(watchdogTimer);
    return window.drain((long) (config.shutdownGraceSeconds() * 1000)).compose(done -> {
      StreamLink current = link;
      if (current != null) {
        // let the last acks leave before the close frame
        Promise<Void> closed = Promise.promise();
        vertx.setTimer(100, id -> {
          current.close(1001, "Going Away");
          current.ended().onComplete(ended -> closed.tryComplete());
          vertx.setTimer(2000, id2 -> closed.tryComplete());
        });
        return closed.future();
      }
      return Future.<Void>succeededFuture();
    }).compose(closed -> deliverer.close()).onComplete(done -> {
      if (screen instanceof ConnectorFilters filters) {
        filters.logSummary();
      }
      LOG.info("{} connector stopped", tag);
    });
  }
}
