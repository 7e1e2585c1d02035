package io.cwm.buffer.embedded;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.OrderingContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** Ordering per key on the embedded buffer. */
class EmbeddedOrderingTest extends OrderingContractTest {
  @TempDir
  Path dataDir;

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new EmbeddedBuffer(vertx, dataDir, Clock.systemUTC(), true);
  }

  @Override
  protected void cleanUp(String channelName) {
  }
}
