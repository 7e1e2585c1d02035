package io.cwm.module;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * A module's long-lived client for one named connection (a Kafka producer, a PostgreSQL pool,
 * an AMQP connection, an S3 client), shared by every call that uses the connection. It counts
 * the calls in flight so that a link replaced by a changed connection ({@link #retire}) closes
 * only once its last call has finished. Used from the owning verticle's event loop only.
 */
public abstract class ConnectionLink {
  private final JsonObject connection;
  private int inFlight;
  private boolean retiring;
  private boolean closed;

  protected ConnectionLink(JsonObject connection) {
    this.connection = connection;
  }

  /** The connection object this link was built from: a changed object gets a new link. */
  public final JsonObject connection() {
    return connection;
  }

  public final boolean isClosed() {
    return closed;
  }

  /** Whether calls may keep using this link while its connection is unchanged (default: yes). */
  protected boolean reusable() {
    return true;
  }

  /** Runs one call counted in flight; a retiring link closes when its last call has finished. */
  protected final <T> Future<T> counted(Supplier<Future<T>> call) {
    inFlight++;
    Future<T> outcome;
    try {
      outcome = call.get();
    } catch (RuntimeException unexpected) {
      outcome = Future.failedFuture(unexpected);
    }
    return outcome.andThen(done -> {
      inFlight--;
      if (retiring && inFlight == 0) {
        close();
      }
    });
  }

  /** Closes once the calls in flight have finished (the connection's config changed). */
  public final void retire() {
    retiring = true;
    if (inFlight == 0) {
      close();
    }
  }

  /** Closes now (once); later calls fail. */
  public final Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return release();
  }

  /** Frees the client; called once, by {@link #close}. */
  protected abstract Future<Void> release();
}
