package io.cwm.module.activemq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.stomp.Command;
import io.vertx.ext.stomp.Frame;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The activemq module-config and connection checks, the SEND frame's headers and body, ERROR classification. */
class ActiveMqTargetTest {
  private static final Env PLAIN = Env.of(Map.of());
  private static final Env TESTS = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  @Test
  void destinationAndTypeAsPythonReadsThem() {
    ActiveMqTarget queue = ActiveMqTarget.fromConfig(new JsonObject().put("destination", " webhook.events "));
    assertEquals("webhook.events", queue.destination());
    assertEquals("/queue/webhook.events", queue.stompDestination());
    ActiveMqTarget topic = ActiveMqTarget.fromConfig(new JsonObject().put("destination", "orders:eu_1-x")
        .put("destination_type", " TOPIC "));
    assertEquals("/topic/orders:eu_1-x", topic.stompDestination());
    assertEquals("destination_type", assertThrows(ConfigException.class, () -> ActiveMqTarget.fromConfig(
        new JsonObject().put("destination", "a").put("destination_type", "exchange"))).key());
  }

  @Test
  void destinationsOfTheSecurityNotesAreRefused() {
    for (String name : List.of("ActiveMQ.Advisory", "VirtualTopic.x", "a/b", "consumer.A.x", "queue.x", "Topic.x",
        "a..b", "a--b", "a b", "a;b", "a*", "a>", "", " ", "x".repeat(256))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> ActiveMqTarget.fromConfig(new JsonObject().put("destination", name)), name);
      assertEquals("destination", e.key());
    }
    assertEquals("destination", assertThrows(ConfigException.class,
        () -> ActiveMqTarget.fromConfig(new JsonObject())).key());
    assertEquals("destination", assertThrows(ConfigException.class,
        () -> ActiveMqTarget.fromConfig(new JsonObject().put("destination", new JsonArray()))).key());
  }

  @Test
  void connectionKeysWithPythonsFixtureAndItsDocs() {
    ActiveMqConnection fixture = ActiveMqConnection.from(new JsonObject().put("type", "activemq").put("host", "activemq")
        .put("port", 61613).put("user", "artemis").put("password", "artemis"), PLAIN);
    assertEquals("activemq", fixture.host());
    assertEquals("artemis", fixture.login());
    ActiveMqConnection docs = ActiveMqConnection.from(new JsonObject().put("host", "mq.example.com")
        .put("port", "61614").put("username", "hooks").put("password", "pw"), PLAIN);
    assertEquals(61614, docs.port());
    assertEquals("hooks", docs.login());
    ActiveMqConnection anonymous = ActiveMqConnection.from(new JsonObject().put("host", "mq.example.com")
        .put("user", "only-user"), PLAIN);
    assertNull(anonymous.login(), "login only when both user and password are set, as Python");
    assertEquals(61613, anonymous.port());
    assertFalse(fixture.toString().contains("artemis"));
  }

  @Test
  void connectionHostRulesAreTheProjects() {
    assertEquals("host", assertThrows(ConfigException.class,
        () -> ActiveMqConnection.from(new JsonObject(), PLAIN)).key(), "localhost by default, refused");
    assertEquals("127.0.0.1", ActiveMqConnection.from(new JsonObject().put("host", "127.0.0.1"), TESTS).host());
    for (String host : List.of("169.254.169.254", "metadata.google.internal", "10.0.0.1", "a;b")) {
      assertEquals("host", assertThrows(ConfigException.class,
          () -> ActiveMqConnection.from(new JsonObject().put("host", host), TESTS)).key(), host);
    }
    assertEquals("10.0.0.1", ActiveMqConnection.from(new JsonObject().put("host", "10.0.0.1"),
        Env.of(Map.of("ALLOW_PRIVATE_IP_CONNECTIONS", "true"))).host());
    assertEquals("port", assertThrows(ConfigException.class, () -> ActiveMqConnection.from(
        new JsonObject().put("host", "mq.example.com").put("port", 70000), PLAIN)).key());
    assertEquals("use_ssl", assertThrows(ConfigException.class, () -> ActiveMqConnection.from(
        new JsonObject().put("host", "mq.example.com").put("use_ssl", true), PLAIN)).key());
  }

  @Test
  void headersKeepTheRequestsButNotStompOrActiveMqControlHeaders() {
    Map<String, String> request = new LinkedHashMap<>();
    request.put("x-event", "push");
    request.put("user-agent", "GitHub-Hookshot");
    for (String control : List.of("content-length", "content-type", "destination", "receipt", "transaction",
        "persistent", "priority", "expires", "reply-to", "correlation-id", "type", "amq-msg-type")) {
      request.put(control, "from the request");
    }
    Map<String, String> headers = StompMessage.headers(request, "/queue/a", new JsonObject());
    assertEquals(Map.of("x-event", "push", "user-agent", "GitHub-Hookshot", "destination", "/queue/a",
        "content-type", "application/json", "persistent", "true"), headers);
    assertEquals("text/plain;charset=utf-8", StompMessage.headers(Map.of(), "/queue/a", "text").get("content-type"));
    assertEquals("application/octet-stream",
        StompMessage.headers(null, "/queue/a", Buffer.buffer(new byte[] {1})).get("content-type"));
  }

  @Test
  void headerValuesAreEscapedAsStomp12Says() {
    Frame frame = new Frame(Command.SEND, new LinkedHashMap<>(Map.of("x-odd", "a:b\\c\nd\re")), Buffer.buffer("{}"));
    String wire = frame.toBuffer().toString();
    assertTrue(wire.contains("x-odd:a\\cb\\\\c\\nd\\re\n"), wire);
  }

  @Test
  void bodiesOfEachPayloadKind() {
    assertEquals("{\"a\":[1,null]}", StompMessage.body(new JsonObject().put("a", new JsonArray().add(1).addNull()))
        .toString());
    assertEquals("text ü", StompMessage.body("text ü").toString());
    assertEquals("2.5", StompMessage.body(2.5).toString());
    assertEquals("null", StompMessage.body(null).toString());
  }

  @Test
  void errorFramesAreClassifiedWithoutTheBrokersWords() {
    assertEquals(Category.AUTH, ActiveMqLink.classifyError("User name [x] or password is invalid.").category());
    assertEquals(Category.PERMISSION,
        ActiveMqLink.classifyError("User x is not authorized to write to: queue://a").category());
    assertEquals(Category.UNAVAILABLE,
        ActiveMqLink.classifyError("Usage Manager Memory Limit reached on queue://a").category());
    assertEquals(Category.REJECTED, ActiveMqLink.classifyError("Unknown STOMP action").category());
    assertEquals(Category.REJECTED, ActiveMqLink.classifyError(null).category());
    assertFalse(ActiveMqLink.classifyError("User x is not authorized to write to: queue://a").getMessage()
        .contains("queue://"));
  }
}
