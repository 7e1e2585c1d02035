package io.cwm.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.OtlpReceiver;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, end to end over real HTTP and WebSocket: a receiver and a connector (two tracers, as
 * two processes would have) export OTLP/HTTP protobuf to the test's {@link OtlpReceiver}; one
 * relayed webhook makes one trace whose parent chain runs from the provider's {@code traceparent}
 * through ingest, the buffer write, the receiver's delivery attempt and the connector's delivery
 * to the local target, which receives the connector span's context as its {@code traceparent}.
 */
class TracingTest {
  private static final String PROVIDER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PROVIDER_SPAN = "00f067aa0ba902b7";
  private static final String WEBHOOKS = """
      {"traced": {"module": "webhook_connect", "module-config": {"channel": "tr", "channel_token": "tok-tr"},
                  "header_auth": {"header_name": "X-Api-Key", "api_key": "k-9f3a7c21d4e8b650"}}}
      """;

  static OtlpReceiver otlp;
  static Vertx vertx;
  static HttpServer target;
  static final Map<String, String> targetTraceparents = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    otlp = OtlpReceiver.start();
    vertx = Vertx.vertx();
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String messageId = request.getHeader("X-Webhook-Message-ID");
      targetTraceparents.put(messageId, String.valueOf(request.getHeader("traceparent")));
      request.response().end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    otlp.close();
  }

  private static Map<String, String> tracingEnv() {
    return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "50",
        "ALLOW_LOCALHOST_FOR_TESTS", "true");
  }

  @Test
  void oneRelayedWebhookIsOneTraceFromTheProvidersPostToTheLocalTarget() throws Exception {
    try (TestServer receiver = TestServer.start(WEBHOOKS, "{}", tracingEnv());
         TestServer connector = TestServer.startIn(Files.createTempDirectory("cwm-conn"), TestServer.freePort(),
             "connector", "{}", "{}", tracingEnv(), List.of(TestConnectors.http(receiver.port(), "tr", "tok-tr",
                 "websocket", TestConnectors.target("http://127.0.0.1:" + target.actualPort() + "/in"))))) {
      assertTrue(receiver.running().app().tracing().on());
      HttpResponse<String> answer = Http.post(receiver.port(), "/webhook/traced", "{\"order\":1}",
          "X-Api-Key", "k-9f3a7c21d4e8b650", "traceparent", "00-" + PROVIDER_TRACE + "-" + PROVIDER_SPAN + "-01");
      assertEquals(200, answer.statusCode(), answer::body);
      String messageId = answer.headers().firstValue("X-Webhook-Message-Id").orElseThrow();
      assertTrue(TestConnector.await(20_000, () -> targetTraceparents.containsKey(messageId)), "not delivered");
      // the four spans of this message, the attempt's once its ack came back
      assertTrue(TestConnector.await(20_000, () -> names(otlp.ofMessage(messageId)).containsAll(
          List.of("webhook.ingest", "buffer.write", "relay.deliver", "connector.deliver"))),
          () -> "spans of " + messageId + ": " + otlp.ofMessage(messageId));
      List<OtlpReceiver.Received> spans = otlp.ofMessage(messageId);
      OtlpReceiver.Received ingest = one(spans, "webhook.ingest");
      OtlpReceiver.Received write = one(spans, "buffer.write");
      OtlpReceiver.Received attempt = one(spans, "relay.deliver");
      OtlpReceiver.Received delivery = one(spans, "connector.deliver");
      for (OtlpReceiver.Received span : spans) {
        assertEquals(PROVIDER_TRACE, span.traceId(), "one trace, the provider's: " + span);
        assertEquals("traced", span.attributes().get("cwm.webhook_id"), span.toString());
      }
      assertEquals(PROVIDER_SPAN, ingest.parentSpanId(), "the provider's traceparent is honoured");
      assertEquals(ingest.spanId(), write.parentSpanId());
      assertEquals(write.spanId(), attempt.parentSpanId(), "the context crossed the buffer in the envelope");
      assertEquals(attempt.spanId(), delivery.parentSpanId(), "the connector's delivery is the attempt's child");
      assertEquals("00-" + PROVIDER_TRACE + "-" + delivery.spanId() + "-01", targetTraceparents.get(messageId),
          "the local target gets the connector span's context");

      assertEquals("SPAN_KIND_SERVER", ingest.kind());
      assertEquals("cwm-receiver", ingest.service());
      assertEquals("cwm-connector", delivery.service());
      assertEquals("200", ingest.attributes().get("http.response.status_code"));
      OtlpReceiver.Event check = ingest.events().stream()
          .filter(event -> "header_auth".equals(event.attributes().get("cwm.validator"))).findFirst().orElseThrow();
      assertEquals("passed", check.attributes().get("cwm.outcome"));
      assertEquals("stored", write.attributes().get("cwm.outcome"));
      assertEquals("tr", attempt.attributes().get("cwm.channel"));
      assertEquals("ack", attempt.attributes().get("cwm.outcome"));
      assertEquals("ack", delivery.attributes().get("cwm.outcome"));
      assertEquals(0, otlp.refused());
    }
  }

  @Test
  void aRefusedWebhookIsTracedWithTheValidatorThatRefusedIt() throws Exception {
    try (TestServer receiver = TestServer.start(WEBHOOKS, "{}", tracingEnv())) {
      String trace = "0af7651916cd43dd8448eb211c80319c";
      HttpResponse<String> answer = Http.post(receiver.port(), "/webhook/traced", "{}", "X-Api-Key", "wrong",
          "traceparent", "00-" + trace + "-b7ad6b7169203331-01");
      assertEquals(401, answer.statusCode());
      assertTrue(TestConnector.await(20_000, () -> otlp.spans().stream().anyMatch(span -> trace.equals(span.traceId()))));
      OtlpReceiver.Received ingest = otlp.spans().stream().filter(span -> trace.equals(span.traceId())).findFirst()
          .orElseThrow();
      assertEquals("401", ingest.attributes().get("http.response.status_code"));
      OtlpReceiver.Event check = ingest.events().get(0);
      assertEquals("header_auth", check.attributes().get("cwm.validator"));
      assertEquals("refused", check.attributes().get("cwm.outcome"));
      assertFalse(check.toString().contains("k-9f3a7c21d4e8b650"), "a secret reached a span: " + check);
      assertNull(ingest.attributes().get("cwm.message_id"), "nothing was stored");
    }
  }

  @Test
  void offUnlessConfiguredAndThenTheStoredMessageCarriesNoTraceContext() throws Exception {
    try (TestServer receiver = TestServer.start(WEBHOOKS, "{}", Map.of());
         TestConnector raw = new TestConnector(vertx)) {
      assertFalse(receiver.running().app().tracing().on());
      raw.connect(receiver.port(), "tr", "tok-tr");
      assertEquals(200, Http.post(receiver.port(), "/webhook/traced", "{}", "X-Api-Key", "k-9f3a7c21d4e8b650",
          "traceparent", "00-" + PROVIDER_TRACE + "-" + PROVIDER_SPAN + "-01").statusCode());
      JsonObject frame = raw.next("webhook", 10_000);
      assertNotNull(frame);
      assertFalse(frame.containsKey("traceparent"), frame::encode);
    }
  }

  @Test
  void withTracingTheFrameCarriesTheAttemptsTraceparentAPythonConnectorIgnores() throws Exception {
    try (TestServer receiver = TestServer.start(WEBHOOKS, "{}", tracingEnv());
         TestConnector raw = new TestConnector(vertx)) {
      raw.connect(receiver.port(), "tr", "tok-tr");
      assertEquals(200, Http.post(receiver.port(), "/webhook/traced", "{}", "X-Api-Key", "k-9f3a7c21d4e8b650")
          .statusCode());
      JsonObject frame = raw.next("webhook", 10_000);
      assertNotNull(frame);
      String traceparent = frame.getString("traceparent");
      assertTrue(Tracing.isTraceparent(traceparent), frame::encode);
      // every field a Python connector reads is still there, as before
      for (String field : List.of("type", "message_id", "webhook_id", "timestamp", "headers", "payload")) {
        assertTrue(frame.containsKey(field), field);
      }
      raw.ack(frame.getString("message_id"));
      String spanId = traceparent.substring(36, 52);
      assertTrue(TestConnector.await(20_000, () -> otlp.spans().stream().anyMatch(span -> span.spanId().equals(spanId)
          && "ack".equals(span.attributes().get("cwm.outcome")))), "the attempt span ends with the ack");
    }
  }

  @Test
  void badOtelSettingsFailTheStartWithTheSdksReason() {
    IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Tracing.fromEnv(io.cwm.config.Env.of(Map.of("OTEL_TRACES_EXPORTER", "nonsense")), "receiver"));
    assertTrue(refused.getMessage().contains("nonsense"), refused.getMessage());
    assertFalse(Tracing.fromEnv(io.cwm.config.Env.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x:4318",
        "OTEL_SDK_DISABLED", "true")), "receiver").on());
    assertFalse(Tracing.fromEnv(io.cwm.config.Env.of(Map.of("OTEL_SERVICE_NAME", "x")), "receiver").on());
  }

  @Test
  void traceparentShapes() {
    assertTrue(Tracing.isTraceparent("00-" + PROVIDER_TRACE + "-" + PROVIDER_SPAN + "-01"));
    assertFalse(Tracing.isTraceparent("00-" + PROVIDER_TRACE + "-" + PROVIDER_SPAN + "-01\r\nX-Evil: 1"));
    assertFalse(Tracing.isTraceparent("00-" + PROVIDER_TRACE.toUpperCase() + "-" + PROVIDER_SPAN + "-01"));
    assertFalse(Tracing.isTraceparent("garbage"));
    assertFalse(Tracing.isTraceparent(null));
    assertEquals(Optional.empty(), Optional.ofNullable(Tracing.traceparent(io.opentelemetry.api.trace.Span.getInvalid())));
  }

  private static List<String> names(List<OtlpReceiver.Received> spans) {
    return spans.stream().map(OtlpReceiver.Received::name).toList();
  }

  private static OtlpReceiver.Received one(List<OtlpReceiver.Received> spans, String name) {
    List<OtlpReceiver.Received> found = spans.stream().filter(span -> span.name().equals(name)).toList();
    assertEquals(1, found.size(), () -> name + ": " + found);
    return found.get(0);
  }
}
