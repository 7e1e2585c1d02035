package io.cwm.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The entry-level {@code retry} block against a real module and a real service, both sides of the
 * classification: a transient failure (5xx, refused connection) is retried up to
 * {@code max_attempts}, a permanent one (4xx) is tried once. Python's classifier retries almost
 * nothing, because its modules wrap every error in a generic one.
 */
class ModuleRetryTest {
  static Vertx vertx;
  static HttpServer target;
  static TestServer server;
  static final AtomicInteger requests = new AtomicInteger();
  /** Status the target answers, per request number (1-based); 200 after the listed ones. */
  static volatile int[] script = {};

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    target = vertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          int n = requests.incrementAndGet();
          int[] statuses = script;
          request.response().setStatusCode(n <= statuses.length ? statuses[n - 1] : 200).end();
        }))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int closed = TestServer.freePort();
    String retry = "\"retry\": {\"enabled\": true, \"max_attempts\": 3, \"initial_delay\": 0.05, \"max_delay\": 0.2}";
    server = TestServer.start("""
        {
          "flaky": {"module": "http_webhook", %1$s,
                    "module-config": {"url": "http://127.0.0.1:%2$d/in", "allowed_hosts": ["127.0.0.1"]}},
          "gone": {"module": "http_webhook", %1$s,
                   "module-config": {"url": "http://127.0.0.1:%3$d/in", "allowed_hosts": ["127.0.0.1"]}},
          "chained": {"chain": [{"module": "http_webhook", %1$s,
                                 "module-config": {"url": "http://127.0.0.1:%2$d/in", "allowed_hosts": ["127.0.0.1"]}}]}
        }
        """.formatted(retry, target.actualPort(), closed), "{}", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void reset() {
    requests.set(0);
  }

  @Test
  void serverErrorsAreRetriedUntilTheTargetTakesIt() throws Exception {
    script = new int[] {503, 502};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/flaky", "{\"n\":1}", "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(3, requests.get(), "two failures, then the third attempt succeeded");
  }

  @Test
  void aRefusalIsTriedOnce() throws Exception {
    script = new int[] {400, 400, 400};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/flaky", "{\"n\":2}", "Content-Type", "application/json");
    assertEquals(500, response.statusCode(), response.body());
    assertEquals(1, requests.get(), "a 4xx is permanent: no second attempt");
  }

  @Test
  void attemptsAreBoundedAndTheAnswerSaysRetryLater() throws Exception {
    script = new int[] {503, 503, 503, 503};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/flaky", "{\"n\":3}", "Content-Type", "application/json");
    assertEquals(503, response.statusCode(), response.body());
    assertEquals(3, requests.get(), "max_attempts");
    assertEquals(true, response.headers().firstValue("retry-after").isPresent());
  }

  @Test
  void aRefusedConnectionIsTransientAndAnsweredRetryLater() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/gone", "{\"n\":4}", "Content-Type", "application/json");
    assertEquals(503, response.statusCode(), response.body());
  }

  @Test
  void chainItemsCarryTheirOwnRetry() throws Exception {
    script = new int[] {500};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/chained", "{\"n\":5}", "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(2, requests.get());
  }
}
