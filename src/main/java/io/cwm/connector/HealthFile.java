package io.cwm.connector;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A liveness signal for a process that serves no HTTP (the connector role): every
 * {@code periodMillis} an event-loop timer rewrites {@code path} with the current time
 * ({@code CONNECTOR_HEALTH_FILE}). A wedged event loop stops rewriting it, so an exec probe such
 * as {@code find FILE -newermt '-60 seconds'} tells a stuck process from a live one. It says
 * nothing about the receiver being reachable: a connector waiting for its receiver is alive and
 * reconnects by itself, and restarting it would not help.
 */
public final class HealthFile {
  private static final Logger LOG = LoggerFactory.getLogger(HealthFile.class);

  private HealthFile() {}

  /** Writes the file now and then every {@code periodMillis}; returns the timer id. */
  public static Future<Long> start(Vertx vertx, String path, long periodMillis) {
    return touch(vertx, path).map(first -> vertx.setPeriodic(periodMillis, id -> touch(vertx, path)
        .onFailure(failure -> LOG.warn("health file {} not written: {}", path, failure.getMessage()))));
  }

  private static Future<Void> touch(Vertx vertx, String path) {
    return vertx.fileSystem().writeFile(path, Buffer.buffer(Instant.now().toString() + "\n"));
  }
}
