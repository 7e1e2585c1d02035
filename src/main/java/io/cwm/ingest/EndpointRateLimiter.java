package io.cwm.ingest;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed one-minute window per client IP for {@code GET /} and {@code GET /stats}. Bounded: when
 * too many IPs are tracked, stale windows are dropped.
 */
public final class EndpointRateLimiter {
  private static final int MAX_CLIENTS = 100_000;
  private final int perMinute;
  private final Clock clock;
  private final Map<String, long[]> windows = new ConcurrentHashMap<>();

  public EndpointRateLimiter(int perMinute, Clock clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  public int limit() {
    return perMinute;
  }

  /** True when the request is allowed (and counts it). */
  public boolean allow(String clientIp) {
    long minute = clock.millis() / 60_000;
    if (windows.size() > MAX_CLIENTS) {
      windows.values().removeIf(window -> window[0] != minute);
    }
    long[] window = windows.computeIfAbsent(clientIp, ip -> new long[] {minute, 0});
    synchronized (window) {
      if (window[0] != minute) {
        window[0] = minute;
        window[1] = 0;
      }
      if (window[1] >= perMinute) {
        return false;
      }
      window[1]++;
      return true;
    }
  }
}
