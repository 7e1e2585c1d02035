package io.cwm.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Posts uniquely identified webhooks ({@code {"fault_id": "<run>-<n>"}}) from a few threads and
 * records exactly which were answered 200 (accepted: they must be delivered) and how the others
 * were answered (status, or 0 when no answer came: connection refused or reset, timeout). It does
 * not retry: a sender that got no 200 would send again, and then that retry is what counts.
 */
final class Loader implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private static final long BACK_OFF_NANOS = 100_000_000;

  private final String run;
  private final ExecutorService threads;
  private final Map<String, Long> accepted = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
  private final AtomicInteger posted = new AtomicInteger();
  private final int port;
  private volatile boolean stopped;

  Loader(String run, int port, int concurrency) {
    this.run = run;
    this.port = port;
    this.threads = Executors.newFixedThreadPool(concurrency);
  }

  /** Starts posting {@code count} webhooks to {@code /webhook/<webhookId>} as fast as it can (returns at once). */
  void post(String webhookId, int count) {
    post(webhookId, count, 0);
  }

  /**
   * Starts posting {@code count} webhooks to {@code /webhook/<webhookId>} (returns at once), at
   * most {@code perSecond} a second (0: as fast as it can): a constant load over a fault that
   * takes a while, such as a rolling restart.
   */
  void post(String webhookId, int count, int perSecond) {
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    int senders = ((java.util.concurrent.ThreadPoolExecutor) threads).getCorePoolSize();
    for (int t = 0; t < senders; t++) {
      threads.submit(() -> {
        for (int n = next.getAndIncrement(); n < count && !stopped; n = next.getAndIncrement()) {
          if (perSecond > 0) {
            pace(start + n * 1_000_000_000L / perSecond);
          }
          send(webhookId, run + "-" + n, 200);
        }
      });
    }
  }

  /** Load pacing (not synchronisation): waits until {@code slotNanos} (System.nanoTime). */
  private static void pace(long slotNanos) {
    long wait = slotNanos - System.nanoTime();
    if (wait > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }
  }

  /** Posts one webhook with {@code padBytes} of padding now, on the caller's thread; its status (0: no answer). */
  int postOne(String webhookId, String id, int padBytes) {
    return send(webhookId, id, padBytes);
  }

  private int send(String webhookId, String id, int padBytes) {
    posted.incrementAndGet();
    int status;
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/" + webhookId))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"fault_id\":\"" + id + "\",\"pad\":" + pad(padBytes) + "}"))
          .build();
      status = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception noAnswer) {
      status = 0;
    }
    if (status == 200) {
      accepted.put(id, System.nanoTime());
    } else {
      refused.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
      // a sender backs off after a failure instead of spending its ids in a burst (load pacing)
      pace(System.nanoTime() + BACK_OFF_NANOS);
    }
    return status;
  }

  /** {@code bytes} of padding as JSON: a string, or an array of strings of 512 KiB at most (the receiver's string limit is 1 MiB). */
  private static String pad(int bytes) {
    if (bytes <= 512 * 1024) {
      return "\"" + "x".repeat(bytes) + "\"";
    }
    String chunk = "\"" + "x".repeat(512 * 1024) + "\"";
    return "[" + String.join(",", java.util.Collections.nCopies(bytes / (512 * 1024), chunk)) + "]";
  }

  /** Waits until every webhook was posted (answered or not). */
  void awaitDone(long timeoutMillis) throws InterruptedException {
    threads.shutdown();
    if (!threads.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new AssertionError(run + ": the loader did not finish in " + timeoutMillis + " ms");
    }
  }

  int posted() {
    return posted.get();
  }

  Set<String> accepted() {
    return accepted.keySet();
  }

  /** When (System.nanoTime) {@code id} was answered 200, or null. */
  Long acceptedAt(String id) {
    return accepted.get(id);
  }

  /** Non-200 answers by status (0: no answer). */
  Map<Integer, Integer> refused() {
    Map<Integer, Integer> counts = new TreeMap<>();
    refused.forEach((status, count) -> counts.put(status, count.get()));
    return counts;
  }

  @Override
  public void close() {
    stopped = true;
    threads.shutdownNow();
  }
}
