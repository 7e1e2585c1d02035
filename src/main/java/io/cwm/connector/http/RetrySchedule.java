package io.cwm.connector.http;

import io.cwm.connector.Target;
import io.cwm.retry.RetryCurve;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Pauses between the attempts of one HTTP delivery (spec §8.10 item 5) and the back-off before a
 * {@code retry:true} nack once they are spent: the target's {@link RetryCurve}
 * ({@code retry_delay_seconds × retry_backoff_multiplier^n}, capped at 60 s), lengthened by a
 * {@code Retry-After} from the target (never beyond the cap).
 */
final class RetrySchedule {
  static final long MAX_PAUSE_MILLIS = (long) (Target.MAX_RETRY_DELAY_SECONDS * 1000);
  static final long MIN_NACK_BACKOFF_MILLIS = 1000;

  private final RetryCurve pauses;

  RetrySchedule(Target target) {
    this(target.retryDelaySeconds(), target.retryBackoffMultiplier());
  }

  RetrySchedule(double delaySeconds, double multiplier) {
    // zero, negative or NaN: no pause between attempts
    this.pauses = RetryCurve.ofSeconds(delaySeconds > 0 ? delaySeconds : 0, multiplier,
        Target.MAX_RETRY_DELAY_SECONDS);
  }

  /** The pause after attempt {@code attempt} (1-based) when the target gave no Retry-After. */
  long pauseAfter(int attempt) {
    return pauses.delayMillis(attempt - 1);
  }

  /** The pause after {@code attempt}, at least {@code retryAfterMillis} (-1: none), capped. */
  long pauseAfter(int attempt, long retryAfterMillis) {
    return Math.min(MAX_PAUSE_MILLIS, Math.max(pauseAfter(attempt), retryAfterMillis));
  }

  /** Back-off before the nack once the attempts are spent: the next pause, within [1 s, 60 s]. */
  long nackBackoffAfter(int attempt, long retryAfterMillis) {
    return Math.max(MIN_NACK_BACKOFF_MILLIS, pauseAfter(attempt, retryAfterMillis));
  }

  /**
   * {@code Retry-After} as milliseconds from {@code now}: delay-seconds or an HTTP date (a date
   * in the past is 0). -1 when absent or unreadable.
   */
  static long retryAfterMillis(String value, Instant now) {
    if (value == null) {
      return -1;
    }
    String text = value.strip();
    if (text.isEmpty()) {
      return -1;
    }
    if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (text.length() > 9) {
        return MAX_PAUSE_MILLIS * 1000; // absurdly long: later capped anyway
      }
      return Long.parseLong(text) * 1000;
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Math.max(0, at.toEpochMilli() - now.toEpochMilli());
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
