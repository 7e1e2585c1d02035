package io.cwm.stream;

import java.util.Map;

/** Ordering per key end to end on the embedded buffer, over WebSocket. */
class EmbeddedOrderedRelayTest extends OrderedRelayTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of();
  }

  @Override
  protected String protocol() {
    return "websocket";
  }
}
