package io.cwm.module.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisPublishTargetTest {

  private static RedisPublishTarget target(JsonObject redis) {
    return RedisPublishTarget.fromConfig(new JsonObject(), new JsonObject().put("redis", redis));
  }

  @Test
  void defaultsComeFromTheRedisBlock() {
    RedisPublishTarget target = target(new JsonObject().put("host", "redis.example.com"));
    assertEquals(6379, target.port());
    assertEquals(0, target.db());
    assertEquals("webhook_events", target.channel());
  }

  @Test
  void defaultHostLocalhostIsRefusedLikePython() {
    assertThrows(ConfigException.class, () -> target(new JsonObject()));
  }

  @Test
  void numericStringsAreAcceptedForPortAndDb() {
    RedisPublishTarget target = target(new JsonObject().put("host", "redis.example.com").put("port", "6380").put("db", "2"));
    assertEquals(6380, target.port());
    assertEquals(2, target.db());
    assertThrows(ConfigException.class, () -> target(new JsonObject().put("host", "redis.example.com").put("port", 70000)));
  }

  @Test
  void moduleConfigChannelIsUsedWhenTheRedisBlockHasNone() {
    RedisPublishTarget target = RedisPublishTarget.fromConfig(new JsonObject().put("channel", "orders"),
        new JsonObject().put("redis", new JsonObject().put("host", "redis.example.com")));
    assertEquals("orders", target.channel());
  }

  @Test
  void localhostSpellingsAndNonPublicLiteralsAreRefused() {
    for (String host : List.of("localhost", "LOCALHOST", "127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433",
        "0x7f000001", "0177.0.0.1", "::1", "[::1]", "0.0.0.0", "10.0.0.5", "192.168.1.1", "172.16.0.1",
        "169.254.169.254", "224.0.0.1", "fe80::1", "metadata", "metadata.google.internal", "evil host",
        "a..b", "-bad.example.com", "x.localhost")) {
      assertNotNull(RedisPublishTarget.hostProblem(host, null), host);
    }
  }

  @Test
  void publicNamesAndAddressesAreAccepted() {
    for (String host : List.of("redis.example.com", "8.8.8.8", "redis-1.internal.example.org")) {
      assertNull(RedisPublishTarget.hostProblem(host, null), host);
    }
  }

  @Test
  void allowedHostsIsTheOnlyCheckWhenNonEmptyAndEmptyRefusesAll() {
    assertNull(RedisPublishTarget.hostProblem("127.0.0.1", List.of("127.0.0.1")));
    assertNull(RedisPublishTarget.hostProblem("Redis.Local", List.of("redis.local")));
    assertNotNull(RedisPublishTarget.hostProblem("redis.example.com", List.of("other.example.com")));
    assertNotNull(RedisPublishTarget.hostProblem("redis.example.com", List.of()));
    assertEquals("127.0.0.1", target(new JsonObject().put("host", "127.0.0.1")
        .put("allowed_hosts", new JsonArray().add("127.0.0.1"))).host());
  }

  @Test
  void channelRulesRejectCommandNamesAndOddCharacters() {
    for (String channel : List.of("", "a b", "a..b", "a--b", "publish", "set_x", "config.x", "FLUSHALL",
        "x".repeat(256), "a/b")) {
      assertThrows(ConfigException.class, () -> RedisPublishTarget.checkChannel(channel), channel);
    }
    assertEquals("orders.created", RedisPublishTarget.checkChannel(" orders.created "));
    assertEquals("settings", RedisPublishTarget.checkChannel("settings"));
  }

  @Test
  void messageCarriesPayloadAndHeadersAndBlobsAsBase64() {
    JsonObject message = RedisPublishModuleVerticle.message(new JsonObject().put("a", 1), Map.of("x-id", "7"));
    assertEquals(new JsonObject("{\"payload\":{\"a\":1},\"headers\":{\"x-id\":\"7\"}}"), message);
    assertEquals("AAEC", RedisPublishModuleVerticle.message(Buffer.buffer(new byte[] {0, 1, 2}), Map.of())
        .getString("payload"));
  }

  @Test
  void passwordIsNotInToString() {
    RedisPublishTarget target = target(new JsonObject().put("host", "redis.example.com").put("password", "s3cret"));
    assertEquals(-1, target.toString().indexOf("s3cret"));
  }
}
