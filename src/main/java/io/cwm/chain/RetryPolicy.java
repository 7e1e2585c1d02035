package io.cwm.chain;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.retry.RetryCurve;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code retry} block of a webhook entry or chain item (spec §8): how many attempts, the delays
 * between them (a {@link RetryCurve}), and which failures are retried. The error names of
 * {@code retryable_errors}/{@code non_retryable_errors} (the Python exception names existing
 * configs use) are accepted as aliases of our failure categories; unknown names are ignored.
 */
public record RetryPolicy(boolean enabled, int maxAttempts, double initialDelaySeconds,
    double maxDelaySeconds, double backoffMultiplier, Set<Category> retryable, Set<Category> nonRetryable) {

  public static final RetryPolicy DISABLED = new RetryPolicy(false, 1, 1.0, 60.0, 2.0,
      EnumSet.noneOf(Category.class), EnumSet.noneOf(Category.class));

  private static final Map<String, Set<Category>> PYTHON_NAMES = Map.ofEntries(
      Map.entry("connectionerror", EnumSet.of(Category.CONNECTION, Category.UNAVAILABLE)),
      Map.entry("connectionrefusederror", EnumSet.of(Category.CONNECTION)),
      Map.entry("connectionreseterror", EnumSet.of(Category.CONNECTION)),
      Map.entry("timeouterror", EnumSet.of(Category.TIMEOUT)),
      Map.entry("timeout", EnumSet.of(Category.TIMEOUT)),
      Map.entry("oserror", EnumSet.of(Category.IO, Category.CONNECTION)),
      Map.entry("ioerror", EnumSet.of(Category.IO)),
      Map.entry("authenticationerror", EnumSet.of(Category.AUTH)),
      Map.entry("permissionerror", EnumSet.of(Category.PERMISSION)),
      Map.entry("valueerror", EnumSet.of(Category.VALIDATION, Category.REJECTED)),
      Map.entry("keyerror", EnumSet.of(Category.CONFIG)),
      Map.entry("typeerror", EnumSet.of(Category.CONFIG)));

  /** Parses a retry block; absent or null means disabled. Values are clamped to their ranges. */
  public static RetryPolicy parse(Object block) {
    if (block == null) {
      return DISABLED;
    }
    if (!(block instanceof JsonObject config)) {
      throw new ConfigException("", "must be an object");
    }
    boolean enabled = Coerce.bool(config, "enabled", false);
    int attempts = (int) Coerce.clamped(config, "max_attempts", 3, 1, 20);
    double initial = Coerce.clamped(config, "initial_delay", 1.0, 0, 60);
    double max = Math.max(initial, Coerce.clamped(config, "max_delay", 60.0, 0, 60));
    double multiplier = Coerce.clamped(config, "backoff_multiplier", 2.0, 0.1, 10);
    return new RetryPolicy(enabled, attempts, initial, max, multiplier,
        categories(Coerce.stringList(config, "retryable_errors")),
        categories(Coerce.stringList(config, "non_retryable_errors")));
  }

  private static Set<Category> categories(List<String> names) {
    Set<Category> result = EnumSet.noneOf(Category.class);
    for (String name : names) {
      String key = name.trim().toLowerCase(Locale.ROOT);
      Set<Category> mapped = PYTHON_NAMES.get(key);
      if (mapped != null) {
        result.addAll(mapped);
      } else {
        for (Category category : Category.values()) {
          if (category.name().equalsIgnoreCase(key)) {
            result.add(category);
          }
        }
      }
    }
    return result;
  }

  /** Total attempts allowed (1 when retry is disabled). */
  public int attempts() {
    return enabled ? maxAttempts : 1;
  }

  /** Whether a failure should be tried again (ignoring the attempt count). */
  public boolean shouldRetry(ModuleFailure failure) {
    Category category = failure.category();
    if (nonRetryable.contains(category)) {
      return false;
    }
    return retryable.contains(category) || category.retryable();
  }

  /** The delays between attempts: {@code initial_delay × backoff_multiplier^n}, capped at {@code max_delay}. */
  public RetryCurve curve() {
    return RetryCurve.ofSeconds(initialDelaySeconds, backoffMultiplier, maxDelaySeconds);
  }

  /** Delay in milliseconds (at least 1) before attempt {@code attempt + 1} (attempt counts from 0). */
  public long delayMillis(int attempt) {
    return Math.max(1, curve().delayMillis(attempt));
  }
}
