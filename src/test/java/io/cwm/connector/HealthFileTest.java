package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.TestConnector;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's liveness file is written at once and rewritten while the event loop runs. */
class HealthFileTest {

  @Test
  void fileIsWrittenAtOnceAndKeptFresh(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Path file = dir.resolve("alive");
      HealthFile.start(vertx, file.toString(), 100).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Instant first = Instant.parse(Files.readString(file).trim());
      assertTrue(TestConnector.await(5_000, () -> {
        try {
          return Instant.parse(Files.readString(file).trim()).isAfter(first);
        } catch (Exception halfWritten) {
          return false;
        }
      }), "rewritten with a later time");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
