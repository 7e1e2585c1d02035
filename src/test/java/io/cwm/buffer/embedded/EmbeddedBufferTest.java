package io.cwm.buffer.embedded;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBufferContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The buffer contract on the embedded MVStore backend. */
class EmbeddedBufferTest extends MessageBufferContractTest {
  @TempDir
  Path dataDir;

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new EmbeddedBuffer(vertx, dataDir, Clock.systemUTC(), true);
  }

  @Override
  protected MessageBuffer reopen(Vertx vertx) {
    return new EmbeddedBuffer(vertx, dataDir, Clock.systemUTC(), true);
  }
}
