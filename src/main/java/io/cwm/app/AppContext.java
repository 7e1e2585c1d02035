package io.cwm.app;

import io.cwm.admin.AdminAuth;
import io.cwm.analytics.EventLog;
import io.cwm.analytics.EventLogSettings;
import io.cwm.analytics.EventLogVerticle;
import io.vertx.core.Promise;
import io.cwm.buffer.Readiness;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.LiveConfig;
import io.cwm.config.EdgeSettings;
import io.cwm.config.Env;
import io.cwm.config.ReceiverSettings;
import io.cwm.stream.TokenGuard;
import io.cwm.config.ChannelSpec;
import io.cwm.http.BodyBudget;
import io.cwm.ingest.EndpointRateLimiter;
import io.cwm.ingest.StatsRecorder;
import io.cwm.buffer.MessageBuffer;
import io.cwm.metrics.CwmMetrics;
import io.cwm.trace.Tracing;
import io.cwm.metrics.MetricsAccess;
import io.cwm.admin.AdminRoutes;
import io.cwm.admin.ConfigRoutes;
import io.cwm.console.ConsoleRoutes;
import io.cwm.console.MessageTrail;
import io.cwm.buffer.BufferObserver;
import io.cwm.config.EnvVars;
import io.cwm.admin.AdminVerticle;
import io.cwm.http.Hardening;
import io.cwm.http.Routes;
import io.cwm.ingest.IngestVerticle;
import io.cwm.ingest.ServiceRoutes;
import io.cwm.ingest.WebhookRoutes;
import io.cwm.openapi.OpenApiRoutes;
import io.cwm.stream.edge.ConnectRoutes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The composition root's view of one process: the config snapshot, settings from the
 * environment, and the process-wide objects (counters, rate limiters, token cache, body budget,
 * metrics). Built once by {@link Launcher}; no verticle receives it: it builds each verticle's own
 * dependency record ({@link #ingest()}, {@link #admin()}, ...).
 */
public final class AppContext {
  private final Env env;
  private final Clock clock;
  private final ReceiverSettings settings;
  private final LiveConfig config;
  private final String host;
  private final int port;
  private final StatsRecorder stats;
  private final EndpointRateLimiter rootLimiter;
  private final EndpointRateLimiter statsLimiter;
  private final AtomicInteger tasksInFlight = new AtomicInteger();
  private final TokenGuard tokenGuard;
  private final Promise<String> fatal = Promise.promise();
  private final long startedAt;
  private final AdminAuth adminAuth;
  private final Readiness readiness;
  private final Integer adminPort;
  private final AtomicInteger adminBoundPort = new AtomicInteger(-1);
  private final AtomicInteger boundPort = new AtomicInteger(-1);

  private final Supplier<MessageBuffer> bufferFactory;
  private final CwmMetrics metrics;
  private final Tracing tracing;
  private final EdgeSettings edge;
  private final BodyBudget bodyBudget;
  private final MetricsAccess metricsAccess;
  private final EventLogSettings eventLogSettings;
  private final EventLog eventLog;
  private final MessageTrail trail;
  private ConsoleRoutes console;
  private volatile ConfigReloader reloader;
  private volatile Supplier<String> configBackend = () -> "file";
  private volatile boolean filesBackend = true;

  public AppContext(Env env, Clock clock, ConfigSnapshot config, String host, int port,
      Integer adminPort, Supplier<MessageBuffer> bufferFactory, CwmMetrics metrics, Tracing tracing) {
    this.tracing = tracing;
    this.adminPort = adminPort;
    this.bufferFactory = bufferFactory;
    this.metrics = metrics;
    this.env = env;
    this.clock = clock;
    this.settings = ReceiverSettings.fromEnv(env);
    this.config = new LiveConfig(config);
    this.config.onSwap(next -> metrics.configure(next.webhooks().keySet(), next.channels().keySet()));
    this.host = host;
    this.port = port;
    this.stats = new StatsRecorder(clock);
    this.rootLimiter = new EndpointRateLimiter(settings.defaultEndpointRateLimit(), clock);
    this.statsLimiter = new EndpointRateLimiter(settings.statsRateLimit(), clock);
    this.tokenGuard = new TokenGuard(clock);
    this.startedAt = clock.millis();
    this.adminAuth = AdminAuth.fromEnv(env);
    this.readiness = new Readiness(clock, () -> !this.config.channels().isEmpty());
    this.edge = EdgeSettings.fromEnv(env,
        config.channels().values().stream().mapToInt(ChannelSpec::heartbeatIntervalSeconds).max().orElse(0));
    this.bodyBudget = new BodyBudget(edge.bodyBudgetBytes());
    metrics.bodyBudget(bodyBudget.capacity(), bodyBudget::inUse);
    this.metricsAccess = MetricsAccess.fromEnv(env, adminPort != null);
    this.trail = env.get(EnvVars.CWM_CONSOLE, "true").trim().equalsIgnoreCase("false") ? null
        : new MessageTrail(clock, config.channels().size());
    this.eventLogSettings = EventLogSettings.from(config.connections(), env);
    this.eventLog = eventLogSettings == null ? null : new EventLog(eventLogSettings.queueCapacity());
    if (eventLog != null) {
      metrics.eventLog(eventLog::queued, eventLog::written, eventLog::dropped, eventLog::failed);
    }
  }

  /** The public listener: hardening, webhooks, streaming API, the admin API unless it has its own port, services. */
  public IngestVerticle.Deps ingest() {
    List<Routes> routes = new ArrayList<>(List.of(new Hardening(settings),
        new WebhookRoutes(new WebhookRoutes.Deps(config, clock, settings.maxConcurrentTasks(),
            (long) (settings.taskTimeoutSeconds() * 1000), tasksInFlight, stats, metrics, eventLog, tracing)),
        new ConnectRoutes(config.channels(), tokenGuard, settings.trustedProxyIps())));
    if (adminPort == null) {
      routes.add(adminRoutes());
      routes.add(configRoutes());
      if (trail != null) {
        routes.add(consoleRoutes());
      }
    }
    routes.add(OpenApiRoutes.fromEnv(env, () -> config.current().webhooks().keySet()));
    routes.add(ServiceRoutes.all(serviceDeps()));
    return new IngestVerticle.Deps(host, listenPort(), port, edge, bodyBudget, settings, List.copyOf(routes), boundPort);
  }

  /** The admin listener (on {@code --admin-port} only): the admin API and {@code /metrics}. */
  public AdminVerticle.Deps admin() {
    return new AdminVerticle.Deps(host, adminPort, port, edge, bodyBudget,
        trail == null ? List.of(adminRoutes(), configRoutes(), ServiceRoutes.metricsOnly(serviceDeps()))
            : List.of(adminRoutes(), configRoutes(), consoleRoutes(), ServiceRoutes.metricsOnly(serviceDeps())),
        adminBoundPort);
  }

  /** Python's config admin API, beside the admin API (public port, or the admin port). */
  private ConfigRoutes configRoutes() {
    return new ConfigRoutes(env.get(EnvVars.CONFIG_RELOAD_ADMIN_TOKEN).orElse(null), reloader);
  }

  /** This process's tracing ({@link Tracing#OFF} unless {@code OTEL_*} asks for traces). */
  public Tracing tracing() {
    return tracing;
  }

  /** The receiver's config reloader (set by the Launcher before the listeners are deployed). */
  void reloader(ConfigReloader reloader) {
    this.reloader = reloader;
  }

  /** The reloader, or null in the connector role. */
  public ConfigReloader reloader() {
    return reloader;
  }

  /** What /health says of the config backend: {@code file}, or etcd's {@code healthy} / {@code disconnected}. */
  void configBackend(Supplier<String> state) {
    this.configBackend = state;
    this.filesBackend = false;
  }

  /** Whether the config comes from the files (not etcd). */
  boolean configBackendIsFiles() {
    return filesBackend;
  }

  private AdminRoutes adminRoutes() {
    return new AdminRoutes(new AdminRoutes.Deps(config.channels(), tokenGuard, adminAuth, readiness, clock,
        settings.trustedProxyIps(), startedAt));
  }

  /**
   * The operator console, beside the admin API (issue 17): one per process, so its limits on
   * calls and streams hold over every listener instance.
   */
  private synchronized ConsoleRoutes consoleRoutes() {
    if (console == null) {
      console = new ConsoleRoutes(new ConsoleRoutes.Deps(config, adminAuth, readiness, trail, clock,
          BufferBackends.choose(env), nodeName(), adminPort != null, reloader));
    }
    return console;
  }

  private static String nodeName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException unknown) {
      return "local";
    }
  }

  /**
   * Told of every buffer operation: the console's message trail, which every buffer instance of
   * the process feeds; nothing when the console is off ({@code CWM_CONSOLE=false}).
   */
  public BufferObserver bufferObserver() {
    return trail == null ? BufferObserver.NONE : trail;
  }

  private ServiceRoutes.Deps serviceDeps() {
    return new ServiceRoutes.Deps(settings, rootLimiter, statsLimiter, stats, readiness, metrics, metricsAccess,
        config.channels().values(), () -> configBackend.get());
  }

  /**
   * The ClickHouse event log's writer (receiver logging), or null when the log is off (no
   * clickhouse connection, or {@code CWM_CLICKHOUSE_EVENT_LOG=false}).
   */
  public EventLogVerticle eventLogWriter() {
    return eventLog == null ? null : new EventLogVerticle(eventLog, eventLogSettings, stats::snapshot);
  }

  /** The ClickHouse event log's queue, or null when it is off. */
  public EventLog eventLog() {
    return eventLog;
  }

  /** Who may read /metrics on which port. */
  public MetricsAccess metricsAccess() {
    return metricsAccess;
  }

  /** Timeouts and the body budget of the HTTP listeners. */
  public EdgeSettings edge() {
    return edge;
  }

  /** Request-body bytes held by this process at once, over every listener. */
  public BodyBudget bodyBudget() {
    return bodyBudget;
  }

  public AdminAuth adminAuth() {
    return adminAuth;
  }

  /** Buffer reachability, cached: readiness probe, health, admin. */
  public Readiness readiness() {
    return readiness;
  }

  /** The separate admin port, or null when the admin API is on the public port. */
  public Integer adminPort() {
    return adminPort;
  }

  /** The port the admin listener bound (tests use port 0); -1 before it is up or when there is none. */
  public AtomicInteger adminBoundPort() {
    return adminBoundPort;
  }

  /** Completed with a reason when the process must stop with exit code 1 (a connector gave up). */
  public Promise<String> fatal() {
    return fatal;
  }

  /** This process's view of the channel tokens kept in the buffer backend. */
  public TokenGuard tokenGuard() {
    return tokenGuard;
  }

  /** When this process started (epoch millis): the {@code created_at} of config-defined channels. */
  public long startedAt() {
    return startedAt;
  }

  /** Creates the configured buffer backend (only ChannelBufferVerticle calls it). */
  public Supplier<MessageBuffer> bufferFactory() {
    return bufferFactory;
  }

  public Env env() {
    return env;
  }

  public Clock clock() {
    return clock;
  }

  public ReceiverSettings settings() {
    return settings;
  }

  /** The config in force now (a reload replaces it: see {@link #liveConfig()}). */
  public ConfigSnapshot config() {
    return config.current();
  }

  /** The config holder every listener and verticle of the process reads; a reload swaps it. */
  public LiveConfig liveConfig() {
    return config;
  }

  public String host() {
    return host;
  }

  /** The configured public port; 0 = any free port (see {@link #boundPort()}). */
  public int port() {
    return port;
  }

  /**
   * The port the public HTTP servers listen on: the configured one, or -1 for 0, which Vert.x reads
   * as one free port shared by every instance (with 0 each instance would bind a port of its own).
   */
  public int listenPort() {
    return port == 0 ? -1 : port;
  }

  /** The port the public listener bound (set by the edge once it listens); -1 before. */
  public AtomicInteger boundPort() {
    return boundPort;
  }

  public StatsRecorder stats() {
    return stats;
  }

  public EndpointRateLimiter rootLimiter() {
    return rootLimiter;
  }

  public EndpointRateLimiter statsLimiter() {
    return statsLimiter;
  }

  /** The process's metrics (Prometheus registry shared with Vert.x). */
  public CwmMetrics metrics() {
    return metrics;
  }

  /** Module tasks (direct webhooks) running now in this process; bounded by MAX_CONCURRENT_TASKS. */
  public AtomicInteger tasksInFlight() {
    return tasksInFlight;
  }
}
