package io.cwm.stream;

import static io.cwm.testing.Futures.await;
import static io.cwm.testing.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.BufferClient;
import io.cwm.buffer.BufferException;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.TokenState;
import io.cwm.bus.Addresses;
import io.cwm.bus.ChannelDirectory;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ChannelUpdate;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Channels at run time (issue 18): a {@link ChannelUpdate} published to a running receiver with two
 * instances per channel verticle. One abstract suite, run against every buffer backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ChannelUpdateTest {
  private static final long WAIT_MS = 5000;

  protected final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String channelA = "upd-a-" + suffix;
  private final String channelB = "upd-b-" + suffix;
  private final List<TestConnector> connectors = new ArrayList<>();
  private TestServer server;
  private Vertx client;

  /** Environment selecting the backend under test. */
  protected abstract Map<String, String> backendEnv();

  /** One {@code channel} verticle per instance, or separate {@code buffer} and {@code stream} verticles. */
  protected abstract boolean channelVerticles();

  @BeforeEach
  void start() throws Exception {
    client = Vertx.vertx();
    String line = "\"instances\": 2";
    String owners = channelVerticles() ? "{\"verticle\": \"channel\", " + line + "},"
        : "{\"verticle\": \"buffer\", " + line + "}, {\"verticle\": \"stream\", " + line + "},";
    String verticles = "{\"receiver\": [" + owners
        + " {\"verticle\": \"admin\", \"instances\": 1}, {\"verticle\": \"ingest\", \"instances\": 1}]}";
    String webhooks = "{\"feed-a-" + suffix + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \""
        + channelA + "\", \"channel_token\": \"tok-a\"}}}";
    server = TestServer.startWithVerticles(verticles, webhooks, backendEnv());
  }

  @AfterEach
  void stop() throws Exception {
    for (TestConnector connector : connectors) {
      connector.close();
    }
    server.close();
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aNewChannelIsServedByItsOwnerAndAChangedSpecAppliesToNewSessionsOnly() throws Exception {
    Vertx vertx = server.running().vertx();
    ChannelSpec a = server.running().app().config().channels().get(channelA);
    TestConnector first = connect("tok-a");
    postToA(1);
    assertTrue(TestConnector.await(WAIT_MS, () -> first.unique().size() == 1), "delivered before the update");

    ChannelSpec changedA = new ChannelSpec(a.name(), "tok-a2", a.queues(), 2, a.maxInFlight(), a.ackTimeoutSeconds(),
        a.heartbeatIntervalSeconds(), a.maxDeliveries());
    ChannelSpec b = new ChannelSpec(channelB, "tok-b", Map.of("feed-b", new ChannelSpec.Queue("feed-b", 3600, 100)),
        1, 10, 30, 30, 5);
    vertx.eventBus().publish(Addresses.CHANNELS_UPDATE, new ChannelUpdate(Map.of(channelA, changedA, channelB, b)),
        Addresses.LOCAL);

    // b goes to instance 1 (idle until now: a sits on 0), for the buffer and the stream alike
    ChannelDirectory buffers = ChannelDirectory.buffer(vertx);
    ChannelDirectory streams = ChannelDirectory.stream(vertx);
    assertTrue(TestConnector.await(WAIT_MS, () -> buffers.owner(channelB) == 1 && streams.owner(channelB) == 1),
        "owners of b: buffer " + buffers.owner(channelB) + ", stream " + streams.owner(channelB));
    assertEquals(0, buffers.owner(channelA));
    BufferClient buffer = new BufferClient(vertx);
    Envelope sent = Envelope.create(channelB, "feed-b", new JsonObject(), new JsonObject().put("n", 1), Instant.now(),
        3600);
    Envelope stored = retryWhileUnavailable(() -> buffer.publish(b, sent));
    assertEquals(sent.messageId(), stored.messageId());
    Envelope leased = leaseOne(buffer, b, "lease-owner");
    assertEquals(sent.messageId(), leased.messageId());
    assertTrue(await(buffer.ack(b, leased.messageId())));
    StreamClient sessions = new StreamClient(vertx);
    await(sessions.open(channelB, "conn-b1", "connector-b", "long_poll", "127.0.0.1"));
    assertEquals(1, await(sessions.sessions(channelB)));
    assertTrue(StreamFailure.is(failure(sessions.open(channelB, "conn-b2", "connector-b", "long_poll", "127.0.0.1")),
        StreamFailure.Reason.FULL), "b's max_connections is 1");
    await(sessions.close(channelB, "conn-b1"));

    // a: the connected session stays and keeps receiving; new sessions need the new token and meet the new limit
    postToA(2);
    assertTrue(TestConnector.await(WAIT_MS, () -> first.unique().size() == 2), "delivered after the update");
    assertFalse(first.isClosed());
    TestConnector second = connect("tok-a2");
    assertThrows(Exception.class, () -> connect("wrong-token"));
    TokenState token = await(buffer.tokenState(changedA));
    long now = System.currentTimeMillis();
    assertEquals(TokenState.Match.CURRENT, token.match(TokenState.hash("tok-a2"), now));
    assertEquals(TokenState.Match.PREVIOUS, token.match(TokenState.hash("tok-a"), now),
        "the configured token before the change stays valid for its grace");
    assertTrue(StreamFailure.is(failure(sessions.open(channelA, "conn-a3", "connector-a", "long_poll", "127.0.0.1")),
        StreamFailure.Reason.FULL), "a's max_connections is 2 now, and two sessions are open");
    postToA(3);
    assertTrue(TestConnector.await(WAIT_MS, () -> first.unique().size() + second.unique().size() == 3),
        "delivered to the open sessions");
    assertFalse(first.isClosed());
  }

  @Test
  void aChannelLeftOutOfTheUpdateKeepsItsMessagesLeasableAndAckable() throws Exception {
    Vertx vertx = server.running().vertx();
    ChannelSpec a = server.running().app().config().channels().get(channelA);
    for (int n = 1; n <= 3; n++) {
      postToA(n);
    }
    ChannelSpec b = new ChannelSpec(channelB, "tok-b", Map.of("feed-b", new ChannelSpec.Queue("feed-b", 3600, 100)),
        5, 10, 30, 30, 5);
    vertx.eventBus().publish(Addresses.CHANNELS_UPDATE, new ChannelUpdate(Map.of(channelB, b)), Addresses.LOCAL);
    ChannelDirectory buffers = ChannelDirectory.buffer(vertx);
    assertTrue(TestConnector.await(WAIT_MS, () -> buffers.owner(channelB) == 1), "b claimed");
    assertEquals(0, buffers.owner(channelA), "a stays with its owner");

    BufferClient buffer = new BufferClient(vertx);
    Envelope rejected = leaseOne(buffer, a, "drain");
    assertEquals(MessageBuffer.NackOutcome.DEAD_LETTERED, await(buffer.nack(a, rejected.messageId(), false)));
    List<JsonObject> dead = await(buffer.deadLetters(a, 10));
    assertEquals(1, dead.size());
    assertEquals(rejected.messageId(), dead.get(0).getString("message_id"));

    TestConnector drain = connect("tok-a");
    assertTrue(TestConnector.await(WAIT_MS, () -> drain.unique().size() == 2),
        drain.unique().size() + " of the 2 left delivered");
    assertTrue(TestConnector.await(WAIT_MS, () -> {
      var stats = await(buffer.stats(a));
      return stats.queued() == 0 && stats.inFlight() == 0;
    }), "a drained");
  }

  private TestConnector connect(String token) throws Exception {
    TestConnector connector = new TestConnector(client).autoAck(true);
    try {
      connector.connect(server.port(), channelA, token);
    } catch (Exception refused) {
      connector.close();
      throw refused;
    }
    connectors.add(connector);
    assertNotNull(connector.next("connected", WAIT_MS), "connected frame");
    return connector;
  }

  private void postToA(int n) throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/feed-a-" + suffix, "{\"n\":" + n + "}",
        "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
  }

  /** A new channel answers UNAVAILABLE until its owner's backend has it: the caller retries, as ingest's 503 says. */
  private <T> T retryWhileUnavailable(Supplier<Future<T>> call) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (true) {
      try {
        return await(call.get());
      } catch (AssertionError failed) {
        boolean unavailable = failed.getCause() instanceof BufferException refused
            && refused.reason() == BufferException.Reason.UNAVAILABLE;
        if (!unavailable || System.currentTimeMillis() > deadline) {
          throw failed;
        }
        pause();
      }
    }
  }

  /** One leased message (RabbitMQ may answer none until its consumers have pushed): leases again until then. */
  private Envelope leaseOne(MessageBuffer buffer, ChannelSpec channel, String owner) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      List<Envelope> leased = retryWhileUnavailable(() -> buffer.lease(channel, owner, 1, 30_000));
      if (!leased.isEmpty()) {
        return leased.get(0);
      }
      pause();
    }
    throw new AssertionError("nothing leased on " + channel.name() + " within " + WAIT_MS + " ms");
  }

  /** The polling interval of the loops above, on a timer of the test's own Vert.x. */
  private void pause() {
    await(Future.<Void>future(done -> client.setTimer(20, id -> done.complete())));
  }
}
