package io.cwm.module.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class QueueNamesTest {

  @Test
  void moduleConfigWinsOverTheEntryAndIsTrimmed() {
    assertEquals("orders", QueueNames.resolve(new JsonObject().put("queue_name", " orders "),
        new JsonObject().put("queue_name", "other")));
  }

  @Test
  void entryQueueNameIsTheFallback() {
    assertEquals("test_queue", QueueNames.resolve(new JsonObject(), new JsonObject().put("queue_name", "test_queue")));
  }

  @Test
  void missingQueueNameIsAConfigError() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> QueueNames.resolve(new JsonObject(), new JsonObject()));
    assertEquals("queue_name", error.key());
  }

  @Test
  void namesPythonRejectedForKeywordPrefixesAreAccepted() {
    assertNull(QueueNames.problem("get_orders"));
    assertNull(QueueNames.problem("publish-events"));
    assertNull(QueueNames.problem("billing.v1:created"));
  }

  @Test
  void reservedMalformedAndOverlongNamesAreRejected() {
    assertNotNull(QueueNames.problem("amq.gen-1"));
    assertNotNull(QueueNames.problem("AMQ.x"));
    assertNotNull(QueueNames.problem("a..b"));
    assertNotNull(QueueNames.problem("a--b"));
    assertNotNull(QueueNames.problem("with space"));
    assertNotNull(QueueNames.problem("slash/name"));
    assertNotNull(QueueNames.problem(""));
    assertNotNull(QueueNames.problem("q".repeat(256)));
    assertNull(QueueNames.problem("q".repeat(255)));
  }
}
