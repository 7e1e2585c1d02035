package io.cwm.chain;

import io.cwm.bus.Addresses;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DeliveryPlan} (a webhook entry's module, or its chain) through the
 * ModuleVerticles and completes when every step has finished: the caller answers only then. Each
 * step is retried by its own retry policy (a single module's is the entry's {@code retry} block).
 * The result fails with a {@link ModuleFailure} whose category is retryable when any failed step
 * was.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final Vertx vertx;
  private final long stepTimeoutMillis;

  /**
   * @param stepTimeoutMillis how long one module call may take (TASK_TIMEOUT)
   */
  public Dispatcher(Vertx vertx, long stepTimeoutMillis) {
    this.vertx = vertx;
    this.stepTimeoutMillis = stepTimeoutMillis;
  }

  /** Delivers one (already cleaned) webhook to the plan's module or chain. */
  public Future<Void> dispatch(DeliveryPlan plan, String webhookId, Object payload,
      Map<String, String> headers, String messageId) {
    List<ChainItem> steps = plan.steps();
    if (!plan.chain()) {
      return runStep(steps.get(0), webhookId, payload, headers, messageId);
    }
    ChainConfig config = plan.chainConfig();
    Future<List<ModuleFailure>> run = config.parallel()
        ? parallel(plan, webhookId, payload, headers, messageId)
        : sequential(plan, webhookId, payload, headers, messageId);
    return withTimeout(run, (long) (config.timeoutSeconds() * 1000)).compose(failures -> {
      if (failures.isEmpty()) {
        return Future.succeededFuture();
      }
      boolean retryable = failures.stream().anyMatch(ModuleFailure::retryable);
      LOG.warn("[webhook_id: {}] chain finished with {} of {} steps failed", webhookId, failures.size(), steps.size());
      return Future.failedFuture(new ModuleFailure(retryable ? Category.UNAVAILABLE : Category.REJECTED,
          failures.size() + " of " + steps.size() + " chain steps failed"));
    });
  }

  private Future<List<ModuleFailure>> sequential(DeliveryPlan plan, String webhookId, Object payload,
      Map<String, String> headers, String messageId) {
    List<ModuleFailure> failures = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (ChainItem step : plan.steps()) {
      chain = chain.compose(previous -> {
        if (!failures.isEmpty() && !plan.chainConfig().continueOnError()) {
          return Future.succeededFuture(); // stopped: the remaining steps are not executed
        }
        return runStep(step, webhookId, payload, headers, messageId)
            .recover(failure -> {
              failures.add(ModuleFailure.from(failure));
              return Future.succeededFuture();
            });
      });
    }
    return chain.map(done -> failures);
  }

  private Future<List<ModuleFailure>> parallel(DeliveryPlan plan, String webhookId, Object payload,
      Map<String, String> headers, String messageId) {
    Promise<List<ModuleFailure>> result = Promise.promise();
    List<ModuleFailure> failures = new ArrayList<>();
    List<ChainItem> steps = plan.steps();
    AtomicInteger remaining = new AtomicInteger(steps.size());
    AtomicBoolean settled = new AtomicBoolean();
    for (ChainItem step : steps) {
      runStep(step, webhookId, payload, headers, messageId).onComplete(done -> {
        synchronized (failures) {
          if (done.failed()) {
            failures.add(ModuleFailure.from(done.cause()));
            if (!plan.chainConfig().continueOnError() && settled.compareAndSet(false, true)) {
              result.complete(List.copyOf(failures)); // stop waiting for the others
            }
          }
          if (remaining.decrementAndGet() == 0 && settled.compareAndSet(false, true)) {
            result.complete(List.copyOf(failures));
          }
        }
      });
    }
    return result.future();
  }

  private Future<Void> runStep(ChainItem step, String webhookId, Object payload, Map<String, String> headers,
      String messageId) {
    ModuleCall call = new ModuleCall(webhookId, step.module(), step.target(), step.connectionName(),
        step.connection(), payload, headers, messageId);
    return attempt(call, step.retry(), 0);
  }

  private Future<Void> attempt(ModuleCall call, RetryPolicy retry, int attempt) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(stepTimeoutMillis).setLocalOnly(true);
    return vertx.eventBus().request(Addresses.module(call.module()), call, options)
        .<Void>mapEmpty()
        .recover(failure -> {
          ModuleFailure typed = ModuleFailure.from(failure);
          if (attempt + 1 >= retry.attempts() || !retry.shouldRetry(typed)) {
            return Future.failedFuture(typed);
          }
          long delay = retry.delayMillis(attempt);
          LOG.info("[module: {}, webhook_id: {}] attempt {} failed ({}), retrying in {} ms",
              call.module(), call.webhookId(), attempt + 1, typed.category(), delay);
          Promise<Void> later = Promise.promise();
          vertx.setTimer(delay, id -> attempt(call, retry, attempt + 1).onComplete(later));
          return later.future();
        });
  }

  private <T> Future<T> withTimeout(Future<T> work, long timeoutMillis) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id ->
        result.tryFail(new ModuleFailure(Category.TIMEOUT, "chain timed out after " + timeoutMillis / 1000.0 + "s")));
    work.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(done.cause());
      }
    });
    return result.future();
  }
}
