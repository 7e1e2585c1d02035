package io.cwm.config.etcd;

import io.cwm.config.ConfigException;
import io.cwm.config.ConfigJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhooks and connections of one deployment, read from etcd and kept current by a watch.
 * {@link #start} reads every key under the prefix once (and fails, naming the member, when etcd is
 * unreachable or refuses the credentials); from then on each put or delete changes one entry of
 * the in-memory key map, and the listeners of {@link #onChange} get the whole new
 * {@link EtcdConfig} once per burst: the first change of a burst waits {@code debounce}, so a
 * transaction of fifty keys, or fifty puts in a row, give one or a few changes; a burst that leaves
 * the config as it was (a put of the same value) gives none.
 *
 * <p>The watch starts at the revision after the read, so no change falls between them. When it
 * stops (etcd down, connection closed, revision compacted) or etcd leaves a small read made every
 * {@code probeInterval} unanswered for 5 s (a partition that closes nothing), {@link #connected}
 * turns false and the listeners of {@link #onConnection} hear it; the last config stays.
 * Reconnection logs in again, retries with a doubling delay and reads every key again before
 * watching anew, so what happened meanwhile arrives as one change. An open watch outlives its
 * token (etcd checks it when the watch is created).
 *
 * <p>A key outside the layout ({@link EtcdKey}) or with a bad namespace is skipped with a WARN
 * naming the key. A value under a valid key that is not JSON is passed on as a JSON string (the
 * decoder's message, never the value), so the config check reports the entry ("must be an
 * object") and the last good config stays in force: a broken key shows as a failed reload, not as
 * an entry that silently vanished. Every callback runs on the context {@link #start} was called on.
 */
public final class EtcdConfigSource {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdConfigSource.class);
  /** How long the first change of a burst waits for the rest. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  /** How often a quiet watch is checked by a small read (a lost member whose connection stays open). */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(10);
  private static final int MAX_LOGGED_KEY = 512;
  private static final long FIRST_RETRY_MILLIS = 200;
  private static final long MAX_RETRY_MILLIS = 5_000;

  private final Vertx vertx;
  private final EtcdSettings settings;
  private final long debounceMillis;
  private final long probeMillis;
  private final EtcdClient client;
  private final String source;
  private final TreeMap<String, Stored> entries = new TreeMap<>();
  private final List<Consumer<EtcdConfig>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Boolean>> connectionListeners = new CopyOnWriteArrayList<>();
  private Context context;
  private EtcdClient.Watch watch;
  private long debounceTimer = -1;
  private long retryTimer = -1;
  private long probeTimer = -1;
  private long retryMillis = FIRST_RETRY_MILLIS;
  private volatile EtcdConfig current;
  private volatile boolean connected;
  private volatile boolean closed;

  /** One key's place and decoded value. */
  private record Stored(EtcdKey key, Object value) {}

  public EtcdConfigSource(Vertx vertx, EtcdSettings settings) {
    this(vertx, settings, DEFAULT_DEBOUNCE, DEFAULT_PROBE_INTERVAL);
  }

  /**
   * @param debounce how long the first change of a burst waits for the rest
   * @param probeInterval how often a small read checks that etcd still answers while the watch is
   *     up: a member lost behind a connection that stays open (a partition) sends no close
   */
  public EtcdConfigSource(Vertx vertx, EtcdSettings settings, Duration debounce, Duration probeInterval) {
    this.vertx = vertx;
    this.settings = settings;
    this.debounceMillis = Math.max(1, debounce.toMillis());
    this.probeMillis = Math.max(1, probeInterval.toMillis());
    this.client = new EtcdClient(vertx, settings);
    this.source = "etcd " + settings.address() + " " + settings.prefix();
  }

  /**
   * Reads every key and starts watching. Fails with {@code etcd at host:port unreachable: ...} or
   * {@code etcd at host:port refused ...} (credentials) and then holds nothing open.
   */
  public Future<EtcdConfig> start() {
    context = vertx.getOrCreateContext();
    Promise<EtcdConfig> started = Promise.promise();
    context.runOnContext(v -> readAndWatch().onComplete(done -> {
      if (done.succeeded()) {
        connected = true;
        scheduleProbe();
        started.complete(current);
        return;
      }
      client.close();
      started.fail(new IllegalStateException(describe(done.cause()), done.cause()));
    }));
    return started.future();
  }

  /** Called with the whole new config after each burst of changes (on the source's context). */
  public void onChange(Consumer<EtcdConfig> listener) {
    changeListeners.add(listener);
  }

  /** Called with false when the watch is lost and with true when it is back. */
  public void onConnection(Consumer<Boolean> listener) {
    connectionListeners.add(listener);
  }

  /** Whether the watch is up; false while etcd is lost (the last config stays). */
  public boolean connected() {
    return connected;
  }

  /** The config as last read (null before {@link #start} succeeded). */
  public EtcdConfig current() {
    return current;
  }

  public EtcdSettings settings() {
    return settings;
  }

  /** Stops watching and retrying; no listener is called afterwards. */
  public Future<Void> close() {
    closed = true;
    if (context == null) {
      return client.close();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(debounceTimer);
      vertx.cancelTimer(retryTimer);
      vertx.cancelTimer(probeTimer);
      if (watch != null) {
        watch.cancel();
        watch = null;
      }
      client.close().onComplete(done);
    });
    return done.future();
  }

  /** Logs in, reads everything, makes it current and opens the watch from the next revision. */
  private Future<Void> readAndWatch() {
    return client.authenticate().compose(v -> client.range(settings.prefix())).compose(range -> {
      entries.clear();
      for (EtcdClient.KeyValue kv : range.kvs()) {
        apply(kv);
      }
      EtcdConfig fresh = build();
      boolean changed = current != null && !fresh.equals(current);
      current = fresh;
      if (changed) {
        notifyChange();
      }
      return client.watch(settings.prefix(), range.revision() + 1, this::changed, this::lost);
    }).map(opened -> {
      if (closed) {
        opened.cancel();
      } else {
        watch = opened;
      }
      return null;
    });
  }

  private void changed(List<EtcdClient.KeyValue> changes) {
    if (closed) {
      return;
    }
    changes.forEach(this::apply);
    if (debounceTimer < 0) {
      debounceTimer = vertx.setTimer(debounceMillis, id -> {
        debounceTimer = -1;
        EtcdConfig next = build();
        if (!closed && !next.equals(current)) {
          current = next;
          notifyChange();
        }
      });
    }
  }

  private void lost(Throwable cause) {
    watch = null;
    if (closed) {
      return;
    }
    LOG.warn("etcd watch lost [etcd: {}]: {}; keeping the last config and reconnecting", settings.address(),
        cause.getMessage());
    setConnected(false);
    retryMillis = FIRST_RETRY_MILLIS;
    scheduleRetry();
  }

  private void scheduleRetry() {
    retryTimer = vertx.setTimer(retryMillis, id -> {
      retryTimer = -1;
      if (closed) {
        return;
      }
      readAndWatch().onComplete(done -> {
        if (closed) {
          return;
        }
        if (done.succeeded()) {
          LOG.info("etcd watch back [etcd: {}]", settings.address());
          setConnected(true);
          scheduleProbe();
        } else {
          LOG.debug("etcd still unavailable [etcd: {}]: {}", settings.address(), done.cause().getMessage());
          retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
          scheduleRetry();
        }
      });
    });
  }

  /** Checks after {@code probeMillis} that etcd answers a read; a read that fails or times out drops the watch. */
  private void scheduleProbe() {
    vertx.cancelTimer(probeTimer);
    probeTimer = vertx.setTimer(probeMillis, id -> {
      probeTimer = -1;
      EtcdClient.Watch probed = watch;
      if (closed || probed == null) {
        return;
      }
      client.probe(settings.prefix()).onComplete(done -> {
        if (closed || watch != probed) {
          return;
        }
        if (done.succeeded()) {
          scheduleProbe();
        } else {
          probed.cancel();
          lost(new IllegalStateException("no answer to a read: " + done.cause().getMessage()));
        }
      });
    });
  }

  /** Puts or deletes one key of the map; a key outside the layout is skipped with a warning. */
  private void apply(EtcdClient.KeyValue kv) {
    EtcdKey key;
    try {
      key = EtcdKey.parse(settings.prefix(), kv.key());
    } catch (IllegalArgumentException e) {
      if (kv.value() != null) {
        LOG.warn("etcd key skipped [key: {}]: {}", EtcdSettings.printable(kv.key(), MAX_LOGGED_KEY), e.getMessage());
      }
      return;
    }
    if (kv.value() == null) {
      entries.remove(kv.key());
      return;
    }
    Object value;
    try {
      value = ConfigJson.decode(kv.value());
    } catch (ConfigException e) {
      value = withoutDetail(e.getMessage());
      LOG.warn("etcd key holds no JSON [key: {}]: {}", EtcdSettings.printable(kv.key(), MAX_LOGGED_KEY), value);
    }
    entries.put(kv.key(), new Stored(key, value));
  }

  /**
   * The decoder's message up to where the error is: the parser's detail after it can quote a
   * token of the value ({@code Unrecognized token 'hunter2'}), and a value may be a secret.
   */
  static String withoutDetail(String message) {
    int detail = message.indexOf(": ");
    return detail < 0 ? message : message.substring(0, detail);
  }

  private EtcdConfig build() {
    Map<String, JsonObject> namespaces = new TreeMap<>();
    JsonObject webhooks = new JsonObject();
    namespaces.put(settings.namespace(), webhooks);
    JsonObject connections = new JsonObject();
    for (Stored stored : entries.values()) {
      if (stored.key().connection()) {
        connections.put(stored.key().name(), stored.value());
      } else {
        namespaces.computeIfAbsent(stored.key().namespace(), n -> new JsonObject())
            .put(stored.key().name(), stored.value());
      }
    }
    return new EtcdConfig(source, webhooks, namespaces, source, connections);
  }

  private void notifyChange() {
    EtcdConfig config = current;
    for (Consumer<EtcdConfig> listener : changeListeners) {
      try {
        listener.accept(config);
      } catch (RuntimeException e) {
        LOG.error("etcd config listener failed [etcd: {}]", settings.address(), e);
      }
    }
  }

  private void setConnected(boolean now) {
    if (connected == now) {
      return;
    }
    connected = now;
    for (Consumer<Boolean> listener : connectionListeners) {
      try {
        listener.accept(now);
      } catch (RuntimeException e) {
        LOG.error("etcd connection listener failed [etcd: {}]", settings.address(), e);
      }
    }
  }

  private String describe(Throwable cause) {
    String where = "etcd at " + settings.address();
    if (cause instanceof EtcdClient.EtcdException etcd) {
      return etcd.authentication() ? where + " refused the " + etcd.getMessage() : where + " failed: "
          + etcd.getMessage();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return where + " unreachable: " + message;
  }
}
