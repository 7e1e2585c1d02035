package io.cwm.stream;

import java.util.Map;

/** Delivery semantics on the embedded store. */
class EmbeddedStreamDeliveryTest extends StreamDeliveryTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of();
  }
}
