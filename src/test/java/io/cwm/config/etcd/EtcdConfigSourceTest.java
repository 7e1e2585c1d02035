package io.cwm.config.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cwm.app.ConfigLoader;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.Secrets;
import io.cwm.testing.EtcdServer;
import io.cwm.testing.Futures;
import io.cwm.testing.LogCapture;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.ConfigSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The etcd source against a real etcd: each test writes under its own prefix. */
class EtcdConfigSourceTest {
  private static final String LOG = "{\"module\":\"log\"}";
  private static EtcdServer etcd;

  private final Vertx vertx = Vertx.vertx();
  private final List<EtcdConfig> changes = new CopyOnWriteArrayList<>();
  private String prefix;
  private EtcdConfigSource source;

  @BeforeAll
  static void startEtcd() {
    assumeTrue(EtcdServer.available(),
        EtcdServer.BINARY + " not installed (apt-get install etcd-server; .ci/run does)");
    etcd = EtcdServer.launch();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @BeforeEach
  void prefix(TestInfo test) {
    prefix = "/cwm-" + test.getTestMethod().orElseThrow().getName() + "/";
  }

  @AfterEach
  void close() {
    if (source != null) {
      Futures.await(source.close());
    }
    Futures.await(vertx.close());
  }

  private EtcdConfig start(String namespace) {
    source = new EtcdConfigSource(vertx, new EtcdSettings(etcd.host(), etcd.port(), prefix, namespace, null, null));
    source.onChange(changes::add);
    return Futures.await(source.start());
  }

  private static ConfigLoader.Result load(EtcdConfig config, Map<String, String> variables) {
    Env env = Env.of(variables);
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("no HTTP client in config tests");
    });
    ConfigLoader.RawConfig raw = new ConfigLoader.RawConfig(config.webhooksSource(), config.webhooks(),
        config.namespaces(), config.connectionsSource(), config.connections());
    return ConfigLoader.load(raw, env, context, new ConfigLoader.Rules(false, false, false, "127.0.0.1"),
        Secrets.NONE);
  }

  private boolean changeArrives(long millis, java.util.function.Predicate<EtcdConfig> condition)
      throws InterruptedException {
    return TestConnector.await(millis, () -> !changes.isEmpty() && condition.test(changes.get(changes.size() - 1)));
  }

  @Test
  void fullReadOfTwoNamespacesAndConnectionsLoads() {
    etcd.put(prefix + "default/webhooks/plain", LOG);
    etcd.put(prefix + "team-a/webhooks/github", "{\"module\":\"{$GITHUB_MODULE}\",\"connection\":\"rabbit\"}");
    etcd.put(prefix + "team-b/webhooks/stripe", LOG);
    etcd.put(prefix + "global/connections/rabbit", "{\"type\":\"rabbitmq\",\"host\":\"mq.example.com\",\"port\":5672}");

    EtcdConfig config = start("default");

    assertEquals(Map.of("plain", new JsonObject(LOG)), config.webhooks().getMap());
    assertSame(config.webhooks(), config.namespaces().get("default"));
    assertEquals(List.of("default", "team-a", "team-b"), config.namespaces().keySet().stream().sorted().toList());
    ConfigLoader.Result result = load(config, Map.of("GITHUB_MODULE", "log"));
    assertTrue(result.ok(), () -> "problems: " + result.problems());
    ConfigSnapshot snapshot = result.snapshot();
    assertNotNull(snapshot.find("team-a", "github"));
    assertEquals("log", snapshot.find("team-a", "github").steps().get(0).module());
    assertNotNull(snapshot.find(null, "plain"));
    assertTrue(snapshot.connections().containsKey("rabbit"));
    assertTrue(source.connected());
  }

  @Test
  void onePutArrivesAsOneChangeWithinASecond() throws InterruptedException {
    etcd.put(prefix + "default/webhooks/a", LOG);
    start("default");

    etcd.put(prefix + "default/webhooks/b", "{\"module\":\"log\",\"data_type\":\"blob\"}");

    assertTrue(changeArrives(1_000, config -> config.webhooks().containsKey("b")), "change: " + changes);
    assertEquals(1, changes.size());
    assertEquals(List.of("a", "b"), List.copyOf(changes.get(0).webhooks().fieldNames()));
    assertEquals("blob", changes.get(0).webhooks().getJsonObject("b").getString("data_type"));
  }

  @Test
  void aPutOfTheSameValueIsNoChange() throws InterruptedException {
    etcd.put(prefix + "default/webhooks/a", LOG);
    // no debounce to speak of: each put is its own burst
    source = new EtcdConfigSource(vertx, new EtcdSettings(etcd.host(), etcd.port(), prefix, "default", null, null),
        Duration.ofMillis(1), EtcdConfigSource.DEFAULT_PROBE_INTERVAL);
    source.onChange(changes::add);
    Futures.await(source.start());

    etcd.put(prefix + "default/webhooks/a", LOG);
    etcd.put(prefix + "default/webhooks/b", LOG);

    assertTrue(changeArrives(1_000, config -> config.webhooks().containsKey("b")), "changes: " + changes);
    assertEquals(1, changes.size());
  }

  @Test
  void deleteRemovesTheEntry() throws InterruptedException {
    etcd.put(prefix + "team-a/webhooks/a", LOG);
    etcd.put(prefix + "global/connections/c", "{\"type\":\"rabbitmq\",\"host\":\"mq.example.com\"}");
    EtcdConfig first = start("default");
    assertTrue(first.namespaces().get("team-a").containsKey("a"));

    etcd.delete(prefix + "team-a/webhooks/a");
    etcd.delete(prefix + "global/connections/c");

    assertTrue(changeArrives(2_000, config -> !config.namespaces().containsKey("team-a")
        && config.connections().isEmpty()), "changes: " + changes);
  }

  @Test
  void aBurstOfFiftyPutsGivesFewChangesAndTheFinalState() throws InterruptedException {
    start("default");
    Map<String, String> transaction = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      transaction.put(prefix + "default/webhooks/t" + i, LOG);
    }

    etcd.putAll(transaction);
    assertTrue(changeArrives(2_000, config -> config.webhooks().size() == 50), "changes: " + changes.size());
    assertEquals(1, changes.size());

    for (int i = 0; i < 50; i++) {
      etcd.put(prefix + "default/webhooks/p" + i, LOG);
    }
    assertTrue(changeArrives(3_000, config -> config.webhooks().size() == 100), "changes: " + changes.size());
    assertTrue(changes.size() <= 20, "changes: " + changes.size());
  }

  @Test
  void keysOutsideTheLayoutAndBadNamespacesAreIgnoredWithAWarning() throws InterruptedException {
    etcd.put(prefix + "default/webhooks/good", LOG);
    etcd.put(prefix + "default/notes/x", "not ours");
    etcd.put(prefix + "bad.namespace/webhooks/x", LOG);
    try (LogCapture log = LogCapture.of(EtcdConfigSource.class)) {
      EtcdConfig config = start("default");

      assertEquals(List.of("default"), List.copyOf(config.namespaces().keySet()));
      assertEquals(List.of("good"), List.copyOf(config.webhooks().fieldNames()));
      List<String> messages = log.messages();
      assertTrue(messages.stream().anyMatch(m -> m.contains(prefix + "default/notes/x")), "log: " + messages);
      assertTrue(messages.stream().anyMatch(m -> m.contains(prefix + "bad.namespace/webhooks/x")), "log: " + messages);
      assertFalse(log.messages().stream().anyMatch(m -> m.contains("not ours")), "a value was logged");
    }
  }

  @Test
  void aValueThatIsNotJsonReachesTheLoaderAsAnErrorWithoutItsContent() throws InterruptedException {
    start("default");
    try (LogCapture log = LogCapture.of(EtcdConfigSource.class)) {
      etcd.put(prefix + "default/webhooks/broken", "{\"module\": hunter2}");

      assertTrue(changeArrives(2_000, config -> config.webhooks().containsKey("broken")));
      assertTrue(log.messages().stream().anyMatch(m -> m.contains(prefix + "default/webhooks/broken")));
      assertFalse(log.messages().stream().anyMatch(m -> m.contains("hunter2")), "log: " + log.messages());
    }
    ConfigLoader.Result result = load(changes.get(changes.size() - 1), Map.of());
    assertFalse(result.ok());
    String error = result.errors().get(0).toString();
    assertTrue(error.contains("'broken'") && error.contains("must be an object"), error);
    assertFalse(result.problems().stream().map(ConfigProblem::toString).anyMatch(p -> p.contains("hunter2")));
  }

  @Test
  void startWithEtcdDownFailsClearly() throws Exception {
    int nothing = TestServer.freePort();
    source = new EtcdConfigSource(vertx, new EtcdSettings("127.0.0.1", nothing, prefix, "default", null, null));

    Throwable failure = Futures.failure(source.start());

    assertTrue(failure.getMessage().startsWith("etcd at 127.0.0.1:" + nothing + " unreachable: "),
        failure.getMessage());
    assertFalse(source.connected());
  }

  @Test
  void etcdLostKeepsTheConfigAndReconnects() throws InterruptedException {
    etcd.put(prefix + "default/webhooks/a", LOG);
    EtcdConfig first = start("default");
    List<Boolean> connection = new CopyOnWriteArrayList<>();
    source.onConnection(connection::add);
    try {
      etcd.kill();

      assertTrue(TestConnector.await(5_000, () -> !source.connected()), "still connected");
      assertEquals(List.of(false), connection);
      assertSame(first, source.current());
    } finally {
      etcd.start();
    }
    assertTrue(TestConnector.await(10_000, source::connected), "not reconnected");
    assertEquals(List.of(false, true), connection);
    assertTrue(changes.isEmpty(), "nothing changed meanwhile: " + changes);

    etcd.put(prefix + "default/webhooks/after", LOG);
    assertTrue(changeArrives(2_000, config -> config.webhooks().containsKey("after")));
  }

  @Test
  void changesMadeWhileTheWatchWasDownArriveOnReconnect() throws InterruptedException {
    etcd.put(prefix + "default/webhooks/a", LOG);
    start("default");
    AtomicInteger drops = new AtomicInteger();
    source.onConnection(up -> {
      if (!up) {
        drops.incrementAndGet();
      }
    });
    etcd.kill();
    assertTrue(TestConnector.await(5_000, () -> !source.connected()));
    etcd.start();
    etcd.delete(prefix + "default/webhooks/a");
    etcd.put(prefix + "default/webhooks/b", LOG);

    assertTrue(changeArrives(10_000, config -> config.webhooks().fieldNames().equals(java.util.Set.of("b"))),
        "changes: " + changes);
    assertTrue(TestConnector.await(5_000, source::connected));
    assertEquals(1, drops.get());
  }

  @Test
  void aMemberThatStopsAnsweringBehindAnOpenConnectionIsNoticed() throws Exception {
    etcd.put(prefix + "default/webhooks/a", LOG);
    try (TcpProxy proxy = new TcpProxy(etcd.host(), etcd.port())) {
      source = new EtcdConfigSource(vertx, new EtcdSettings("127.0.0.1", proxy.port(), prefix, "default", null, null),
          EtcdConfigSource.DEFAULT_DEBOUNCE, Duration.ofMillis(200));
      source.onChange(changes::add);
      EtcdConfig first = Futures.await(source.start());

      proxy.blackHole();
      assertTrue(TestConnector.await(10_000, () -> !source.connected()), "the partition went unnoticed");
      assertSame(first, source.current());

      proxy.restore();
      assertTrue(TestConnector.await(15_000, source::connected), "not reconnected");
      etcd.put(prefix + "default/webhooks/after", LOG);
      assertTrue(changeArrives(2_000, config -> config.webhooks().containsKey("after")));
    }
  }
}
