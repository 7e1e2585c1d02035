package io.cwm.app;

import io.cwm.admin.ConfigRoutes;
import io.cwm.buffer.BufferClient;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.Secrets;
import io.cwm.config.etcd.EtcdConfig;
import io.cwm.config.etcd.EtcdConfigSource;
import io.cwm.config.etcd.EtcdSettings;
import io.cwm.stream.StreamClient;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.LiveConfig;
import io.cwm.webhook.WebhookEntry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the receiver's config while it runs: from the admin API, file watching, {@code SIGHUP},
 * the etcd watch, or another cluster node. Every reload reads its source, resolves Vault
 * references, and validates everything with the same code as start-up and {@code check}
 * ({@link ConfigLoader}); only a config without errors is put in force, as a whole
 * ({@link LiveConfig#swap}), else the last good one stays (Python could make a rejected webhooks
 * file live through a later connections reload: here a partial reload re-uses the last good raw
 * text of the part it does not read, and is validated together with it). Reloads run one at a
 * time, in the order they were asked for; parsing and validation run on a worker thread.
 *
 * <p>What a swap changes is the {@link LiveConfig}'s job: requests that started keep the snapshot
 * they started on; module verticles key their client pools by the connection's content, so an
 * unchanged connection keeps its pool and a changed one gets a new pool while the old one closes
 * after its calls in flight.
 */
public final class ConfigReloader implements ConfigRoutes.Reloads {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
  /** Cluster-wide address: a node that reloaded from the admin API or SIGHUP tells the others. */
  static final String CLUSTER_ADDRESS = "cwm.config.reload";
  /** Python's migration window: a replaced connection's pool counts as deprecated this long. */
  static final long DEPRECATED_WINDOW_MILLIS = 5 * 60_000;
  /** How long a reload's answer waits for the channels it added to be served. */
  static final long CHANNELS_READY_MILLIS = 5_000;
  private static final long CHANNELS_READY_POLL_MILLIS = 25;
  private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");
  private static final Pattern DIRECTORIES = Pattern.compile("(?<![\\w:/.])/(?:[^/\\s:'\"]+/)+([^/\\s:'\"]+)");

  /** Where the config comes from: the files, or etcd. */
  public interface Source {
    /** The config as it is now, not yet substituted; a failed future when it cannot be read. */
    Future<ConfigLoader.RawConfig> read();

    /** {@code file} or {@code etcd}. */
    String type();

    /** What {@code config-status} shows under {@code provider}. */
    JsonObject describe();

    /** Lets go of what the source holds (etcd's watch); the files need nothing. */
    default Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /**
   * Resolves the Vault references of a raw config (Secrets.NONE when Vault is off); {@code refresh}
   * reads every secret again instead of using the cache.
   */
  public interface SecretsResolver {
    SecretsResolver NONE = (raws, refresh) -> Future.succeededFuture(Secrets.NONE);

    Future<Secrets> resolve(List<JsonObject> raws, boolean refresh);
  }

  /** One connection name's pool generation, as config-status reports it. */
  private record PoolVersion(int version, Instant createdAt, JsonObject connection, Instant deprecatedAt) {}

  private final Vertx vertx;
  private final LiveConfig live;
  private final Source source;
  private final SecretsResolver secrets;
  private final Env env;
  private final ValidatorContext validators;
  private final ConfigLoader.Rules rules;
  private final Clock clock;
  private final String node = UUID.randomUUID().toString();
  private final Map<String, PoolVersion> pools = new LinkedHashMap<>();
  private final List<PoolVersion> deprecated = new ArrayList<>();
  private ConfigLoader.RawConfig lastGood;
  private Future<?> tail = Future.succeededFuture();
  private volatile boolean inProgress;
  private volatile boolean fileWatching;
  private volatile Instant lastReload;
  private volatile JsonObject lastResult;
  private long succeeded;
  private long failed;
  private MessageConsumer<JsonObject> cluster;
  private final BufferClient buffers;
  private final StreamClient streams;

  /**
   * @param initial the raw config the process started with (its snapshot is {@code live}'s)
   */
  public ConfigReloader(Vertx vertx, LiveConfig live, ConfigLoader.RawConfig initial, Source source,
      SecretsResolver secrets, Env env, ValidatorContext validators, ConfigLoader.Rules rules, Clock clock) {
    this.vertx = vertx;
    this.live = live;
    this.lastGood = initial;
    this.source = source;
    this.secrets = secrets;
    this.env = env;
    this.validators = validators;
    this.rules = rules;
    this.clock = clock;
    this.buffers = new BufferClient(vertx);
    this.streams = new StreamClient(vertx);
    Instant now = clock.instant();
    live.current().connections().forEach((name, connection) -> pools.put(name, new PoolVersion(1, now, connection,
        null)));
  }

  /** Listens for reloads of the other cluster nodes (on a plain process: nobody else publishes). */
  public Future<Void> start() {
    cluster = vertx.eventBus().consumer(CLUSTER_ADDRESS, message -> {
      JsonObject asked = message.body();
      if (node.equals(asked.getString("node"))) {
        return;
      }
      reload(asked.getBoolean("reload_webhooks", true), asked.getBoolean("reload_connections", true), false,
          "cluster node " + asked.getString("node", "?").substring(0, 8));
    });
    return cluster.completion();
  }

  public Future<Void> stop() {
    Future<Void> unregistered = cluster == null ? Future.succeededFuture() : cluster.unregister();
    return unregistered.eventually(source::close);
  }

  /** config-status shows whether the files are watched. */
  void fileWatching(boolean enabled) {
    this.fileWatching = enabled;
  }

  /** The version of the config in force (1 at start). */
  public long version() {
    return live.version();
  }

  @Override
  public synchronized Future<ConfigRoutes.Answer> reload(boolean webhooks, boolean connections, boolean validateOnly,
      String trigger) {
    if (!webhooks && !connections) {
      return Future.succeededFuture(new ConfigRoutes.Answer(200, new JsonObject().put("status", "error")
          .put("error", "No reload operation specified").put("timestamp", clock.instant().toString())));
    }
    Promise<ConfigRoutes.Answer> answer = Promise.promise();
    tail = tail.transform(previous -> run(webhooks, connections, validateOnly, trigger).andThen(answer));
    return answer.future();
  }

  private Future<ConfigRoutes.Answer> run(boolean webhooks, boolean connections, boolean validateOnly,
      String trigger) {
    inProgress = true;
    long started = System.nanoTime();
    Future<ConfigRoutes.Answer> done = source.read().compose(read -> {
      ConfigLoader.RawConfig base = lastGood();
      ConfigLoader.RawConfig merged = new ConfigLoader.RawConfig(
          webhooks ? read.webhooksSource() : base.webhooksSource(), webhooks ? read.webhooks() : base.webhooks(),
          webhooks ? read.namespaces() : base.namespaces(),
          connections ? read.connectionsSource() : base.connectionsSource(),
          connections ? read.connections() : base.connections());
      // an operator's reload (admin API, SIGHUP, another node's) reads the secrets again: it may be
      // meant to pick up a rotated one; file saves and etcd events use the cache (bursts of them)
      boolean refresh = !trigger.startsWith("file") && !trigger.startsWith("etcd");
      return secrets.resolve(parts(merged), refresh)
          .compose(resolved -> vertx.executeBlocking(() -> ConfigLoader.load(merged, env, validators, rules,
              resolved), false))
          .map(result -> finish(merged, result, webhooks, connections, validateOnly, trigger, started))
          .compose(this::whenChannelsServe);
    }, unreadable -> Future.succeededFuture(failure(List.of(new ConfigProblem(ConfigProblem.Severity.ERROR,
        source.type(), null, null, null, "cannot read the config: " + unreadable.getMessage())), trigger, started)));
    return done.andThen(finished -> inProgress = false);
  }

  private synchronized ConfigLoader.RawConfig lastGood() {
    return lastGood;
  }

  private synchronized ConfigRoutes.Answer finish(ConfigLoader.RawConfig merged, ConfigLoader.Result result,
      boolean webhooks, boolean connections, boolean validateOnly, String trigger, long started) {
    if (!result.ok()) {
      return failure(result.problems(), trigger, started);
    }
    ConfigSnapshot before = live.current();
    ConfigSnapshot next = carryOver(before, result.snapshot());
    JsonObject details = diff(before, next);
    JsonArray warnings = new JsonArray();
    result.problems().forEach(problem -> warnings.add(sanitise(problem.toString())));
    details.put("warnings", warnings);
    String now = clock.instant().toString();
    if (validateOnly) {
      details.put("duration_ms", millisSince(started));
      return new ConfigRoutes.Answer(200, new JsonObject().put("status", "valid").put("details", details)
          .put("timestamp", now));
    }
    boolean changed = details.getBoolean("changed");
    if (changed) {
      live.swap(next);
      track(next.connections());
      lastGood = merged;
    }
    succeeded++;
    lastReload = clock.instant();
    details.put("config_version", live.version()).put("duration_ms", millisSince(started));
    lastResult = new JsonObject().put("status", "success").put("trigger", trigger).put("at", now)
        .put("changed", changed).put("duration_ms", details.getValue("duration_ms"));
    LOG.info("config reloaded ({}): {} in {} ms (version {}): webhooks {}, connections {}, channels {}", trigger,
        changed ? "changed" : "unchanged", details.getValue("duration_ms"), live.version(),
        summary(details.getJsonObject("webhooks")), summary(details.getJsonObject("connections")),
        summary(details.getJsonObject("channels")));
    if (changed && !trigger.startsWith("cluster") && !trigger.startsWith("file") && !trigger.startsWith("etcd")) {
      // the other nodes read their own files (or etcd) again: the same validation, each keeps its last good
      vertx.eventBus().publish(CLUSTER_ADDRESS, new JsonObject().put("node", node)
          .put("reload_webhooks", webhooks).put("reload_connections", connections));
    }
    return new ConfigRoutes.Answer(200, new JsonObject().put("status", "success")
        .put("reloaded", new JsonObject().put("webhooks", webhooks).put("connections", connections))
        .put("details", details).put("timestamp", now));
  }

  /**
   * A success is answered once the channels it added serve: their buffer owner registered them and
   * their stream owner took them (each instance does so on its own event loop after the swap), so
   * a connector or a webhook right after the answer finds them. Bounded by
   * {@value #CHANNELS_READY_MILLIS} ms; channels not ready by then are named in the answer.
   */
  private Future<ConfigRoutes.Answer> whenChannelsServe(ConfigRoutes.Answer answer) {
    JsonObject details = answer.body().getJsonObject("details");
    JsonArray added = details == null || answer.status() != 200 || !"success".equals(answer.body().getString("status"))
        ? null : details.getJsonObject("channels").getJsonArray("added");
    if (added == null || added.isEmpty()) {
      return Future.succeededFuture(answer);
    }
    long deadline = System.currentTimeMillis() + CHANNELS_READY_MILLIS;
    List<Future<Boolean>> each = new ArrayList<>();
    for (Object name : added) {
      each.add(serves(live.channels().get((String) name), deadline));
    }
    return Future.join(each).transform(done -> {
      JsonArray pending = new JsonArray();
      for (int i = 0; i < each.size(); i++) {
        if (!Boolean.TRUE.equals(each.get(i).result())) {
          pending.add(added.getValue(i));
        }
      }
      if (!pending.isEmpty()) {
        LOG.warn("channel(s) {} not yet served {} ms after the reload: their owners go on registering them",
            pending, CHANNELS_READY_MILLIS);
      }
      details.getJsonObject("channels").put("pending", pending);
      return Future.succeededFuture(answer);
    });
  }

  /** True once both owners of {@code channel} answer for it, false at the deadline. */
  private Future<Boolean> serves(ChannelSpec channel, long deadline) {
    Promise<Boolean> served = Promise.promise();
    Runnable[] attempt = new Runnable[1];
    attempt[0] = () -> buffers.stats(channel).compose(stats -> streams.count(channel.name())).onComplete(done -> {
      if (done.succeeded()) {
        served.complete(true);
      } else if (System.currentTimeMillis() > deadline) {
        served.complete(false);
      } else {
        vertx.setTimer(CHANNELS_READY_POLL_MILLIS, id -> attempt[0].run());
      }
    });
    attempt[0].run();
    return served.future();
  }

  private synchronized ConfigRoutes.Answer failure(List<ConfigProblem> problems, String trigger, long started) {
    failed++;
    JsonArray errors = new JsonArray();
    JsonArray warnings = new JsonArray();
    for (ConfigProblem problem : problems) {
      (problem.isError() ? errors : warnings).add(sanitise(problem.toString()));
    }
    String now = clock.instant().toString();
    long millis = millisSince(started);
    lastResult = new JsonObject().put("status", "error").put("trigger", trigger).put("at", now)
        .put("errors", errors.size()).put("duration_ms", millis);
    LOG.warn("config reload ({}) refused, the config in force stays (version {}): {} error(s)", trigger,
        live.version(), errors.size());
    errors.forEach(error -> LOG.warn("  {}", error));
    return new ConfigRoutes.Answer(400, new JsonObject().put("status", "error")
        .put("error", "Processing error occurred in reload_config")
        .put("details", new JsonObject().put("errors", errors).put("warnings", warnings)
            .put("config_version", live.version()).put("duration_ms", millis))
        .put("timestamp", now));
  }

  /**
   * {@code next} with every entry that did not change (same substituted content, and the same
   * connection objects for its steps) replaced by the entry in force: its validators keep their
   * state (rate-limit windows, fetched JWKS and OAuth answers), so a reload lets no burst through
   * and costs no refetch. An entry whose connection changed is the new one: it carries the new
   * connection to the module verticles.
   */
  static ConfigSnapshot carryOver(ConfigSnapshot before, ConfigSnapshot next) {
    Map<String, Map<String, WebhookEntry>> namespaces = new LinkedHashMap<>();
    next.namespaces().forEach((namespace, entries) -> namespaces.put(namespace,
        keep(before.namespaces().getOrDefault(namespace, Map.of()), entries)));
    return new ConfigSnapshot(keep(before.webhooks(), next.webhooks()), next.connections(), next.channels(),
        java.util.Collections.unmodifiableMap(namespaces));
  }

  private static Map<String, WebhookEntry> keep(Map<String, WebhookEntry> before, Map<String, WebhookEntry> next) {
    Map<String, WebhookEntry> kept = new LinkedHashMap<>();
    next.forEach((id, entry) -> {
      WebhookEntry old = before.get(id);
      kept.put(id, old != null && old.raw().equals(entry.raw()) && sameConnections(old, entry) ? old : entry);
    });
    return java.util.Collections.unmodifiableMap(kept);
  }

  private static boolean sameConnections(WebhookEntry old, WebhookEntry next) {
    if (old.steps().size() != next.steps().size()) {
      return false;
    }
    for (int i = 0; i < old.steps().size(); i++) {
      if (!Objects.equals(old.steps().get(i).connection(), next.steps().get(i).connection())) {
        return false;
      }
    }
    return true;
  }

  /** What changed between the config in force and the new one; {@code changed} is false when nothing did. */
  private JsonObject diff(ConfigSnapshot before, ConfigSnapshot after) {
    JsonObject webhooks = compare(entries(before), entries(after), after.webhooks().size());
    JsonObject connections = compare(before.connections(), after.connections(), after.connections().size());
    Map<String, ChannelSpec> oldChannels = live.channels();
    JsonObject channels = compare(before.channels(), after.channels(), after.channels().size());
    JsonArray retired = new JsonArray();
    for (String name : new TreeSet<>(oldChannels.keySet())) {
      if (!after.channels().containsKey(name)) {
        retired.add(name);
      }
    }
    channels.put("retired", retired);
    boolean changed = !unchanged(webhooks) || !unchanged(connections) || !unchanged(channels)
        || !before.namespaces().keySet().equals(after.namespaces().keySet());
    return new JsonObject().put("changed", changed).put("webhooks", webhooks).put("connections", connections)
        .put("channels", channels);
  }

  /**
   * Each entry's substituted content by id (namespaced ids as {@code namespace/id} with etcd): a
   * changed variable or Vault secret is a change too.
   */
  private static Map<String, Object> entries(ConfigSnapshot config) {
    Map<String, Object> all = new LinkedHashMap<>();
    config.webhooks().forEach((id, entry) -> all.put(id, entry.raw()));
    config.namespaces().forEach((namespace, entries) -> entries.forEach((id, entry) -> all.put(namespace + "/" + id,
        entry.raw())));
    return all;
  }

  private static JsonObject compare(Map<String, ?> before, Map<String, ?> after, int count) {
    JsonArray added = new JsonArray();
    JsonArray removed = new JsonArray();
    JsonArray changed = new JsonArray();
    for (String name : new TreeSet<>(after.keySet())) {
      if (!before.containsKey(name)) {
        added.add(name);
      } else if (!Objects.equals(before.get(name), after.get(name))) {
        changed.add(name);
      }
    }
    for (String name : new TreeSet<>(before.keySet())) {
      if (!after.containsKey(name)) {
        removed.add(name);
      }
    }
    return new JsonObject().put("count", count).put("added", added).put("removed", removed).put("changed", changed);
  }

  private static boolean unchanged(JsonObject part) {
    return part.getJsonArray("added").isEmpty() && part.getJsonArray("removed").isEmpty()
        && part.getJsonArray("changed").isEmpty();
  }

  private static String summary(JsonObject part) {
    return part.getInteger("count") + " (+" + part.getJsonArray("added").size() + " -"
        + part.getJsonArray("removed").size() + " ~" + part.getJsonArray("changed").size() + ")";
  }

  /** New pool generations for connections whose content changed; the old ones count as deprecated a while. */
  private void track(Map<String, JsonObject> connections) {
    Instant now = clock.instant();
    Set<String> names = new TreeSet<>(pools.keySet());
    names.addAll(connections.keySet());
    for (String name : names) {
      PoolVersion current = pools.get(name);
      JsonObject connection = connections.get(name);
      if (current != null && (connection == null || !current.connection().equals(connection))) {
        deprecated.add(new PoolVersion(current.version(), current.createdAt(), current.connection(), now));
        pools.remove(name);
      }
      if (connection != null && !pools.containsKey(name)) {
        pools.put(name, new PoolVersion(current == null ? 1 : current.version() + 1, now, connection, null));
      }
    }
    deprecated.removeIf(old -> now.toEpochMilli() - old.deprecatedAt().toEpochMilli() > DEPRECATED_WINDOW_MILLIS);
  }

  @Override
  public synchronized JsonObject status() {
    Instant now = clock.instant();
    deprecated.removeIf(old -> now.toEpochMilli() - old.deprecatedAt().toEpochMilli() > DEPRECATED_WINDOW_MILLIS);
    ConfigSnapshot current = live.current();
    JsonObject details = new JsonObject();
    pools.forEach((name, pool) -> details.put(name, new JsonObject().put("connection_name", name)
        .put("version", pool.version()).put("created_at", pool.createdAt().toString())
        .put("deprecated", false).put("deprecated_at", (String) null)));
    return new JsonObject()
        .put("last_reload", lastReload == null ? null : lastReload.toString())
        .put("reload_in_progress", inProgress)
        .put("webhooks_count", current.webhooks().size())
        .put("connections_count", current.connections().size())
        .put("connection_pools", new JsonObject().put("active", pools.size()).put("deprecated", deprecated.size()))
        .put("pool_details", details)
        .put("provider", source.describe().copy().put("type", source.type()))
        .put("file_watching_enabled", fileWatching)
        .put("config_version", live.version())
        .put("channels_count", current.channels().size())
        .put("retired_channels", new JsonArray(List.copyOf(live.retired())))
        .put("reloads", new JsonObject().put("succeeded", succeeded).put("failed", failed))
        .put("last_result", lastResult);
  }

  /**
   * A problem's text for an HTTP body: problems never quote secret values (the loader's rule), so
   * what is left to hide are credentials inside URLs and the directories of file names.
   */
  static String sanitise(String text) {
    String noUserInfo = URL_USERINFO.matcher(text).replaceAll("$1***@");
    return DIRECTORIES.matcher(noUserInfo).replaceAll("$1");
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /** The JSON objects of a raw config that may hold Vault references. */
  static List<JsonObject> parts(ConfigLoader.RawConfig raw) {
    List<JsonObject> parts = new ArrayList<>(List.of(raw.webhooks(), raw.connections()));
    raw.namespaces().values().stream().filter(json -> json != raw.webhooks()).forEach(parts::add);
    return parts;
  }

  /** A raw config from what the etcd backend holds. */
  static ConfigLoader.RawConfig raw(EtcdConfig config) {
    return new ConfigLoader.RawConfig(config.webhooksSource(), config.webhooks(), config.namespaces(),
        config.connectionsSource(), config.connections());
  }

  /**
   * The etcd source: what the watch keeps in memory (one changed key updates one entry); the
   * watch asks for a reload itself ({@link EtcdConfigSource#onChange}).
   */
  public static Source etcd(EtcdConfigSource etcd) {
    return new Source() {
      @Override
      public Future<ConfigLoader.RawConfig> read() {
        return Future.succeededFuture(raw(etcd.current()));
      }

      @Override
      public String type() {
        return "etcd";
      }

      @Override
      public JsonObject describe() {
        EtcdSettings settings = etcd.settings();
        return new JsonObject().put("host", settings.host()).put("port", settings.port())
            .put("prefix", settings.prefix()).put("namespace", settings.namespace())
            .put("connected", etcd.connected());
      }

      @Override
      public Future<Void> close() {
        return etcd.close();
      }
    };
  }

  /** The file source: both files read again (whatever their names), on a worker thread. */
  public static Source files(Vertx vertx, Path webhooks, Path connections, ConfigLoader.Rules rules) {
    return new Source() {
      @Override
      public Future<ConfigLoader.RawConfig> read() {
        return vertx.executeBlocking(() -> {
          List<ConfigProblem> problems = new ArrayList<>();
          ConfigLoader.RawConfig raw = ConfigLoader.read(webhooks, connections, rules, problems);
          if (raw == null) {
            throw new IllegalStateException(problems.stream().filter(ConfigProblem::isError)
                .map(ConfigProblem::toString).reduce((a, b) -> a + "; " + b).orElse("unreadable"));
          }
          return raw;
        }, false);
      }

      @Override
      public String type() {
        return "file";
      }

      @Override
      public JsonObject describe() {
        return new JsonObject().put("webhooks_file", webhooks.getFileName().toString())
            .put("connections_file", connections.getFileName().toString());
      }
    };
  }
}
