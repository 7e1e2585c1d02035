package io.cwm.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a Vert.x future from a test thread: its value, or its failure, with a deadline. */
public final class Futures {
  /** How long a test waits for one asynchronous result unless it says otherwise. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Futures() {}

  /** The value of {@code future}; its failure becomes an AssertionError whose cause it is. */
  public static <T> T await(Future<T> future) {
    return await(future, TIMEOUT);
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException failed) {
      throw new AssertionError("failed: " + failed.getCause(), failed.getCause());
    } catch (TimeoutException late) {
      throw new AssertionError("no result within " + timeout.toMillis() + " ms");
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", interrupted);
    }
  }

  /** The failure of {@code future}; an AssertionError when it succeeds. */
  public static Throwable failure(Future<?> future) {
    return failure(future, TIMEOUT);
  }

  public static Throwable failure(Future<?> future, Duration timeout) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException failed) {
      return failed.getCause();
    } catch (TimeoutException late) {
      throw new AssertionError("no result within " + timeout.toMillis() + " ms");
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", interrupted);
    }
  }
}
