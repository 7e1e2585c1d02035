package io.cwm.app;

import io.cwm.config.EnvVars;
import io.cwm.buffer.BufferCall;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.bus.Addresses;
import io.cwm.bus.ChannelDirectory;
import io.cwm.bus.LocalCodec;
import io.cwm.trace.Tracing;
import io.cwm.stream.SessionEnd;
import io.cwm.stream.StreamCall;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.ConnectorVerticle;
import io.cwm.connector.config.ConnectorConfigLoader;
import io.cwm.connector.HealthFile;
import io.cwm.connector.Deliverer;
import io.cwm.connector.ModuleDeliverer;
import io.cwm.connector.http.HttpDeliverer;
import io.cwm.config.ChannelOwners;
import io.cwm.config.ChannelUpdate;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.ConfigException;
import io.cwm.config.ReceiverSettings;
import io.cwm.config.etcd.EtcdConfigSource;
import io.cwm.config.etcd.EtcdSettings;
import io.cwm.config.vault.VaultSecrets;
import io.cwm.config.vault.VaultSettings;
import io.cwm.metrics.CwmMetrics;
import io.cwm.module.ModuleCall;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.LiveConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a role in this JVM: loads and validates the config (refusing to start on any error),
 * creates Vert.x, and deploys the role's group from verticles.json in order. Used by
 * {@link Main} and by tests.
 */
public final class Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  /** How often the connector's liveness file (CONNECTOR_HEALTH_FILE) is rewritten. */
  static final long HEALTH_FILE_PERIOD_MS = 10_000;

  /**
   * Everything a role needs to start. {@code adminPort}: the admin API's own port, or null to serve
   * it on the public port; {@code connectors}: the validated connectors to run (empty for the
   * receiver role); {@code cluster}: join the Hazelcast cluster {@link ClusterSettings} describes;
   * {@code strictConfig}: unknown webhook entry keys are errors ({@code --strict}; the environment's
   * {@code CWM_STRICT_CONFIG} applies as well); {@code allowDefaultWebhook}: a missing webhooks file
   * means the built-in unauthenticated {@code default} entry instead of a refusal
   * ({@code --allow-default-webhook}; {@code ALLOW_DEFAULT_WEBHOOK=true} applies as well);
   * {@code connectorsForBoundPort}: in the {@code both} role with port 0, the connectors read again
   * with the port the receiver bound ({@link OwnReceiver}), replacing {@code connectors}; null
   * otherwise.
   */
  public record Options(String role, Path webhooks, Path connections, Path verticles, String host,
      int port, Integer adminPort, Path dataDir, Env env, List<ConnectorConfig> connectors, boolean cluster,
      boolean strictConfig, boolean allowDefaultWebhook,
      IntFunction<ConnectorConfigLoader.Result> connectorsForBoundPort) {

    public Options(String role, Path webhooks, Path connections, Path verticles, String host, int port,
        Integer adminPort, Path dataDir, Env env, List<ConnectorConfig> connectors) {
      this(role, webhooks, connections, verticles, host, port, adminPort, dataDir, env, connectors, false);
    }

    public Options(String role, Path webhooks, Path connections, Path verticles, String host, int port,
        Integer adminPort, Path dataDir, Env env, List<ConnectorConfig> connectors, boolean cluster) {
      this(role, webhooks, connections, verticles, host, port, adminPort, dataDir, env, connectors, cluster, false,
          false, null);
    }

    /** Strict about unknown webhook entry keys: the flag, or CWM_STRICT_CONFIG=true. */
    boolean strict() {
      return strictConfig || ConfigLoader.strictFromEnv(env);
    }

    /** The default entry for a missing webhooks file: the flag, or ALLOW_DEFAULT_WEBHOOK=true. */
    boolean defaultWebhookAllowed() {
      return allowDefaultWebhook || allowDefaultWebhookFromEnv(env);
    }
  }

  /** {@code ALLOW_DEFAULT_WEBHOOK=true}: a missing webhooks file serves the built-in default entry. */
  public static boolean allowDefaultWebhookFromEnv(Env env) {
    return env.flag(EnvVars.ALLOW_DEFAULT_WEBHOOK);
  }

  /**
   * A started process: its Vert.x, context and deployments (in the order they were deployed).
   * {@link #close()} undeploys them in reverse order, one after the other, then closes Vert.x: the
   * edge (ingest) stops first and drains its requests while the buffer is still there to answer
   * them; connectors (role {@code both}) drain before the receiver side goes.
   */
  public record Running(Vertx vertx, AppContext app, List<String> deployments) {
    public Future<Void> close() {
      Future<Void> undeployed = Future.succeededFuture();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        undeployed = undeployed.transform(previous -> vertx.undeploy(id).otherwise((Void) null));
      }
      // the tracer last: spans of the messages the drain settled are exported before the process ends
      return undeployed.transform(done -> vertx.close()).andThen(closed -> app.tracing().close());
    }
  }

  /** Thrown when the configuration has errors; carries every problem found. */
  public static final class ConfigRefused extends RuntimeException {
    private final List<ConfigProblem> problems;

    ConfigRefused(List<ConfigProblem> problems) {
      super("configuration refused: " + problems.stream().filter(ConfigProblem::isError).count() + " error(s)");
      this.problems = problems;
    }

    public List<ConfigProblem> problems() {
      return problems;
    }
  }

  private Launcher() {}

  /** Local codecs: these records pass between verticles of one process without copying. */
  public static void registerCodecs(Vertx vertx) {
    for (Class<?> type : List.of(ModuleCall.class, Envelope.class, StreamCall.Reply.class, SessionEnd.class,
        ChannelUpdate.class)) {
      register(vertx, type);
    }
    for (Class<?> type : StreamCall.class.getPermittedSubclasses()) { // one record per stream operation
      register(vertx, type);
    }
    BufferCall.messageTypes().forEach(type -> register(vertx, type));
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
  }

  /**
   * How to build the verticle of one connector from its final config (the same file, perhaps read
   * again with the bound port); module mode loads its local files now, etcd mode reads etcd when
   * the connector is deployed and follows its watch.
   */
  private static Function<ConnectorConfig, Future<ConnectorVerticle>> connector(Vertx vertx, AppContext app,
      ConnectorConfig config, boolean strict, List<ConfigProblem> problems) {
    long stepTimeout = (long) (app.settings().taskTimeoutSeconds() * 1000);
    if (config.etcd() != null) {
      return last -> etcdConnector(vertx, app, last, strict, stepTimeout);
    }
    Function<ConnectorConfig, Function<Vertx, Deliverer>> deliverer;
    if (config.httpMode()) {
      deliverer = last -> v -> new HttpDeliverer(v, last);
    } else {
      ConfigLoader.Result local = ConfigLoader.loadForConnector(config.webhooksConfig(), config.connectionsConfig(),
          app.env(), app.clock(), strict);
      problems.addAll(local.problems());
      deliverer = last -> v -> new ModuleDeliverer(v, local.snapshot(), stepTimeout);
    }
    return last -> Future.succeededFuture(connectorVerticle(app, last, deliverer.apply(last)));
  }

  private static ConnectorVerticle connectorVerticle(AppContext app, ConnectorConfig config,
      Function<Vertx, Deliverer> deliverer) {
    return new ConnectorVerticle(config, deliverer, reason -> app.fatal().tryComplete(reason),
        (channel, circuit) -> app.metrics().circuit(channel, circuit.target(), () -> circuit.state().ordinal(),
            circuit::probesSent, circuit::timesOpened)).tracing(app.tracing());
  }

  /**
   * Etcd mode (spec §8.14): the entries of the connector's namespace and the connections, read from
   * etcd with the module-mode rules; etcd unreachable at start fails the start; each change is
   * loaded again and, when it has no error, replaces the entries (a message is delivered with the
   * entries in force when it arrived); a change with errors keeps the last good entries.
   */
  private static Future<ConnectorVerticle> etcdConnector(Vertx vertx, AppContext app, ConnectorConfig config,
      boolean strict, long stepTimeout) {
    EtcdConfigSource etcd = new EtcdConfigSource(vertx, config.etcd());
    LOG.info("[channel: {}] connector entries from etcd at {} (prefix {}, namespace {})", config.channel(),
        config.etcd().address(), config.etcd().prefix(), config.etcd().namespace());
    return etcd.start().compose(first -> {
      ConfigLoader.Result loaded = ConfigLoader.loadForConnector(ConfigReloader.raw(first), app.env(), app.clock(),
          strict);
      loaded.problems().stream().filter(p -> !p.isError()).forEach(p -> LOG.warn("{}", p));
      if (!loaded.ok()) {
        return etcd.close().transform(closed -> Future.failedFuture(new ConfigRefused(loaded.problems())));
      }
      LiveConfig live = new LiveConfig(loaded.snapshot());
      etcd.onChange(changed -> vertx.executeBlocking(() -> ConfigLoader.loadForConnector(ConfigReloader.raw(changed),
          app.env(), app.clock(), strict), false).onSuccess(next -> {
            if (next.ok()) {
              live.swap(next.snapshot());
              LOG.info("[channel: {}] connector entries from etcd changed: {} entries (version {})", config.channel(),
                  next.snapshot().webhooks().size(), live.version());
            } else {
              LOG.warn("[channel: {}] connector entries from etcd refused, the last good ones stay: {} error(s)",
                  config.channel(), next.errors().size());
              next.errors().forEach(problem -> LOG.warn("  {}", problem));
            }
          }));
      return Future.succeededFuture(connectorVerticle(app, config, v -> new ModuleDeliverer(v, live, stepTimeout,
          etcd::close)));
    }); // a failed start has let go of its client already
  }

  /**
   * The connectors to deploy: as given, or (both role, port 0) read again now that the receiver
   * listens, so that {@code {$PORT}} is the port it bound.
   */
  private static Future<List<ConnectorConfig>> finalConnectors(Options options, AppContext app) {
    if (options.port() != 0 || options.connectorsForBoundPort() == null || options.connectors().isEmpty()) {
      return Future.succeededFuture(options.connectors());
    }
    int bound = app.boundPort().get();
    ConnectorConfigLoader.Result again = options.connectorsForBoundPort().apply(bound);
    if (!again.ok()) {
      return Future.failedFuture(new ConfigRefused(again.problems()));
    }
    if (again.connectors().size() != options.connectors().size()) {
      return Future.failedFuture(new IllegalStateException("the connector files changed during start-up"));
    }
    LOG.info("connector files read with {$PORT} = {}, the port the receiver bound", bound);
    return Future.succeededFuture(again.connectors());
  }

  /** For a per-channel verticle, which of its instances owns which channel (logged); else null. */
  private static ChannelOwners owners(AppContext app, VerticlesConfig.Deployment line, int instances) {
    if (!VerticlesConfig.PER_CHANNEL.contains(line.verticle())) {
      return null;
    }
    ChannelOwners owners = ChannelOwners.assign(app.config().channels().keySet(), instances, line.channels());
    for (int i = 0; i < instances && !owners.owners().isEmpty(); i++) {
      LOG.info("{} instance {} owns channel(s) {}", line.verticle(), i, owners.channelsOf(i));
    }
    return owners;
  }

  public static Future<Running> start(Options options) {
    VerticlesConfig verticles;
    try {
      verticles = VerticlesConfig.load(options.verticles());
      verticles.group(options.role()).forEach(line -> VerticleCatalog.factory(line.verticle()));
    } catch (Exception e) {
      return Future.failedFuture(new IllegalArgumentException(
          "verticles config: " + e.getMessage(), e));
    }
    PrometheusMeterRegistry registry = CwmMetrics.newRegistry();
    VertxOptions vertxOptions = new VertxOptions();
    VertxBuilder builder = Vertx.builder().with(vertxOptions);
    if (!options.role().equals("connector")) {
      // no HTTP listener serves /metrics in the connector role: Vert.x metrics would only cost (measured in bench/)
      vertxOptions.setMetricsOptions(CwmMetrics.vertxOptions());
      builder.withMetrics(CwmMetrics.vertxMetricsFactory(registry));
    }
    if (!options.cluster()) {
      return started(options, verticles, registry, vertxOptions, builder.build());
    }
    ClusterSettings cluster;
    try {
      cluster = ClusterSettings.fromEnv(options.env());
    } catch (IllegalArgumentException bad) {
      return Future.failedFuture(bad);
    }
    if (cluster.host() != null) {
      vertxOptions.getEventBusOptions().setHost(cluster.host());
    }
    vertxOptions.getEventBusOptions().setPort(cluster.eventBusPort());
    LOG.info("joining cluster '{}' ({} discovery)", cluster.name(), cluster.discovery());
    return builder.with(vertxOptions).withClusterManager(new HazelcastClusterManager(cluster.hazelcast()))
        .buildClustered()
        .compose(vertx -> started(options, verticles, registry, vertxOptions, vertx));
  }

  private static Future<Running> started(Options options, VerticlesConfig verticles, PrometheusMeterRegistry registry,
      VertxOptions vertxOptions, Vertx vertx) {
    registerCodecs(vertx);
    Clock clock = Clock.systemUTC();
    if (options.role().equals("connector")) { // no webhooks served: the receiver's files are not read
      return deploy(options, verticles, vertxOptions, vertx, clock, registry,
          new ConfigLoader.Result(new ConfigSnapshot(Map.of(), Map.of(), Map.of()), List.of()), null);
    }
    ConfigLoader.Rules rules = new ConfigLoader.Rules(!options.defaultWebhookAllowed(), false, options.strict(),
        options.host());
    ValidatorContext validators = ValidatorContext.create(vertx, clock, options.env());
    List<ConfigProblem> readProblems = new ArrayList<>();
    Optional<EtcdSettings> etcdSettings;
    try {
      etcdSettings = EtcdSettings.fromEnv(options.env());
    } catch (ConfigException badEtcd) {
      return vertx.close().transform(closed -> Future.failedFuture(new IllegalArgumentException(badEtcd.getMessage())));
    }
    EtcdConfigSource etcd = etcdSettings.map(settings -> new EtcdConfigSource(vertx, settings)).orElse(null);
    Future<ConfigLoader.RawConfig> read;
    ConfigReloader.Source source;
    if (etcd != null) { // the files are not read: etcd holds the config (Python's CONFIG_BACKEND=etcd)
      LOG.info("config backend: etcd at {} (prefix {}, namespace {})", etcd.settings().address(),
          etcd.settings().prefix(), etcd.settings().namespace());
      read = etcd.start().map(ConfigReloader::raw);
      source = ConfigReloader.etcd(etcd);
    } else {
      ConfigLoader.RawConfig files = ConfigLoader.read(options.webhooks(), options.connections(), rules, readProblems);
      if (files == null) {
        return vertx.close().transform(closed -> Future.failedFuture(new ConfigRefused(readProblems)));
      }
      read = Future.succeededFuture(files);
      source = ConfigReloader.files(vertx, options.webhooks(), options.connections(), rules);
    }
    ConfigReloader.SecretsResolver secrets;
    try {
      VaultSettings vault = VaultSettings.fromEnv(options.env());
      if (vault == null) {
        secrets = ConfigReloader.SecretsResolver.NONE;
      } else {
        VaultSecrets client = VaultSecrets.create(vertx, vault);
        secrets = client::resolve;
        LOG.info("Vault secrets: {}", vault);
      }
    } catch (IllegalArgumentException badVault) {
      return vertx.close().transform(closed -> Future.failedFuture(badVault));
    }
    ConfigReloader.SecretsResolver resolver = secrets;
    return read.compose(raw -> secrets.resolve(ConfigReloader.parts(raw), false).compose(resolved -> {
      ConfigLoader.Result loaded = ConfigLoader.load(raw, options.env(), validators, rules, resolved);
      List<ConfigProblem> problems = new ArrayList<>(readProblems);
      problems.addAll(loaded.problems());
      return deploy(options, verticles, vertxOptions, vertx, clock, registry,
          new ConfigLoader.Result(loaded.snapshot(), problems), app -> {
            ConfigReloader reloads = new ConfigReloader(vertx, app.liveConfig(), raw, source, resolver, options.env(),
                validators, rules, clock);
            if (etcd != null) {
              etcd.onChange(changed -> reloads.reload(true, true, false, "etcd watch"));
              app.configBackend(() -> etcd.connected() ? "healthy" : "disconnected");
            }
            return reloads;
          });
    })).recover(failure -> vertx.close().transform(closed -> Future.failedFuture(failure)));
  }

  /**
   * Deploys the role once its config is loaded; {@code reloader} builds the config reloader of a
   * receiver (null for the connector role).
   */
  private static Future<Running> deploy(Options options, VerticlesConfig verticles, VertxOptions vertxOptions,
      Vertx vertx, Clock clock, PrometheusMeterRegistry registry, ConfigLoader.Result config,
      Function<AppContext, ConfigReloader> reloader) {
    config.problems().stream().filter(p -> !p.isError()).forEach(p -> LOG.warn("{}", p));
    if (!config.ok()) {
      return vertx.close().transform(closed -> Future.failedFuture(new ConfigRefused(config.problems())));
    }
    AppContext app;
    Supplier<MessageBuffer> backends;
    try {
      backends = BufferBackends.factory(vertx, options.env(), options.dataDir(), clock);
      Tracing tracing = Tracing.fromEnv(options.env(), options.role().equals("connector") ? "connector" : "receiver");
      if (tracing.on()) {
        LOG.info("tracing: {}", tracing.description());
      }
      app = new AppContext(options.env(), clock, config.snapshot(), options.host(), options.port(), options.adminPort(),
          backends,
          new CwmMetrics(registry, config.snapshot().webhooks().keySet(), config.snapshot().channels().keySet(),
              ReceiverSettings.fromEnv(options.env()).statsSanitizeIds()), tracing);
    } catch (IllegalArgumentException badBackend) {
      return vertx.close().transform(closed -> Future.failedFuture(badBackend));
    }
    List<Function<ConnectorConfig, Future<ConnectorVerticle>>> connectors = new ArrayList<>();
    List<ConfigProblem> connectorProblems = new ArrayList<>();
    for (ConnectorConfig connector : options.connectors()) {
      connectors.add(connector(vertx, app, connector, options.strict(), connectorProblems));
    }
    connectorProblems.stream().filter(p -> !p.isError()).forEach(p -> LOG.warn("{}", p));
    if (connectorProblems.stream().anyMatch(ConfigProblem::isError)) {
      return vertx.close().transform(closed -> Future.failedFuture(new ConfigRefused(connectorProblems)));
    }
    if (backends instanceof BufferBackends.SharedEmbedded embedded) {
      app.metrics().embeddedStore(embedded.buffer()::fileBytes, embedded.buffer()::liveBytes);
    }
    ownerGauges(vertx, app, config.snapshot().channels().keySet());
    int eventLoops = vertxOptions.getEventLoopPoolSize();
    List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>(); // one after the other
    Future<Void> deployed = Future.succeededFuture();
    if (reloader != null) {
      ConfigReloader reloads = reloader.apply(app);
      app.reloader(reloads);
      // every buffer, stream and channel instance takes the new channel set on its own event loop
      app.liveConfig().onSwap(next -> {
        vertx.eventBus().publish(Addresses.CHANNELS_UPDATE, new ChannelUpdate(Map.copyOf(app.liveConfig().channels())),
            Addresses.LOCAL);
        ownerGauges(vertx, app, next.channels().keySet()); // a channel added by the reload gets its gauges
        // module verticles retire the clients of connections that are gone or changed
        vertx.eventBus().publish(Addresses.CONNECTIONS_UPDATE, new JsonObject(new java.util.LinkedHashMap<>(
            next.connections())), Addresses.LOCAL);
      });
      List<Path> watched;
      long debounce;
      try {
        watched = options.env().flag(EnvVars.CONFIG_FILE_WATCHING_ENABLED) && app.configBackendIsFiles()
            ? List.of(options.webhooks(), options.connections()) : List.of();
        debounce = ConfigWatcher.debounceMillis(options.env());
      } catch (IllegalArgumentException badSetting) {
        return vertx.close().transform(closed -> Future.failedFuture(badSetting));
      }
      // first deployed, last undeployed: a reload asked while the listeners drain still answers
      deployed = vertx.deployVerticle(new ConfigReloadVerticle(reloads, watched, debounce))
          .onSuccess(deployments::add).mapEmpty();
    }
    io.cwm.analytics.EventLogVerticle eventLogWriter = options.role().equals("connector") ? null : app.eventLogWriter();
    if (eventLogWriter != null) {
      // first deployed, last undeployed: the edge drains (and logs) its requests before the writer's last flush
      deployed = deployed.compose(previous -> vertx.deployVerticle(eventLogWriter,
          new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)).onSuccess(deployments::add).<Void>mapEmpty());
    }
    for (VerticlesConfig.Deployment line : verticles.group(options.role())) {
      if (line.verticle().equals(VerticleCatalog.CONNECTOR)) {
        deployed = deployed.compose(previous -> finalConnectors(options, app)).compose(configs -> {
          Future<Void> each = Future.succeededFuture();
          for (int i = 0; i < configs.size(); i++) { // one verticle per channel
            Function<ConnectorConfig, Future<ConnectorVerticle>> build = connectors.get(i);
            ConnectorConfig connector = configs.get(i);
            each = each.compose(previous -> build.apply(connector)).compose(verticle -> vertx.deployVerticle(verticle)
                .onSuccess(deployments::add).<Void>mapEmpty());
          }
          return each;
        });
        continue;
      }
      VerticleCatalog.Factory factory = VerticleCatalog.factory(line.verticle());
      int instances = line.instances() == 0 ? eventLoops : line.instances();
      ChannelOwners owners;
      try {
        owners = owners(app, line, instances);
      } catch (IllegalArgumentException badPins) {
        return vertx.close().transform(closed -> Future.failedFuture(new IllegalArgumentException(
            "verticles config: '" + line.verticle() + "': " + badPins.getMessage(), badPins)));
      }
      AtomicInteger next = new AtomicInteger();
      deployed = deployed.compose(previous -> vertx.deployVerticle(
          () -> factory.create(app, new VerticleCatalog.Instance(next.getAndIncrement(), owners)),
          new DeploymentOptions().setInstances(instances)
              .setThreadingModel(line.worker() ? ThreadingModel.WORKER : ThreadingModel.EVENT_LOOP))
          .onSuccess(deployments::add).<Void>mapEmpty()
          .onSuccess(id -> LOG.info("deployed {} x{}", line.verticle(), instances)));
    }
    String healthFile = options.env().get(EnvVars.CONNECTOR_HEALTH_FILE, "").trim();
    if (!connectors.isEmpty() && !healthFile.isEmpty()) {
      deployed = deployed.compose(up -> HealthFile.start(vertx, healthFile, HEALTH_FILE_PERIOD_MS).<Void>mapEmpty()
          .onSuccess(started -> LOG.info("liveness file {} rewritten every {} s", healthFile,
              HEALTH_FILE_PERIOD_MS / 1000)));
    }
    // the outcome has no context: a failure raised on an event loop that the close shuts down (a
    // connector whose etcd is unreachable) still reaches the caller, once Vert.x is closed
    Promise<Running> outcome = Promise.promise();
    deployed.onComplete(done -> {
      if (done.succeeded()) {
        outcome.complete(new Running(vertx, app, deployments));
      } else {
        vertx.close().onComplete(closed -> {
          app.tracing().close();
          outcome.fail(done.cause());
        });
      }
    });
    return outcome.future();
  }

  /** {@code cwm_channel_owner} of each channel for both per-channel verticles (registering one again is a no-op). */
  private static void ownerGauges(Vertx vertx, AppContext app, Set<String> channelNames) {
    app.metrics().channelOwners("buffer", channelNames, ChannelDirectory.buffer(vertx)::owner);
    app.metrics().channelOwners("stream", channelNames, ChannelDirectory.stream(vertx)::owner);
  }
}
