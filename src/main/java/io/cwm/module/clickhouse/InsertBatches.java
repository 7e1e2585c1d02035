package io.cwm.module.clickhouse;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit for one table of one connection. ClickHouse writes a new part per INSERT and
 * advises against many small ones, so the rows of calls that arrive while
 * {@code maxInFlight} INSERTs are already running wait and then go together in the next INSERT (up
 * to {@value #MAX_ROWS} rows or {@value #MAX_BYTES} bytes); each call completes only with the
 * outcome of the INSERT that carried its row (a 200 still means the row is written). A call that
 * finds a free slot goes at once, alone: no added latency when the load is light.
 *
 * <p>A batch fails as a whole, with one typed failure for every call in it. The rows are generated
 * by the module (strings and an epoch time), so a failure is about the table or the server, never
 * one row. Used from the owning verticle's event loop only.
 */
final class InsertBatches {
  static final int MAX_ROWS = 1_000;
  static final int MAX_BYTES = 1 << 20;

  /** Runs one INSERT of {@code rows} (JSONEachRow lines). */
  @FunctionalInterface
  interface Insert {
    Future<Void> run(Buffer rows, int count);
  }

  private record Waiting(Buffer row, Promise<Void> done) {}

  private final int maxInFlight;
  private final Insert insert;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;

  InsertBatches(int maxInFlight, Insert insert) {
    this.maxInFlight = maxInFlight;
    this.insert = insert;
  }

  /** Queues one row; completes with the outcome of the INSERT that carries it. */
  Future<Void> add(Buffer row) {
    Promise<Void> done = Promise.promise();
    waiting.add(new Waiting(row, done));
    pump();
    return done.future();
  }

  /** INSERTs running now (tests). */
  int inFlight() {
    return inFlight;
  }

  private void pump() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Promise<Void>> batch = new ArrayList<>();
      Buffer rows = Buffer.buffer();
      while (!waiting.isEmpty() && batch.size() < MAX_ROWS
          && (batch.isEmpty() || rows.length() + waiting.peek().row().length() <= MAX_BYTES)) {
        Waiting next = waiting.poll();
        rows.appendBuffer(next.row());
        batch.add(next.done());
      }
      inFlight++;
      Future<Void> outcome;
      try {
        outcome = insert.run(rows, batch.size());
      } catch (RuntimeException unexpected) {
        outcome = Future.failedFuture(unexpected);
      }
      outcome.onComplete(done -> {
        inFlight--;
        batch.forEach(promise -> promise.handle(done));
        pump();
      });
    }
  }
}
