package io.cwm.module.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The websocket module-config rules, the message it sends and how its failures are typed. */
class WebSocketTargetTest {
  private static WebSocketTarget target(JsonObject config) {
    return (WebSocketTarget) WebSocketModuleVerticle.TYPE.target(config, new JsonObject(), Env.of(Map.of()));
  }

  private static ConfigException refused(JsonObject config) {
    return assertThrows(ConfigException.class, () -> target(config));
  }

  @Test
  void pythonFixtureValuesLoad() {
    WebSocketTarget target = target(new JsonObject().put("url", "wss://dashboard.example.org/feed")
        .put("format", "json").put("include_headers", false).put("wait_for_response", true).put("timeout", 5)
        .put("max_retries", 2).put("headers", new JsonObject().put("X-Dashboard-Key", "dk")));
    assertTrue(target.url().ssl());
    assertEquals(443, target.url().port());
    assertEquals("/feed", target.url().requestUri());
    assertEquals(5_000, target.timeoutMillis());
    assertEquals(2, target.attempts());
    assertTrue(target.waitForResponse());
    assertEquals("wss://dashboard.example.org", target.forLog());
  }

  @Test
  void defaultsAreJsonTenSecondsThreeAttempts() {
    WebSocketTarget target = target(new JsonObject().put("url", "ws://feed.example.org:8080/x"));
    assertTrue(target.json());
    assertFalse(target.includeHeaders());
    assertEquals(10_000, target.timeoutMillis());
    assertEquals(3, target.attempts());
    assertEquals(1, target(new JsonObject().put("url", "ws://feed.example.org").put("max_retries", 0)).attempts());
    assertEquals(10, target(new JsonObject().put("url", "ws://feed.example.org").put("max_retries", "50")).attempts());
    assertEquals("max_retries", refused(new JsonObject().put("url", "ws://feed.example.org").put("max_retries", -1))
        .key());
  }

  @Test
  void urlMustBeWsOrWssAndPassTheSsrfPolicy() {
    assertEquals("url", refused(new JsonObject()).key());
    assertEquals("url", refused(new JsonObject().put("url", "http://feed.example.org/")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://localhost/feed")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://10.0.0.5/feed")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://169.254.169.254/")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://metadata.google.internal/")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://0177.0.0.1/")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://feed.example.org/%00")).key());
    assertEquals("url", refused(new JsonObject().put("url", "ws://a.example.org/")
        .put("allowed_hosts", new JsonArray().add("b.example.org"))).key());
    assertTrue(target(new JsonObject().put("url", "ws://127.0.0.1:9/")
        .put("allowed_hosts", new JsonArray().add("127.0.0.1"))).hostAllowListed());
  }

  @Test
  void handshakeHeadersOfTheProtocolItselfAreNotConfigurable() {
    WebSocketTarget target = target(new JsonObject().put("url", "ws://feed.example.org")
        .put("headers", new JsonObject().put("Sec-WebSocket-Key", "x").put("X-Key", "k")));
    assertEquals(Map.of("X-Key", "k"), target.headers());
  }

  @Test
  void messageFormats() {
    WebSocketTarget json = target(new JsonObject().put("url", "ws://feed.example.org"));
    assertEquals("{\"payload\":\"text\"}", WebSocketModuleVerticle.message(json, "text", Map.of("x", "y")));
    WebSocketTarget withHeaders = target(new JsonObject().put("url", "ws://feed.example.org")
        .put("include_headers", true));
    assertEquals(new JsonObject().put("payload", 1).put("headers", new JsonObject().put("x", "y")),
        new JsonObject((String) WebSocketModuleVerticle.message(withHeaders, 1, Map.of("x", "y"))));
    WebSocketTarget raw = target(new JsonObject().put("url", "ws://feed.example.org").put("format", "raw"));
    assertEquals("text", WebSocketModuleVerticle.message(raw, "text", Map.of()));
    assertEquals("true", WebSocketModuleVerticle.message(raw, true, Map.of()));
    assertInstanceOf(Buffer.class, WebSocketModuleVerticle.message(raw, Buffer.buffer(new byte[] {1}), Map.of()));
  }

  @Test
  void closeCodesAndUpgradeRefusalsAreTyped() {
    assertTrue(WebSocketModuleVerticle.judge(null).succeeded());
    assertTrue(WebSocketModuleVerticle.judge((short) 1000).succeeded());
    assertTrue(WebSocketModuleVerticle.judge((short) 1001).succeeded());
    assertEquals(Category.REJECTED, ((ModuleFailure) WebSocketModuleVerticle.judge((short) 1008).cause()).category());
    assertInstanceOf(WebSocketModuleVerticle.ProtocolFailure.class, WebSocketModuleVerticle.judge((short) 1011)
        .cause());
    assertInstanceOf(WebSocketModuleVerticle.ProtocolFailure.class,
        WebSocketFailures.connectFailure(new UpgradeRejectedException("no", 503, null, null)));
    assertEquals(Category.REJECTED, ((ModuleFailure) WebSocketFailures.connectFailure(
        new UpgradeRejectedException("no", 403, null, null))).category());
    assertEquals(Category.CONNECTION, WebSocketFailures.classify(new ConnectException("refused")).category());
  }
}
