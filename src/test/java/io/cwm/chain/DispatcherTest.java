package io.cwm.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.bus.Addresses;
import io.cwm.bus.LocalCodec;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dispatcher against scripted module consumers on a real event bus: retries, chain order,
 * continue_on_error both ways, timeouts.
 */
@ExtendWith(VertxExtension.class)
class DispatcherTest {
  /** Calls seen per module name, in order. */
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final List<String> order = new ArrayList<>();

  @BeforeEach
  void codec(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(ModuleCall.class, new LocalCodec<>(ModuleCall.class));
  }

  /** A module that fails its first {@code failures} calls with {@code category}, then succeeds. */
  void scripted(Vertx vertx, String name, int failures, Category category) {
    vertx.eventBus().<ModuleCall>consumer(Addresses.module(name), message -> {
      int call = calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      synchronized (order) {
        order.add(name);
      }
      if (call <= failures) {
        message.fail(category.ordinal(), name + " failed");
      } else {
        message.reply(null);
      }
    });
  }

  /** A module that never answers. */
  void silent(Vertx vertx, String name) {
    vertx.eventBus().<ModuleCall>consumer(Addresses.module(name), message -> {
      synchronized (order) {
        order.add(name);
      }
    });
  }

  static RetryPolicy retry(int attempts) {
    return new RetryPolicy(true, attempts, 0.01, 0.05, 2.0, EnumSet.noneOf(Category.class), EnumSet.noneOf(Category.class));
  }

  static ChainItem step(String module, RetryPolicy retry) {
    return step(module, null, retry);
  }

  static ChainItem step(String module, Object target, RetryPolicy retry) {
    return new ChainItem(module, null, null, new JsonObject(), target, retry);
  }

  static DeliveryPlan single(ChainItem step) {
    return DeliveryPlan.single(step);
  }

  static DeliveryPlan chain(ChainConfig config, ChainItem... steps) {
    return DeliveryPlan.chain(config, List.of(steps));
  }

  @Test
  void retryableFailureIsRetriedUntilItSucceeds(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "flaky", 2, Category.CONNECTION);
    new Dispatcher(vertx, 5000).dispatch(single(step("flaky", retry(3))), "w", new JsonObject(), Map.of(), null)
        .onComplete(test.succeeding(done -> test.verify(() -> {
          assertEquals(3, calls.get("flaky").get());
          test.completeNow();
        })));
  }

  @Test
  void everyAttemptCarriesTheTargetTheStepWasLoadedWith(Vertx vertx, VertxTestContext test) {
    Object target = new Object();
    List<Object> seen = new ArrayList<>();
    vertx.eventBus().<ModuleCall>consumer(Addresses.module("flaky"), message -> {
      seen.add(message.body().target());
      if (seen.size() < 3) {
        message.fail(Category.CONNECTION.ordinal(), "flaky failed");
      } else {
        message.reply(null);
      }
    });
    new Dispatcher(vertx, 5000).dispatch(single(step("flaky", target, retry(3))), "w", new JsonObject(), Map.of(), null)
        .onComplete(test.succeeding(done -> test.verify(() -> {
          assertEquals(3, seen.size());
          seen.forEach(carried -> assertSame(target, carried));
          test.completeNow();
        })));
  }

  @Test
  void permanentFailureIsNotRetried(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "strict", 5, Category.VALIDATION);
    new Dispatcher(vertx, 5000).dispatch(single(step("strict", retry(5))), "w", new JsonObject(), Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          ModuleFailure typed = assertInstanceOf(ModuleFailure.class, failure);
          assertEquals(Category.VALIDATION, typed.category());
          assertEquals(1, calls.get("strict").get());
          test.completeNow();
        })));
  }

  @Test
  void retryDisabledMeansOneAttempt(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "once", 1, Category.CONNECTION);
    new Dispatcher(vertx, 5000).dispatch(single(step("once", RetryPolicy.DISABLED)), "w", null, Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertTrue(((ModuleFailure) failure).retryable());
          assertEquals(1, calls.get("once").get());
          test.completeNow();
        })));
  }

  @Test
  void sequentialChainRunsInOrderAndStopsWhenNotContinuingOnError(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "a", 0, Category.CONNECTION);
    scripted(vertx, "b", 1, Category.REJECTED);
    scripted(vertx, "c", 0, Category.CONNECTION);
    DeliveryPlan plan = chain(new ChainConfig(false, false, 5), step("a", RetryPolicy.DISABLED),
        step("b", RetryPolicy.DISABLED), step("c", RetryPolicy.DISABLED));
    new Dispatcher(vertx, 5000).dispatch(plan, "w", new JsonObject(), Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertEquals(List.of("a", "b"), order);
          assertEquals("1 of 3 chain steps failed", failure.getMessage());
          assertTrue(!((ModuleFailure) failure).retryable());
          test.completeNow();
        })));
  }

  @Test
  void sequentialChainContinuesOnErrorAndReportsTheFailure(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "a", 1, Category.CONNECTION);
    scripted(vertx, "b", 0, Category.CONNECTION);
    DeliveryPlan plan = chain(new ChainConfig(false, true, 5), step("a", RetryPolicy.DISABLED),
        step("b", RetryPolicy.DISABLED));
    new Dispatcher(vertx, 5000).dispatch(plan, "w", new JsonObject(), Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertEquals(List.of("a", "b"), order);
          assertTrue(((ModuleFailure) failure).retryable(), "a retryable step failure makes the chain retryable");
          test.completeNow();
        })));
  }

  @Test
  void parallelChainWithoutContinueOnErrorFailsAtTheFirstFailure(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "fails", 1, Category.REJECTED);
    silent(vertx, "hangs");
    DeliveryPlan plan = chain(new ChainConfig(true, false, 30), step("fails", RetryPolicy.DISABLED),
        step("hangs", RetryPolicy.DISABLED));
    long started = System.nanoTime();
    new Dispatcher(vertx, 60_000).dispatch(plan, "w", new JsonObject(), Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertTrue(System.nanoTime() - started < 5_000_000_000L, "did not wait for the hanging step");
          assertEquals("1 of 2 chain steps failed", failure.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void chainTimeoutFailsWithTimeout(Vertx vertx, VertxTestContext test) {
    scripted(vertx, "quick", 0, Category.CONNECTION);
    silent(vertx, "slow");
    DeliveryPlan plan = chain(new ChainConfig(false, true, 0.3), step("quick", RetryPolicy.DISABLED),
        step("slow", RetryPolicy.DISABLED));
    new Dispatcher(vertx, 60_000).dispatch(plan, "w", new JsonObject(), Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertEquals(Category.TIMEOUT, ((ModuleFailure) failure).category());
          test.completeNow();
        })));
  }

  @Test
  void missingModuleVerticleIsAConfigFailure(Vertx vertx, VertxTestContext test) {
    new Dispatcher(vertx, 5000).dispatch(single(step("absent", retry(3))), "w", null, Map.of(), null)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertEquals(Category.CONFIG, ((ModuleFailure) failure).category());
          test.completeNow();
        })));
  }
}
