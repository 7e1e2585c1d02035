package io.cwm.module.http;

import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.bus.Addresses;
import io.cwm.bus.LocalCodec;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.net.TargetUrl;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The deployed http_webhook verticle against a local target on 127.0.0.1 (allow-listed). */
class HttpWebhookModuleTest {
  /** What the target received. */
  record Received(String method, String uri, MultiMap headers, String body) {}

  private Vertx vertx;
  private HttpServer target;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private volatile Consumer<HttpServerRequest> answer = request -> request.response().end("ok");

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(ModuleCall.class, new LocalCodec<>(ModuleCall.class));
    target = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(new Received(request.method().name(), request.uri(), request.headers(), body.toString()));
      answer.accept(request);
    })).listen(0, "127.0.0.1"));
    await(vertx.deployVerticle(new HttpWebhookModuleVerticle()));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }


  private JsonObject config(String path) {
    return new JsonObject().put("url", "http://127.0.0.1:" + target.actualPort() + path)
        .put("allowed_hosts", new JsonArray().add("127.0.0.1"));
  }

  /** The target the load-time check makes of a module-config. */
  private static HttpWebhookTarget target(JsonObject moduleConfig) {
    return HttpWebhookModuleVerticle.TYPE.target(moduleConfig, new JsonObject(), Env.of(Map.of()));
  }

  private Future<Object> call(JsonObject moduleConfig, Object payload, Map<String, String> headers) {
    ModuleCall call = new ModuleCall("hook", "http_webhook", target(moduleConfig), null, null, payload, headers,
        null);
    return vertx.eventBus().request(Addresses.module("http_webhook"), call).map(reply -> reply.body());
  }

  private ModuleFailure failureOf(JsonObject moduleConfig) {
    return ModuleFailure.from(failure(call(moduleConfig, new JsonObject().put("a", 1), Map.of())));
  }

  @Test
  void sendsThePayloadAsJsonWithMethodAndFilteredHeaders() throws Exception {
    JsonObject moduleConfig = config("/hook?x=1").put("method", "put").put("forward_headers", true)
        .put("headers", new JsonObject().put("X-Static", "yes").put("X-Bad", "v\r\nX-B: w").put("Host", "evil"));
    assertNull(await(call(moduleConfig, new JsonObject().put("a", 1),
        Map.of("x-forwarded-thing", "fwd", "transfer-encoding", "chunked", "x a", "bad name"))));
    Received request = received.poll(5, TimeUnit.SECONDS);
    assertEquals("PUT", request.method());
    assertEquals("/hook?x=1", request.uri());
    assertEquals(new JsonObject().put("a", 1), new JsonObject(request.body()));
    assertEquals("application/json", request.headers().get("content-type"));
    assertEquals("yes", request.headers().get("x-static"));
    assertEquals("fwd", request.headers().get("x-forwarded-thing"));
    assertFalse(request.headers().contains("x-bad"));
    assertFalse(request.headers().contains("x-b"));
    assertEquals("127.0.0.1:" + target.actualPort(), request.headers().get("host"));
  }

  @Test
  void allowedHeadersLimitsForwardedAndConfiguredHeaders() throws Exception {
    JsonObject moduleConfig = config("/").put("forward_headers", true)
        .put("headers", new JsonObject().put("X-Static", "yes").put("X-Other", "no"))
        .put("allowed_headers", new JsonArray().add("x-static").add("X-Event"));
    await(call(moduleConfig, new JsonArray().add(1), Map.of("x-event", "push", "x-secret", "s")));
    MultiMap headers = received.poll(5, TimeUnit.SECONDS).headers();
    assertEquals("yes", headers.get("x-static"));
    assertEquals("push", headers.get("x-event"));
    assertFalse(headers.contains("x-other"));
    assertFalse(headers.contains("x-secret"));
  }

  @Test
  void forwardedHeadersStayHomeByDefault() throws Exception {
    await(call(config("/"), new JsonObject(), Map.of("x-event", "push")));
    assertFalse(received.poll(5, TimeUnit.SECONDS).headers().contains("x-event"));
  }

  @ParameterizedTest
  @CsvSource({"500, UNAVAILABLE", "503, UNAVAILABLE", "429, UNAVAILABLE", "404, REJECTED", "400, REJECTED"})
  void statusDecidesWhetherTheFailureIsRetryable(int status, Category expected) {
    answer = request -> request.response().setStatusCode(status).end();
    ModuleFailure failure = failureOf(config("/"));
    assertEquals(expected, failure.category());
    assertEquals(status >= 500 || status == 429, failure.retryable());
  }

  @Test
  void redirectIsNotFollowed() throws Exception {
    answer = request -> {
      if (request.uri().equals("/start")) {
        request.response().setStatusCode(302).putHeader("Location", "/elsewhere").end();
      } else {
        request.response().end();
      }
    };
    assertEquals(Category.REJECTED, failureOf(config("/start")).category());
    assertEquals("/start", received.poll(5, TimeUnit.SECONDS).uri());
    assertNull(received.poll(300, TimeUnit.MILLISECONDS), "the redirect was not followed");
  }

  @Test
  void slowTargetTimesOutRetryably() {
    answer = request -> { }; // never answers
    long started = System.nanoTime();
    ModuleFailure failure = failureOf(config("/").put("timeout", 0.3));
    assertEquals(Category.TIMEOUT, failure.category());
    assertTrue(failure.retryable());
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5000);
  }

  @Test
  void refusedConnectionIsRetryable() throws Exception {
    int port = target.actualPort();
    await(target.close());
    JsonObject moduleConfig = new JsonObject().put("url", "http://127.0.0.1:" + port + "/")
        .put("allowed_hosts", new JsonArray().add("127.0.0.1"));
    ModuleFailure failure = failureOf(moduleConfig);
    assertEquals(Category.CONNECTION, failure.category());
    assertTrue(failure.retryable());
  }

  @Test
  void loopbackIsRefusedWithoutAllowedHosts() {
    // refused by the load-time check, so no call can carry it
    JsonObject moduleConfig = new JsonObject().put("url", "http://127.0.0.1:" + target.actualPort() + "/");
    assertEquals("url", assertThrows(ConfigException.class, () -> target(moduleConfig)).key());
    assertTrue(received.isEmpty());
  }

  @Test
  void aNameResolvingToLoopbackIsRefusedAtSendTime() {
    // "localhost" is refused at load by name; here the resolved address alone decides
    TargetUrl url = TargetUrl.parse("http://localhost:" + target.actualPort() + "/");
    ModuleFailure failure = ModuleFailure.from(failure(HttpWebhookModuleVerticle.addressFor(vertx, url, false)));
    assertEquals(Category.CONFIG, failure.category());
    assertTrue(failure.getMessage().contains("loopback"), failure.getMessage());
  }

  @Test
  void anAllowListedNameIsResolvedAndUsed() throws Exception {
    TargetUrl url = TargetUrl.parse("http://localhost:" + target.actualPort() + "/");
    byte[] address = await(HttpWebhookModuleVerticle.addressFor(vertx, url, true));
    assertTrue(address[0] == 127 || address.length == 16);
  }
}
