package io.cwm.stream;

import io.cwm.testing.RedisCleanup;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Channels at run time on Redis (the machine's), with separate buffer and stream verticles. */
class RedisChannelUpdateTest extends ChannelUpdateTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
  }

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
