package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnReceiverTest {
  @Test
  void portAndHostAreTheReceiversWhateverTheEnvironmentSays() {
    Env env = OwnReceiver.connectorEnv(Env.of(Map.of("PORT", "8000", "HOST", "10.0.0.9", "OTHER", "kept")),
        "127.0.0.1", 19401);
    assertEquals("19401", env.get("PORT", null));
    assertEquals("127.0.0.1", env.get("HOST", null));
    assertEquals("kept", env.get("OTHER", null));
  }

  @Test
  void aWildcardAddressIsDialledOnLoopbackAndIpv6GetsBrackets() {
    assertEquals("127.0.0.1", OwnReceiver.dialHost("0.0.0.0"));
    assertEquals("127.0.0.1", OwnReceiver.dialHost("::"));
    assertEquals("127.0.0.1", OwnReceiver.dialHost("[::]"));
    assertEquals("[::1]", OwnReceiver.dialHost("::1"));
    assertEquals("[::1]", OwnReceiver.dialHost("[::1]"));
    assertEquals("10.0.0.5", OwnReceiver.dialHost("10.0.0.5"));
    assertEquals("receiver.internal", OwnReceiver.dialHost("receiver.internal"));
  }
}
