package io.cwm.buffer.embedded;

import static io.cwm.testing.Futures.await;
import static io.cwm.testing.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cwm.buffer.BufferStartRefused;
import io.cwm.buffer.ChannelBufferVerticle;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBufferContractTest;
import io.cwm.testing.TestConnector;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The buffer contract on the embedded MVStore backend, plus its single-process data directory. */
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

  private String inUse() {
    Path dir = dataDir.toAbsolutePath();
    return "embedded buffer: data directory " + dir + " is in use by another cwm process (lock on "
        + dir.resolve("webhook-connect.mv.db") + ")";
  }

  private static List<String> bufferLines(ListAppender<ILoggingEvent> logs) {
    synchronized (logs) { // AppenderBase appends under the appender's lock
      return logs.list.stream().filter(event -> event.getLoggerName().startsWith("io.cwm.buffer"))
          .map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** Issue 12 point 4.3: a second process on the same --data-dir. */
  @Test
  void aSecondBufferOnAnOpenDataDirectoryIsRefusedWithOneClearMessage() {
    MessageBuffer second = new EmbeddedBuffer(vertx, dataDir, Clock.systemUTC(), true);
    Throwable refused = failure(second.open(List.of(channel)));
    assertInstanceOf(BufferStartRefused.class, refused);
    assertEquals(inUse(), refused.getMessage());
    publish(channel, "hook-a", 1); // the first one is unharmed
  }

  @Test
  void theBufferVerticleFailsToStartOnALockedDataDirectoryAndDoesNotRetry() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      long started = System.nanoTime();
      Throwable refused = failure(vertx.deployVerticle(new ChannelBufferVerticle(
          () -> new EmbeddedBuffer(vertx, dataDir, Clock.systemUTC(), true), List.of(channel))));
      long failedAfterMillis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(inUse(), refused.getMessage(), "the start-up failure Main prints");
      assertTrue(failedAfterMillis < 3000, "refused at once, not after retries: " + failedAfterMillis + " ms");
      int logged = bufferLines(logs).size();
      // the old behaviour: "message buffer unavailable ...; retrying every 5 s" and the same again every 5 s
      assertFalse(TestConnector.await(6000, () -> bufferLines(logs).size() > logged),
          () -> "still logging after the refusal: " + bufferLines(logs));
      assertTrue(vertx.deploymentIDs().isEmpty(), "nothing left deployed");
    } finally {
      root.detachAppender(logs);
    }
  }
}
