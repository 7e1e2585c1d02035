package io.cwm.config.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cwm.testing.EtcdServer;
import io.cwm.testing.Futures;
import io.cwm.testing.TestConnector;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The etcd source with etcd's authentication on: a read-only user of the prefix. */
class EtcdAuthTest {
  private static final String PREFIX = "/cwm/";
  private static final String USER = "cwm-reader";
  private static final String PASSWORD = "reader-test-secret";
  private static EtcdServer etcd;

  private final Vertx vertx = Vertx.vertx();
  private EtcdConfigSource source;

  @BeforeAll
  static void startEtcd() {
    assumeTrue(EtcdServer.available(),
        EtcdServer.BINARY + " not installed (apt-get install etcd-server; .ci/run does)");
    etcd = EtcdServer.launch();
    etcd.put(PREFIX + "default/webhooks/a", "{\"module\":\"log\"}");
    etcd.enableAuth(USER, PASSWORD, PREFIX);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void close() {
    if (source != null) {
      Futures.await(source.close());
    }
    Futures.await(vertx.close());
  }

  private EtcdConfigSource source(String user, String password) {
    source = new EtcdConfigSource(vertx, new EtcdSettings(etcd.host(), etcd.port(), PREFIX, "default", user, password));
    return source;
  }

  @Test
  void readOnlyUserReadsAndWatches() throws InterruptedException {
    List<EtcdConfig> changes = new CopyOnWriteArrayList<>();
    source(USER, PASSWORD).onChange(changes::add);

    EtcdConfig config = Futures.await(source.start());
    assertTrue(config.webhooks().containsKey("a"));

    etcd.put(PREFIX + "default/webhooks/b", "{\"module\":\"log\"}");
    assertTrue(TestConnector.await(2_000, () -> !changes.isEmpty()
        && changes.get(changes.size() - 1).webhooks().containsKey("b")));
  }

  @Test
  void wrongPasswordFailsClearlyWithoutThePassword() {
    Throwable failure = Futures.failure(source(USER, "wrong-test-password").start());

    assertEquals("etcd at " + etcd.host() + ":" + etcd.port() + " refused the login of user '" + USER
        + "': authentication failed, invalid user ID or password", failure.getMessage());
    assertFalse(failure.getMessage().contains("wrong-test-password"));
  }

  @Test
  void noCredentialsWhereTheyAreNeededFailsClearly() {
    Throwable failure = Futures.failure(source(null, null).start());

    assertTrue(failure.getMessage().startsWith("etcd at " + etcd.host() + ":" + etcd.port() + " failed: "),
        failure.getMessage());
  }

  @Test
  void reconnectingAfterARestartLogsInAgain() throws InterruptedException {
    Futures.await(source(USER, PASSWORD).start());
    List<EtcdConfig> changes = new CopyOnWriteArrayList<>();
    source.onChange(changes::add);

    etcd.kill();
    try {
      assertTrue(TestConnector.await(5_000, () -> !source.connected()));
    } finally {
      etcd.start();
    }
    // the source logs in again before it reads and watches anew
    assertTrue(TestConnector.await(10_000, source::connected), "not reconnected");
    etcd.put(PREFIX + "default/webhooks/c", "{\"module\":\"log\"}");
    assertTrue(TestConnector.await(2_000, () -> !changes.isEmpty()
        && changes.get(changes.size() - 1).webhooks().containsKey("c")));
  }

  @Test
  void theWatchOutlivesItsToken() throws InterruptedException {
    List<EtcdConfig> changes = new CopyOnWriteArrayList<>();
    source(USER, PASSWORD).onChange(changes::add);
    Futures.await(source.start());
    String probe = etcd.token(USER, PASSWORD);

    etcd.changePassword(USER, PASSWORD);
    assertFalse(etcd.tokenValid(probe, PREFIX + "x"), "the user's tokens are still taken");
    etcd.put(PREFIX + "default/webhooks/late", "{\"module\":\"log\"}");

    assertTrue(TestConnector.await(2_000, () -> !changes.isEmpty()
        && changes.get(changes.size() - 1).webhooks().containsKey("late")));
    assertTrue(source.connected());
  }

  @Test
  void aReadWithARefusedTokenLogsInAgain() {
    EtcdClient client = new EtcdClient(vertx, new EtcdSettings(etcd.host(), etcd.port(), PREFIX, "default", USER,
        PASSWORD));
    try {
      Futures.await(client.authenticate());
      etcd.changePassword(USER, PASSWORD);

      EtcdClient.Range range = Futures.await(client.range(PREFIX));

      assertTrue(range.kvs().stream().anyMatch(kv -> kv.key().equals(PREFIX + "default/webhooks/a")));
    } finally {
      Futures.await(client.close());
    }
  }
}
