package io.cwm.connector.http;

import static io.cwm.connector.http.Deliveries.await;
import static io.cwm.connector.http.Deliveries.config;
import static io.cwm.connector.http.Deliveries.delivery;
import static io.cwm.connector.http.Deliveries.retrying;
import static io.cwm.connector.http.Deliveries.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.Outcome;
import io.cwm.connector.Target;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Status codes, retries, pauses, timeouts, redirects and misbehaving targets. */
class HttpDelivererOutcomeTest extends RecordingTargetTest {

  private Outcome deliver(Vertx vertx, Target target) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(target, true));
    return await(deliverer, delivery(new JsonObject().put("n", 1)));
  }

  private List<String> attemptHeaders() {
    return server.received().stream().map(r -> r.header("X-Webhook-Attempt")).toList();
  }

  private static long gapMillis(RecordingTarget.Received first, RecordingTarget.Received second) {
    return TimeUnit.NANOSECONDS.toMillis(second.atNanos() - first.atNanos());
  }

  @Test
  void twoHundredsAreAcked(Vertx vertx) throws Exception {
    for (int status : new int[] {200, 201, 204, 299}) {
      server.statuses(status);
      Outcome outcome = deliver(vertx, target(server.url("/")));
      assertEquals(Outcome.Verdict.ACK, outcome.verdict(), "status " + status);
      deliverer.close().await();
    }
    assertEquals(4, server.received().size());
  }

  @Test
  void serverErrorThenSuccessIsAckedOnTheSecondAttempt(Vertx vertx) throws Exception {
    server.statuses(500, 200);
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    assertEquals(List.of("1", "2"), attemptHeaders());
    assertEquals(List.of("{\"n\":1}", "{\"n\":1}"), server.received().stream().map(r -> r.body()).toList());
  }

  @Test
  void notFoundIsDroppedAfterOneAttempt(Vertx vertx) throws Exception {
    server.statuses(404);
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertTrue(outcome.reason().contains("404"), outcome.reason());
    assertEquals(1, server.received().size());
  }

  @Test
  void requestTimeoutIsRetried(Vertx vertx) throws Exception {
    server.statuses(408, 200);
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    assertEquals(List.of("1", "2"), attemptHeaders());
  }

  @Test
  void tooManyRequestsIsRetriedAfterItsRetryAfter(Vertx vertx) throws Exception {
    server.respond((n, request) -> {
      if (n == 1) {
        request.response().setStatusCode(429).putHeader("Retry-After", "1").end();
      } else {
        request.response().end();
      }
    });
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    assertEquals(2, server.received().size());
    long gap = gapMillis(server.received().get(0), server.received().get(1));
    assertTrue(gap >= 950, "second attempt came " + gap + " ms after the 429 with Retry-After: 1");
  }

  @Test
  void retryAfterAsHttpDateIsHonoured(Vertx vertx) throws Exception {
    server.respond((n, request) -> {
      if (n == 1) {
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
        request.response().setStatusCode(503).putHeader("Retry-After", at).end();
      } else {
        request.response().end();
      }
    });
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 2, 0.05));

    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    // the date has a one-second resolution: at least a second later
    assertTrue(gapMillis(server.received().get(0), server.received().get(1)) >= 950);
  }

  @Test
  void retryAfterBeyondTheCapEndsTheAttemptsWithALongBackoff(Vertx vertx) throws Exception {
    server.respond((n, request) -> request.response().setStatusCode(429).putHeader("Retry-After", "3600").end());
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertEquals(1, server.received().size());
    assertEquals(60_000, outcome.backoffMillis());
  }

  @Test
  void retryDisabledMakesExactlyOneAttempt(Vertx vertx) throws Exception {
    server.statuses(503);
    Target target = new Target(server.url("/"), "POST", Map.of(), 10, false, 5, 0.05, 2);
    Outcome outcome = deliver(vertx, target);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertEquals(1, server.received().size());
    assertTrue(outcome.backoffMillis() >= 1000, "backoff " + outcome.backoffMillis());
  }

  @Test
  void exhaustedRetriesNackWithRetryAndABackoff(Vertx vertx) throws Exception {
    server.statuses(503);
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 3, 0.05));

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertTrue(outcome.reason().contains("503"), outcome.reason());
    assertTrue(outcome.backoffMillis() >= 1000 && outcome.backoffMillis() <= 60_000, "" + outcome.backoffMillis());
    assertEquals(List.of("1", "2", "3"), attemptHeaders());
    // pauses 50 ms then 100 ms (multiplier 2)
    assertTrue(gapMillis(server.received().get(0), server.received().get(1)) >= 45);
    assertTrue(gapMillis(server.received().get(1), server.received().get(2)) >= 95);
  }

  @Test
  void hangingTargetTimesOutWithinTheAttemptTimeout(Vertx vertx) throws Exception {
    server.respond((n, request) -> { }); // never answers
    Target target = new Target(server.url("/"), "POST", Map.of(), 1, false, 1, 0.05, 2);
    long started = System.nanoTime();
    Outcome outcome = deliver(vertx, target);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertTrue(outcome.reason().contains("timeout"), outcome.reason());
    assertTrue(millis >= 950 && millis < 2500, "took " + millis + " ms");
  }

  @Test
  void bodyThatNeverEndsDoesNotHoldTheSlotPastTheTimeout(Vertx vertx) throws Exception {
    server.respond((n, request) -> request.response().setChunked(true).write("partial")); // headers, then silence
    Target target = new Target(server.url("/"), "POST", Map.of(), 1, false, 1, 0.05, 2);
    long started = System.nanoTime();
    Outcome outcome = deliver(vertx, target);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // the target answered 200: delivered, but the attempt still ended at the deadline
    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    assertTrue(millis < 2500, "took " + millis + " ms");
  }

  @Test
  void redirectIsNotFollowedAndIsRetried(Vertx vertx) throws Exception {
    RecordingTarget elsewhere = RecordingTarget.start(vertx);
    server.respond((n, request) -> request.response().setStatusCode(302)
        .putHeader("Location", elsewhere.url("/stolen")).end());
    Outcome outcome = deliver(vertx, retrying(server.url("/"), 2, 0.05));

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertTrue(outcome.reason().contains("302"), outcome.reason());
    assertEquals(2, server.received().size());
    assertEquals(0, elsewhere.received().size());
  }

  @Test
  void refusedConnectionIsRetried(Vertx vertx) throws Exception {
    NetServer closed = vertx.createNetServer().connectHandler(socket -> { });
    int port = closed.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    closed.close().await(10, TimeUnit.SECONDS);
    Outcome outcome = deliver(vertx, retrying("http://127.0.0.1:" + port + "/", 2, 0.05));

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertTrue(outcome.reason().contains("2 attempts"), outcome.reason());
  }

  @Test
  void garbageAnswerIsARetryNotACrash(Vertx vertx) throws Exception {
    NetServer garbage = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
        .connectHandler(socket -> socket.write(Buffer.buffer("\u0000\u0001 SSH-2.0-not-http\r\n\r\n\u00ff\u00fe"))
            .onComplete(v -> socket.close()));
    int port = garbage.listen().await(10, TimeUnit.SECONDS).actualPort();
    Target target = new Target("http://127.0.0.1:" + port + "/", "POST", Map.of(), 5, true, 2, 0.05, 2);
    long started = System.nanoTime();
    Outcome outcome = deliver(vertx, target);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict(), outcome.reason());
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5000, "not ended by the timeout");
  }

  @Test
  void garbageOnAnOpenConnectionIsARetry(Vertx vertx) throws Exception {
    NetServer garbage = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
        .connectHandler(socket -> socket.write(Buffer.buffer("HTTP/9.9 banana\r\nno colon here\r\n\r\n")));
    int port = garbage.listen().await(10, TimeUnit.SECONDS).actualPort();
    Target target = new Target("http://127.0.0.1:" + port + "/", "POST", Map.of(), 2, false, 1, 0.05, 2);
    Outcome outcome = deliver(vertx, target);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict(), outcome.reason());
  }

  @Test
  void hugeResponseIsNotReadToTheEnd(Vertx vertx) throws Exception {
    long total = 50L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    AtomicBoolean closed = new AtomicBoolean();
    CompletableFuture<Void> serverDone = new CompletableFuture<>();
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    server.respond((n, request) -> {
      HttpServerResponse response = request.response().setChunked(true);
      response.closeHandler(v -> {
        closed.set(true);
        serverDone.complete(null);
      });
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (!closed.get() && written.get() < total && !response.writeQueueFull()) {
          response.write(chunk);
          written.addAndGet(chunk.length());
        }
        if (closed.get()) {
          return;
        }
        if (written.get() >= total) {
          response.end();
          serverDone.complete(null);
        } else {
          response.drainHandler(v -> pump[0].run());
        }
      };
      pump[0].run();
    });
    long started = System.nanoTime();
    Outcome outcome = deliver(vertx, target(server.url("/")));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    serverDone.get(30, TimeUnit.SECONDS);

    assertEquals(Outcome.Verdict.ACK, outcome.verdict());
    assertTrue(closed.get(), "the client dropped the connection");
    // socket buffers on loopback hold a few MB at most: far from the 50 MB offered
    assertTrue(written.get() < total / 2, "server wrote " + written.get() + " bytes");
    assertTrue(millis < 5000, "took " + millis + " ms");
  }

  @Test
  void messageWithoutWebhookIdIsDropped(Vertx vertx) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(target(server.url("/")), true));
    Outcome outcome = await(deliverer, delivery(null, new JsonObject(), "x"));

    assertEquals(Outcome.Verdict.NACK_DROP, outcome.verdict());
    assertEquals(0, server.received().size());
  }

  @Test
  void webhookIdWithoutTargetIsDropped(Vertx vertx) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(null, Map.of("known", target(server.url("/"))), true, true,
        null, null, null));
    Outcome unknown = await(deliverer, delivery("unknown", new JsonObject(), "x"));
    Outcome known = await(deliverer, delivery("known", new JsonObject(), "x"));

    assertEquals(Outcome.Verdict.NACK_DROP, unknown.verdict());
    assertEquals(Outcome.Verdict.ACK, known.verdict());
    assertEquals(1, server.received().size());
  }

  @Test
  void closeEndsAPauseEarly(Vertx vertx) throws Exception {
    server.statuses(503);
    deliverer = new HttpDeliverer(vertx, config(retrying(server.url("/"), 3, 30), true));
    var pending = deliverer.deliver(delivery("x"));
    assertTrue(io.cwm.testing.TestConnector.await(10_000, () -> !server.received().isEmpty()), "first attempt made");
    deliverer.close().await(10, TimeUnit.SECONDS);
    Outcome outcome = pending.await(5, TimeUnit.SECONDS);

    assertEquals(Outcome.Verdict.NACK_RETRY, outcome.verdict());
    assertEquals(1, server.received().size());
  }
}
