package io.cwm.module.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real receiver forwarding webhooks.json entries with {@code http_webhook} to a local target. */
class HttpWebhookEndToEndTest {
  static Vertx vertx;
  static HttpServer target;
  static TestServer server;
  static final LinkedBlockingQueue<String> bodies = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (request.path().equals("/fail")) {
        request.response().setStatusCode(500).end();
      } else {
        bodies.add(body.toString());
        request.response().end();
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String base = "http://127.0.0.1:" + target.actualPort();
    server = TestServer.start("""
        {
          "forward": {"module": "http_webhook",
                      "module-config": {"url": "%s/ok", "allowed_hosts": ["127.0.0.1"]}},
          "failing": {"module": "http_webhook",
                      "module-config": {"url": "%s/fail", "allowed_hosts": ["127.0.0.1"]}}
        }
        """.formatted(base, base));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void webhookIsForwardedToTheTarget() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/forward", "{\"order\":42}");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(new JsonObject().put("order", 42), new JsonObject(bodies.poll(5, TimeUnit.SECONDS)));
  }

  @Test
  void targetServerErrorAnswers503SoTheSenderRetries() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/failing", "{\"order\":42}");
    assertEquals(503, response.statusCode(), response::body);
    assertEquals("5", response.headers().firstValue("retry-after").orElse(""));
  }

  @Test
  void aMetadataTargetIsAConfigErrorAtLoad() throws Exception {
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> TestServer.start("""
        {"meta": {"module": "http_webhook", "module-config": {"url": "http://169.254.169.254/"}}}
        """).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    String text = refused.problems().toString();
    assertTrue(text.contains("meta") && text.contains("url") && text.contains("metadata"), text);
  }
}
