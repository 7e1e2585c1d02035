package io.cwm.stream;

import io.cwm.testing.RedisCleanup;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Delivery semantics on Redis Streams (the machine's Redis). */
class RedisStreamDeliveryTest extends StreamDeliveryTest {
  static final String REDIS_URL = RedisCleanup.REDIS_URL;

  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", REDIS_URL);
  }

  /** Separate buffer and stream verticles here (the embedded and RabbitMQ suites run channel verticles). */
  @Override
  protected boolean channelVerticles() {
    return false;
  }

  /** Leaves nothing behind in the shared Redis: every key of this run's channels. */
  @AfterAll
  void deleteKeys() throws Exception {
    RedisCleanup.deleteKeysContaining(suffix);
  }
}
