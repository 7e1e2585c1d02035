package io.cwm.module.zeromq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.zeromq.ZeroMqTarget.SocketKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load-time check of the zeromq module-config and the frame of each payload kind. */
class ZeroMqTargetTest {
  private static final Env PLAIN = Env.of(Map.of());
  private static final Env TESTS = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private static ZeroMqTarget target(JsonObject config, Env env) {
    return ZeroMqTarget.fromConfig(config, env);
  }

  private static ConfigException refused(JsonObject config, Env env) {
    return assertThrows(ConfigException.class, () -> target(config, env));
  }

  @Test
  void publicHostWithDefaults() {
    ZeroMqTarget target = target(new JsonObject().put("endpoint", " tcp://zmq.example.com:5555 "), PLAIN);
    assertEquals("tcp://zmq.example.com:5555", target.endpoint());
    assertEquals("zmq.example.com", target.host());
    assertEquals(5555, target.port());
    assertEquals(SocketKind.PUB, target.socketType());
    assertEquals(5_000, target.timeoutMillis());
    assertFalse(target.allowListed());
  }

  @Test
  void socketTypeInAnyCaseAndTimeoutAsString() {
    ZeroMqTarget target = target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("socket_type", "dealer")
        .put("timeout", "0.5"), PLAIN);
    assertEquals(SocketKind.DEALER, target.socketType());
    assertEquals(500, target.timeoutMillis());
    for (String type : List.of("PUB", "PUSH", "REQ", "DEALER")) {
      assertEquals(type, target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("socket_type", type), PLAIN)
          .socketType().name());
    }
    ConfigException e = refused(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("socket_type", "SUB"), PLAIN);
    assertEquals("socket_type", e.key());
  }

  @Test
  void hostileEndpointsOfTheSecurityNotesAreRefused() {
    for (String endpoint : List.of("tcp://localhost:5555", "tcp://127.0.0.1:1", "tcp://10.0.0.1:1", "tcp://host",
        "tcp://host:70000", "file:///x", "udp://x:1", "tcp://host\n:1", "tcp://a\u0001b:1", "tcp://0.0.0.0:1",
        "tcp://[::1]:1", "tcp://[fe80::1]:1", "tcp://169.254.169.254:80", "tcp://metadata.google.internal:80",
        "tcp://192.168.1.1:1", "tcp://2130706433:1", "tcp://0x7f.1:1", "tcp://*:5555", "tcp://::1:5",
        "tcp://:5555", "tcp://host:0", "tcp://host:-1", "http://example.com:1", "tcp://a;b:1")) {
      ConfigException e = refused(new JsonObject().put("endpoint", endpoint), PLAIN);
      assertEquals("endpoint", e.key(), endpoint);
    }
    assertEquals("endpoint", refused(new JsonObject(), PLAIN).key());
    assertEquals("endpoint", refused(new JsonObject().put("endpoint", 5), PLAIN).key());
    assertEquals("endpoint", refused(new JsonObject().put("endpoint", "tcp://" + "a".repeat(510) + ":1"), PLAIN)
        .key());
  }

  @Test
  void ipcAndInprocAreRefusedWithTheReason() {
    assertTrue(refused(new JsonObject().put("endpoint", "ipc:///tmp/feed"), PLAIN).getMessage().contains("JeroMQ"));
    assertTrue(refused(new JsonObject().put("endpoint", "inproc://feed"), PLAIN).getMessage()
        .contains("same process"));
  }

  @Test
  void loopbackOnlyUnderTheTestFlagAndPrivateOnlyWhenAllowListed() {
    assertEquals("127.0.0.1", target(new JsonObject().put("endpoint", "tcp://127.0.0.1:5555"), TESTS).host());
    assertEquals("localhost", target(new JsonObject().put("endpoint", "tcp://localhost:5555"), TESTS).host());
    assertEquals("::1", target(new JsonObject().put("endpoint", "tcp://[::1]:5555"), TESTS).host());
    // the flag allows loopback, not private networks
    refused(new JsonObject().put("endpoint", "tcp://10.1.2.3:5555"), TESTS);
    ZeroMqTarget listed = target(new JsonObject().put("endpoint", "tcp://10.1.2.3:5555")
        .put("allowed_hosts", new JsonArray().add("10.1.2.3")), PLAIN);
    assertTrue(listed.allowListed());
    ConfigException notListed = refused(new JsonObject().put("endpoint", "tcp://10.1.2.4:5555")
        .put("allowed_hosts", new JsonArray().add("10.1.2.3")), PLAIN);
    assertTrue(notListed.getMessage().contains("allowed_hosts"));
  }

  @Test
  void bindIsRefusedUnlessFalse() {
    assertEquals("bind", refused(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("bind", true), PLAIN).key());
    target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("bind", false), PLAIN);
  }

  @Test
  void socketsAreKeyedByTypeAndEndpoint() {
    ZeroMqTarget push = target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("socket_type", "PUSH"), PLAIN);
    ZeroMqTarget pushSlow = target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1").put("socket_type", "push")
        .put("timeout", 30), PLAIN);
    ZeroMqTarget pub = target(new JsonObject().put("endpoint", "tcp://8.8.8.8:1"), PLAIN);
    assertEquals(push.socketKey(), pushSlow.socketKey());
    assertFalse(push.socketKey().equals(pub.socketKey()));
  }

  @Test
  void framesOfEachPayloadKind() {
    assertEquals("{\"a\":1,\"b\":[true,null]}", text(new JsonObject().put("a", 1).put("b",
        new JsonArray().add(true).addNull())));
    assertEquals("[1,2]", text(new JsonArray().add(1).add(2)));
    assertEquals("plain text ü", text("plain text ü"));
    assertEquals("1.5", text(1.5));
    assertEquals("true", text(true));
    assertEquals("null", text(null));
    byte[] blob = {0, (byte) 0xff, 10};
    assertArrayEquals(blob, ZeroMqModuleVerticle.frame(Buffer.buffer(blob)));
  }

  private static String text(Object payload) {
    return new String(ZeroMqModuleVerticle.frame(payload), StandardCharsets.UTF_8);
  }
}
