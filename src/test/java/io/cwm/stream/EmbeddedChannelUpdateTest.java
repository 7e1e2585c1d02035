package io.cwm.stream;

import java.util.Map;

/** Channels at run time on the embedded store, with one channel verticle per instance. */
class EmbeddedChannelUpdateTest extends ChannelUpdateTest {
  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false");
  }

  @Override
  protected boolean channelVerticles() {
    return true;
  }
}
