package io.cwm.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes this process holds at once, over every connection and event loop. A
 * body is admitted only when its bytes fit; beyond the budget a new body is refused (503) instead
 * of being buffered, so a flood of large bodies cannot exhaust the heap.
 *
 * <p>Large bodies share all but a reserve: the last eighth of the budget is kept for bodies of at
 * most {@link #SMALL_BODY} bytes, so a flood of large bodies never starves the ordinary small
 * webhooks.
 */
public final class BodyBudget {
  /** Bodies up to this size may use the reserve. */
  public static final long SMALL_BODY = 64 * 1024;

  private final long capacity;
  private final long largeCapacity;
  private final AtomicLong inUse = new AtomicLong();

  public BodyBudget(long capacity) {
    this.capacity = capacity;
    this.largeCapacity = capacity - capacity / 8;
  }

  /**
   * Takes {@code bytes} for a body that will be {@code expectedSize} long in all (the same for a
   * body of known length; the running total for a chunked one). False when they do not fit.
   */
  public boolean tryAcquire(long bytes, long expectedSize) {
    long limit = expectedSize <= SMALL_BODY ? capacity : largeCapacity;
    while (true) {
      long current = inUse.get();
      if (current + bytes > limit) {
        return false;
      }
      if (inUse.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    if (bytes > 0) {
      inUse.addAndGet(-bytes);
    }
  }

  public long inUse() {
    return inUse.get();
  }

  public long capacity() {
    return capacity;
  }
}
