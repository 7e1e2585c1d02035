package io.cwm.metrics;

import static io.cwm.metrics.CwmMetricsTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.cwm.testing.Http;
import io.cwm.testing.LogCapture;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code vertx_eventbus_*} meters: Vert.x's names and meanings, each meter registered once.
 * Micrometer logs every repeated Gauge registration (at WARN the first time in a JVM, at DEBUG after
 * that), so the tests read that logger at DEBUG: it must not name an event-bus meter.
 */
class EventBusMetersTest {
  static final String METER_REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";

  private static List<String> registeredAgain(LogCapture log) {
    return log.messages().stream().filter(line -> line.contains("has been already registered")).toList();
  }

  @Test
  void handlersAndMessagesAreCountedBySideWithoutRegisteringAnyMeterTwice() throws Exception {
    PrometheusMeterRegistry registry = CwmMetrics.newRegistry();
    try (LogCapture log = LogCapture.of(METER_REGISTRY_LOGGER, Level.DEBUG)) {
      Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(CwmMetrics.vertxOptions()))
          .withMetrics(CwmMetrics.vertxMetricsFactory(registry)).build();
      try {
        vertx.eventBus().<String>consumer("orders", message -> message.reply("done"));
        vertx.eventBus().consumer("audit", message -> { });
        MessageConsumer<Object> second = vertx.eventBus().consumer("audit", message -> { });
        assertEquals("done", vertx.eventBus().request("orders", "o-1").await().body());
        vertx.eventBus().publish("audit", "a-1");
        String scrape = registry.scrape();
        assertEquals(3.0, value(scrape, "vertx_eventbus_handlers"), scrape);
        assertEquals(1.0, value(scrape, "vertx_eventbus_sent_total{side=\"local\"}"), scrape);
        assertEquals(1.0, value(scrape, "vertx_eventbus_published_total{side=\"local\"}"), scrape);
        assertEquals(2.0, value(scrape, "vertx_eventbus_received_total{side=\"local\"}"), scrape);
        assertEquals(2.0, value(scrape, "vertx_eventbus_delivered_total{side=\"local\"}"), scrape);
        assertTrue(TestConnector.await(5_000, () -> value(registry.scrape(),
            "vertx_eventbus_processed_total{side=\"local\"}") == 3.0), registry::scrape);
        assertEquals(0.0, value(registry.scrape(), "vertx_eventbus_pending{side=\"local\"}"));
        second.unregister().await();
        assertEquals(2.0, value(registry.scrape(), "vertx_eventbus_handlers"));
        assertEquals(0.0, value(registry.scrape(), "vertx_eventbus_received_total{side=\"remote\"}"));
      } finally {
        vertx.close().await();
      }
      assertEquals(List.of(), registeredAgain(log));
    }
  }

  @Test
  void aReceiverStartsAndRelaysWithoutRegisteringAnEventBusMeterTwice() throws Exception {
    try (LogCapture log = LogCapture.of(METER_REGISTRY_LOGGER, Level.DEBUG);
        TestServer server = TestServer.start("""
            {"orders": {"module": "log"},
             "relay": {"module": "webhook_connect",
                       "module-config": {"channel": "orders", "channel_token": "4e1f9c2a7b"}}}""",
            "{}", Map.of("METRICS_TOKEN", "event-bus-meters-scrape"))) {
      // start-up registered dozens of event-bus consumers (module, buffer, stream, admin, edges)
      assertEquals(List.of(), registeredAgain(log), "start-up");
      for (int i = 0; i < 3; i++) {
        assertEquals(200, Http.post(server.port(), "/webhook/orders", "{}").statusCode());
        assertEquals(200, Http.post(server.port(), "/webhook/relay", "{}").statusCode());
      }
      assertTrue(registeredAgain(log).stream().noneMatch(line -> line.contains("vertx.eventbus")),
          registeredAgain(log)::toString);
      assertTrue(value(Http.get(server.port(), "/metrics", "Authorization", "Bearer event-bus-meters-scrape").body(),
          "vertx_eventbus_handlers") > 10,
          "the receiver's consumers are counted");
    }
  }
}
