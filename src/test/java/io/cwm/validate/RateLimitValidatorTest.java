package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimitValidatorTest {
  private final MutableClock clock = new MutableClock(Requests.FIXED.instant());

  private Validator validator(String block) {
    return Requests.build("rate_limit", "{\"rate_limit\":" + block + "}", Requests.context(clock));
  }

  private static WebhookRequest request(String webhookId) {
    return Requests.post().webhookId(webhookId).build();
  }

  private static void assertRateLimited(int retryAfter, io.vertx.core.Future<Void> outcome) {
    CwmException failure = Requests.failure(outcome);
    assertEquals(FailureCode.RATE_LIMITED, failure.code());
    assertEquals("Rate limit exceeded. Retry after " + retryAfter + " seconds", failure.detail());
    assertEquals(retryAfter, failure.retryAfterSeconds());
  }

  @Test
  void allowsMaxRequestsThenAnswers429WithRetryAfter() {
    Validator limit = validator("{\"max_requests\":3,\"window_seconds\":60}");
    for (int i = 0; i < 3; i++) {
      assertPasses(limit.validate(request("test")));
    }
    assertRateLimited(60, limit.validate(request("test")));
  }

  @Test
  void retryAfterCountsDownToTheOldestRequestLeavingTheWindow() {
    Validator limit = validator("{\"max_requests\":2,\"window_seconds\":60}");
    assertPasses(limit.validate(request("test")));
    clock.advance(Duration.ofSeconds(10));
    assertPasses(limit.validate(request("test")));
    clock.advance(Duration.ofMillis(20_500));
    assertRateLimited(30, limit.validate(request("test")));
    clock.advance(Duration.ofMillis(29_500));
    // the oldest request is exactly window seconds old: it still counts, as in Python
    assertRateLimited(1, limit.validate(request("test")));
    clock.advance(Duration.ofMillis(1));
    assertPasses(limit.validate(request("test")));
    assertRateLimited(10, limit.validate(request("test")));
  }

  @Test
  void rejectedRequestsDoNotConsumeQuota() {
    Validator limit = validator("{\"max_requests\":1,\"window_seconds\":10}");
    assertPasses(limit.validate(request("test")));
    clock.advance(Duration.ofSeconds(9));
    assertRateLimited(1, limit.validate(request("test")));
    clock.advance(Duration.ofMillis(1_001));
    assertPasses(limit.validate(request("test")));
  }

  @Test
  void maxRequestsZeroRejectsEveryRequest() {
    Validator limit = validator("{\"max_requests\":0,\"window_seconds\":30}");
    CwmException failure = Requests.failure(limit.validate(request("test")));
    assertEquals(FailureCode.RATE_LIMITED, failure.code());
    assertEquals("Rate limit exceeded. No requests allowed", failure.detail());
    assertEquals(30, failure.retryAfterSeconds());
  }

  @Test
  void eachRequestedWebhookIdHasItsOwnWindow() {
    Validator limit = validator("{\"max_requests\":1}");
    assertPasses(limit.validate(request("alpha")));
    assertPasses(limit.validate(request("beta")));
    assertRateLimited(60, limit.validate(request("alpha")));
  }

  @Test
  void defaultsAreOneHundredPerMinute() {
    Validator limit = validator("{\"window_seconds\":60}");
    for (int i = 0; i < 100; i++) {
      assertPasses(limit.validate(request("test")));
    }
    assertRateLimited(60, limit.validate(request("test")));
  }

  @Test
  void substitutedStringValuesAreCoerced() {
    Validator limit = validator("{\"max_requests\":\"2\",\"window_seconds\":\"0.5\"}");
    assertPasses(limit.validate(request("test")));
    assertPasses(limit.validate(request("test")));
    assertRateLimited(1, limit.validate(request("test")));
    clock.advance(Duration.ofMillis(501));
    assertPasses(limit.validate(request("test")));
  }

  @Test
  void emptyBlockMeansNoLimit() {
    assertEquals(List.of("rate_limit"), Requests.emptyBlocks("{\"rate_limit\":{}}"));
  }

  @Test
  void invalidValuesAreRefusedAtLoad() {
    assertEquals("rate_limit.max_requests: must be between 0 and 2147483647, got -1",
        Requests.configProblem("{\"rate_limit\":{\"max_requests\":-1}}"));
    assertEquals("rate_limit.max_requests: must be an integer, got a string",
        Requests.configProblem("{\"rate_limit\":{\"max_requests\":\"many\"}}"));
    assertEquals("rate_limit.window_seconds: must be greater than 0 and at most 31536000, got 0.0",
        Requests.configProblem("{\"rate_limit\":{\"window_seconds\":0}}"));
    assertEquals("rate_limit: must be an object",
        Requests.configProblem("{\"rate_limit\":\"10/minute\"}"));
  }

  @Test
  void idleWebhookIdsArePurged() {
    RateLimitValidator limit = (RateLimitValidator) validator("{\"max_requests\":5,\"window_seconds\":2}");
    for (int i = 0; i < 50; i++) {
      assertPasses(limit.validate(request("id-" + i)));
    }
    assertEquals(50, limit.trackedIds());
    clock.advance(Duration.ofMillis(2_001));
    assertPasses(limit.validate(request("fresh")));
    assertEquals(1, limit.trackedIds());
  }

  @Test
  void trackedIdsAreCappedAndFreedWhenIdle() {
    RateLimitValidator limit = new RateLimitValidator(5, 10_000, 3, clock);
    assertPasses(limit.validate(request("a")));
    assertPasses(limit.validate(request("b")));
    assertPasses(limit.validate(request("c")));
    clock.advance(Duration.ofSeconds(2));
    assertRateLimited(10, limit.validate(request("d")));
    assertPasses(limit.validate(request("a")));
    clock.advance(Duration.ofMillis(8_001));
    // b and c are idle now; a is not
    assertPasses(limit.validate(request("d")));
    assertEquals(2, limit.trackedIds());
  }

  @Test
  void concurrentRequestsNeverExceedTheLimit() throws Exception {
    Validator limit = validator("{\"max_requests\":100,\"window_seconds\":60}");
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 50; i++) {
            io.vertx.core.Future<Void> outcome = limit.validate(request("shared"));
            (outcome.succeeded() ? allowed : limited).incrementAndGet();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(100, allowed.get());
    assertEquals(300, limited.get());
  }
}
