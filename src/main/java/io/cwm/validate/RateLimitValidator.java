package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sliding-window log per requested webhook id (spec §5.1): at most {@code max_requests} allowed
 * requests in any {@code window_seconds}. Allowed requests are recorded before the later
 * validators run, so unauthenticated requests consume quota too. The failure is 429 with
 * {@code Retry-After} and the spec's detail text.
 *
 * <p>One instance serves one webhook entry from several event-loop threads. Each id's log is only
 * touched inside {@link ConcurrentHashMap#compute}, which serialises access per key. Only the
 * {@code default} entry sees many ids (one per requested id), so idle ids are purged lazily and the
 * number of tracked ids is capped.
 */
public final class RateLimitValidator implements Validator {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitValidator.class);
  static final int MAX_TRACKED_IDS = 100_000;
  private static final long MAX_WINDOW_SECONDS = 31_536_000;
  /** Sweeps (O(ids)) run at most this often, so a flood of new ids stays cheap. */
  private static final long MIN_SWEEP_INTERVAL_MILLIS = 1_000;

  private final int maxRequests;
  private final long windowMillis;
  private final int maxTrackedIds;
  private final Clock clock;
  private final ConcurrentHashMap<String, ArrayDeque<Long>> logs = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  RateLimitValidator(int maxRequests, long windowMillis, int maxTrackedIds, Clock clock) {
    this.maxRequests = maxRequests;
    this.windowMillis = windowMillis;
    this.maxTrackedIds = maxTrackedIds;
    this.clock = clock;
    this.lastSweep = new AtomicLong(clock.millis());
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    int maxRequests = (int) Coerce.integer(config, "max_requests", 100, 0, Integer.MAX_VALUE);
    double windowSeconds =
        Coerce.number(config, "window_seconds", 60, -Double.MAX_VALUE, Double.MAX_VALUE);
    if (windowSeconds <= 0 || windowSeconds > MAX_WINDOW_SECONDS) {
      throw new ConfigException("window_seconds",
          "must be greater than 0 and at most " + MAX_WINDOW_SECONDS + ", got " + windowSeconds);
    }
    long windowMillis = Math.max(1, Math.round(windowSeconds * 1000));
    return new RateLimitValidator(maxRequests, windowMillis, MAX_TRACKED_IDS, context.clock());
  }

  @Override
  public String key() {
    return "rate_limit";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    if (maxRequests == 0) {
      return reject("Rate limit exceeded. No requests allowed", windowMillis);
    }
    long now = clock.millis();
    // an id is idle once its newest request left the window: checking once per window suffices
    sweepIfDue(now, Math.max(windowMillis, MIN_SWEEP_INTERVAL_MILLIS));
    String id = request.webhookId();
    if (!logs.containsKey(id) && logs.size() >= maxTrackedIds) {
      sweepIfDue(now, MIN_SWEEP_INTERVAL_MILLIS);
      if (!logs.containsKey(id) && logs.size() >= maxTrackedIds) {
        // Fail closed: tracking no more ids keeps memory bounded; they free up within a window.
        LOG.warn("rate limit: {} webhook ids tracked, refusing a new id", logs.size());
        return reject(null, windowMillis);
      }
    }
    long[] waitMillis = {-1};
    logs.compute(id, (key, log) -> {
      ArrayDeque<Long> times = log == null ? new ArrayDeque<>() : log;
      dropExpired(times, now);
      if (times.size() >= maxRequests) {
        waitMillis[0] = times.peekFirst() + windowMillis - now;
      } else {
        times.addLast(now);
      }
      return times;
    });
    return waitMillis[0] < 0 ? Future.succeededFuture() : reject(null, waitMillis[0]);
  }

  /** Number of ids currently tracked (for tests). */
  int trackedIds() {
    return logs.size();
  }

  /** A request is kept while its timestamp is not older than now - window. */
  private void dropExpired(ArrayDeque<Long> times, long now) {
    long cutoff = now - windowMillis;
    while (!times.isEmpty() && times.peekFirst() < cutoff) {
      times.removeFirst();
    }
  }

  /** Removes the ids with no request left in the window, at most once per {@code interval}. */
  private void sweepIfDue(long now, long interval) {
    long last = lastSweep.get();
    if (now - last < interval || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    for (String id : logs.keySet()) {
      logs.computeIfPresent(id, (key, times) -> {
        dropExpired(times, now);
        return times.isEmpty() ? null : times;
      });
    }
  }

  /**
   * A 429. {@code waitMillis} is the time until a slot frees; Retry-After is that in whole
   * seconds, rounded up, at least 1 and at most the window.
   */
  private Future<Void> reject(String detail, long waitMillis) {
    long bounded = Math.min(Math.max(waitMillis, 0), windowMillis);
    int seconds = (int) Math.max(1, (bounded + 999) / 1000);
    String message = detail != null ? detail
        : "Rate limit exceeded. Retry after " + seconds + " seconds";
    return Future.failedFuture(new CwmException(FailureCode.RATE_LIMITED, message, seconds));
  }
}
