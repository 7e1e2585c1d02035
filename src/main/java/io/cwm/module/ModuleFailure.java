package io.cwm.module;

import io.vertx.core.eventbus.ReplyException;
import java.util.concurrent.TimeoutException;

/**
 * A module's failure, typed: the category says whether retrying can help. Modules decide the
 * category (a refused connection is {@link Category#CONNECTION}, a rejected value
 * {@link Category#VALIDATION}); the receiver maps it to 503/500 and the connector to a nack
 * with or without retry. The message is short and client-safe (no hosts, paths or secrets).
 */
public final class ModuleFailure extends RuntimeException {

  /** What went wrong. The order is part of the event-bus encoding: append only. */
  public enum Category {
    CONNECTION(true),
    TIMEOUT(true),
    IO(true),
    /** The target answered but refused for now (5xx, 429, broker busy). */
    UNAVAILABLE(true),
    CONFIG(false),
    VALIDATION(false),
    AUTH(false),
    PERMISSION(false),
    /** The target answered and refused this message for good (4xx, constraint violation). */
    REJECTED(false),
    INTERNAL(false);

    private final boolean retryable;

    Category(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Category category;

  public ModuleFailure(Category category, String message) {
    super(message, null, false, false);
    this.category = category;
  }

  public Category category() {
    return category;
  }

  public boolean retryable() {
    return category.retryable();
  }

  /** Reads a failure back from an event-bus request (or anything else that failed). */
  public static ModuleFailure from(Throwable failure) {
    if (failure instanceof ModuleFailure module) {
      return module;
    }
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> new ModuleFailure(Category.TIMEOUT, "module did not answer in time");
        case NO_HANDLERS -> new ModuleFailure(Category.CONFIG, "module is not deployed in this process");
        case RECIPIENT_FAILURE, ERROR -> {
          int code = reply.failureCode();
          Category[] categories = Category.values();
          Category category = code >= 0 && code < categories.length ? categories[code] : Category.INTERNAL;
          yield new ModuleFailure(category, reply.getMessage());
        }
      };
    }
    if (failure instanceof TimeoutException) {
      return new ModuleFailure(Category.TIMEOUT, "timed out");
    }
    return new ModuleFailure(Category.INTERNAL, "module failed");
  }
}
