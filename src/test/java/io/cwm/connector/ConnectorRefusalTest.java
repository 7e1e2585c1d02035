package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cwm.config.Env;
import io.cwm.connector.config.ConnectorConfigLoader;
import io.cwm.connector.config.ConnectorFlags;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A connector started before its receiver has the channel (issue 12, item 3.1): by default it
 * never gives up, logs the refusals at WARN only now and then, and connects as soon as a receiver
 * with the channel answers on that address; giving up stays an opt-in. Real receivers (our
 * server) over a real WebSocket.
 */
class ConnectorRefusalTest {
  static final String NOT_THE_CHANNEL = """
      {"other": {"module": "webhook_connect", "module-config": {"channel": "other", "channel_token": "tok-other"}}}
      """;
  static final String WITH_THE_CHANNEL = """
      {"late": {"module": "webhook_connect", "module-config": {"channel": "late", "channel_token": "tok-late"}}}
      """;

  Vertx vertx;
  TestServer receiver;
  final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  final LinkedBlockingQueue<String> gaveUp = new LinkedBlockingQueue<>();
  ListAppender<ILoggingEvent> logs;
  Logger connectorLog;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    logs = new ListAppender<>();
    logs.start();
    connectorLog = (Logger) LoggerFactory.getLogger(ConnectorVerticle.class);
    connectorLog.setLevel(Level.DEBUG); // every refusal is a DEBUG line at least: the count is read from them
    connectorLog.addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    connectorLog.detachAppender(logs);
    connectorLog.setLevel(null);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (receiver != null) {
      receiver.close();
    }
  }

  TestServer receiverOn(int port, String webhooks) throws Exception {
    return TestServer.startIn(Files.createTempDirectory("cwm-refusal"), port, "receiver", webhooks, "{}", Map.of(),
        List.of());
  }

  void deploy(ConnectorConfig config) throws Exception {
    Deliverer recording = new Deliverer() {
      @Override
      public Future<Outcome> deliver(Delivery delivery) {
        delivered.add(delivery);
        return Future.succeededFuture(Outcome.ack());
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
    vertx.deployVerticle(new ConnectorVerticle(config, v -> recording, gaveUp::add))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A copy of the captured events: the appender adds to its list under its own lock, from the connector's thread. */
  private java.util.List<ILoggingEvent> events() {
    synchronized (logs) {
      return new java.util.ArrayList<>(logs.list);
    }
  }

  long refusals(Level level) {
    return events().stream().filter(event -> event.getLevel() == level)
        .filter(event -> event.getFormattedMessage().contains("refused by the receiver")).count();
  }

  @Test
  void keepsRetryingPastTenRefusalsAndConnectsOnceTheChannelExists() throws Exception {
    int port = TestServer.freePort();
    receiver = receiverOn(port, NOT_THE_CHANNEL);
    // a connector.json that leaves max_refused_attempts at its default
    java.nio.file.Path file = Files.createTempDirectory("cwm-refusal").resolve("connector.json");
    Files.writeString(file, new JsonObject().put("cloud_url", "http://127.0.0.1:" + port).put("channel", "late")
        .put("token", "tok-late").put("reconnect_delay", 0.01).put("max_reconnect_delay", 0.05)
        .put("default_target", new JsonObject().put("url", "http://127.0.0.1:9/unused")).encode());
    ConnectorConfigLoader.Result loaded = ConnectorConfigLoader.load(List.of(file), ConnectorFlags.NONE,
        Env.of(Map.of()), ConnectorConfigLoader.Purpose.START);
    assertTrue(loaded.ok(), () -> loaded.errors().toString());
    deploy(loaded.connectors().get(0));

    assertTrue(await(20_000, () -> refusals(Level.WARN) + refusals(Level.DEBUG) >= 25),
        () -> "refusals seen: " + (refusals(Level.WARN) + refusals(Level.DEBUG)));
    assertEquals(1, refusals(Level.WARN), "one WARN line for a run of refusals within a minute, the rest DEBUG");
    assertTrue(events().stream().anyMatch(event -> event.getLevel() == Level.WARN
        && event.getFormattedMessage().contains("retrying until accepted")), "the WARN line says it keeps trying");
    assertTrue(gaveUp.isEmpty(), "never gave up: " + gaveUp);

    // the receiver is replaced by one that has the channel (Python: the channel's first webhook)
    receiver.close();
    receiver = receiverOn(port, WITH_THE_CHANNEL);
    String messageId = new ConnectApi(receiver).post("late", "{\"n\":1}");
    assertTrue(await(10_000, () -> delivered.stream().anyMatch(d -> d.messageId().equals(messageId))),
        "connected and delivered once the channel exists");
    assertTrue(events().stream().anyMatch(event -> event.getFormattedMessage().contains("refusal(s) in a row")
        && event.getFormattedMessage().contains("connected")), "the connect line counts the refusals before it");
    assertTrue(gaveUp.isEmpty(), "never gave up: " + gaveUp);
  }

  @Test
  void optInMaxRefusedAttemptsStillGivesUp() throws Exception {
    int port = TestServer.freePort();
    receiver = receiverOn(port, NOT_THE_CHANNEL);
    ConnectorConfig config = TestConnectors.reconnecting(TestConnectors.http(port, "late", "tok-late", "websocket",
        TestConnectors.target("http://127.0.0.1:1/unused")), 0.01, 0.05, 4);
    deploy(config);

    String reason = gaveUp.poll(20, TimeUnit.SECONDS);
    assertNotNull(reason, "gave up");
    assertTrue(reason.contains("refused 4 connections in a row") && reason.contains("403")
        && reason.contains("late") && reason.contains("max_refused_attempts 4"), reason);
    assertTrue(gaveUp.isEmpty(), "gave up once");
    assertEquals(3, refusals(Level.WARN) + refusals(Level.DEBUG), "three retried refusals, the fourth ended it");
  }
}
