package io.cwm.config.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EtcdKeyTest {

  @Test
  void webhookKeysNameTheirNamespaceAndId() {
    assertEquals(new EtcdKey("team-a", "github"), EtcdKey.parse("/cwm/", "/cwm/team-a/webhooks/github"));
  }

  @Test
  void connectionKeysAreGlobal() {
    EtcdKey key = EtcdKey.parse("/cwm/", "/cwm/global/connections/rabbit");

    assertTrue(key.connection());
    assertEquals("rabbit", key.name());
  }

  @Test
  void keysOutsideTheLayoutAreRefused() {
    for (String key : new String[] {"/cwm/default/webhooks/", "/cwm/default/webhooks/a/b", "/cwm/default/other/a",
        "/cwm/team-a/connections/x", "/cwm/readme", "/other/default/webhooks/a"}) {
      assertThrows(IllegalArgumentException.class, () -> EtcdKey.parse("/cwm/", key), key);
    }
  }

  @Test
  void badNamespacesAreRefused() {
    String tooLong = "n".repeat(65);
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> EtcdKey.parse("/cwm/", "/cwm/" + tooLong + "/webhooks/a"));

    assertEquals("the namespace must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-'", bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EtcdKey.parse("/cwm/", "/cwm/te.am/webhooks/a"));
  }

  @Test
  void rangeEndIsThePrefixWithItsLastByteIncremented() {
    assertArrayEquals("/cwm0".getBytes(StandardCharsets.UTF_8), EtcdClient.rangeEnd("/cwm/"));
  }
}
