package io.cwm.analytics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiver's side of the ClickHouse event log: a bounded in-memory queue that the webhook
 * path offers each accepted webhook to and the {@link EventLogVerticle} drains. Offering never
 * waits and never fails the request: a full queue (ClickHouse slow or down for longer than the
 * queue lasts) drops the row and counts it. The rows are the objects the modules got (already
 * cleaned, never mutated downstream); encoding them to JSON is the writer's work, off the
 * request path. When logging is off there is no EventLog at all (the handler holds null).
 */
public final class EventLog {
  /** Rows that make the writer flush before its timer (Python's batch size). */
  public static final int FLUSH_ROWS = 1_000;

  /**
   * One accepted webhook.
   *
   * @param webhookId the requested id, {@code namespace/id} on the namespaced route
   * @param epochSecond when it was accepted
   * @param payload the credential-masked payload (a Buffer for blobs)
   * @param headers the credential-masked headers, lower-case names
   */
  public record Event(String webhookId, long epochSecond, Object payload, Map<String, String> headers) {}

  private final ArrayBlockingQueue<Event> queue;
  private final int capacity;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private volatile Runnable wakeUp = () -> {};

  public EventLog(int capacity) {
    this.capacity = capacity;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /** Queues one row; false (and counted as dropped) when the queue is full. Never blocks. */
  public boolean offer(Event event) {
    if (!queue.offer(event)) {
      dropped.increment();
      return false;
    }
    if (queue.size() >= FLUSH_ROWS && wakePending.compareAndSet(false, true)) {
      wakeUp.run();
    }
    return true;
  }

  /** Moves up to {@code max} queued rows into {@code into}; returns how many. */
  int drain(List<Event> into, int max) {
    wakePending.set(false);
    return queue.drainTo(into, max);
  }

  /** What the writer runs (on its own context) when a full batch is waiting. */
  void onFullBatch(Runnable wakeUp) {
    this.wakeUp = wakeUp;
  }

  public int capacity() {
    return capacity;
  }

  public int queued() {
    return queue.size();
  }

  public long dropped() {
    return dropped.sum();
  }

  public long written() {
    return written.sum();
  }

  public long failed() {
    return failed.sum();
  }

  void written(int rows) {
    written.add(rows);
  }

  void failed(int rows) {
    failed.add(rows);
  }
}
