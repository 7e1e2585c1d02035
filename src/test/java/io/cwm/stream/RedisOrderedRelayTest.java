package io.cwm.stream;

import io.cwm.testing.RedisCleanup;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** Ordering per key end to end on the Redis buffer, over SSE. */
class RedisOrderedRelayTest extends OrderedRelayTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
  }

  @Override
  protected String protocol() {
    return "sse";
  }

  @AfterEach
  void deleteKeys() throws Exception {
    RedisCleanup.deleteKeysContaining(channel);
  }
}
