package io.cwm.connector;

import io.cwm.testing.RedisCleanup;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link CircuitOutageTest} on the Redis buffer (the machine's Redis), the failure kinds swapped per transport. */
class RedisCircuitOutageTest extends CircuitOutageTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
  }

  @Override
  @ParameterizedTest(name = "{0}, target {1}")
  @CsvSource({"websocket, http_503", "sse, refused", "long_poll, http_503"})
  protected void aTargetDownUnderLoadDeadLettersNothingAndGetsEverythingAfter(String protocol, String failure)
      throws Exception {
    super.aTargetDownUnderLoadDeadLettersNothingAndGetsEverythingAfter(protocol, failure);
  }

  @AfterAll
  void deleteKeys() throws Exception {
    RedisCleanup.deleteKeysContaining(suffix);
  }
}
