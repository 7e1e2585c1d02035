package io.cwm.module.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RqJobTest {

  private static JsonObject function(String name) {
    return new JsonObject().put("function", name);
  }

  @Test
  void dottedNamesOfUpToThreePartsAreAccepted() {
    for (String name : List.of("process_webhook", "tasks.process", "app.tasks.process", " tasks.process ")) {
      assertEquals(name.trim(), RqJob.function(function(name)));
    }
  }

  @Test
  void dangerousOrMalformedFunctionNamesAreRefused() {
    for (String name : List.of("", "   ", "os.system", "subprocess.run", "eval", "exec", "__import__", "getattr",
        "a.__class__", "__init__", "a.b.c.d", "a..b", "a/b", "a;b", "a(b)", "x" .repeat(256), "1abc", "a-b", "a b")) {
      assertThrows(ConfigException.class, () -> RqJob.function(function(name)), name);
    }
    assertThrows(ConfigException.class, () -> RqJob.function(new JsonObject()));
  }

  @Test
  void queueDefaultsToDefault() {
    assertEquals("default", RqJob.queue(new JsonObject()));
    assertEquals("high", RqJob.queue(new JsonObject().put("queue_name", "high")));
    assertThrows(ConfigException.class, () -> RqJob.queue(new JsonObject().put("queue_name", "a b")));
  }

  @Test
  void jobFieldsAreThoseRqWrites() {
    RqJob job = RqJob.create("tasks.process", "high", new JsonObject().put("a", 1), Map.of("x", "y"),
        Instant.parse("2026-01-02T03:04:05.123456789Z"));
    assertTrue(job.id().matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"), job.id());
    assertEquals("rq:job:" + job.id(), job.jobKey());
    assertEquals("rq:queue:high", job.queueKey());
    Map<String, Object> fields = job.fields();
    assertEquals("2026-01-02T03:04:05.123456Z", fields.get("created_at"));
    assertEquals("2026-01-02T03:04:05.123456Z", fields.get("enqueued_at"));
    assertEquals("queued", fields.get("status"));
    assertEquals("high", fields.get("origin"));
    assertEquals("180", fields.get("timeout"));
    assertEquals("tasks.process({'a': 1}, {'x': 'y'})", fields.get("description"));
    for (String empty : List.of("started_at", "ended_at", "last_heartbeat", "worker_name", "group_id",
        "success_callback_name", "failure_callback_name", "stopped_callback_name")) {
      assertEquals("", fields.get(empty), empty);
    }
    assertTrue(fields.get("data") instanceof Buffer);
  }

  @Test
  void descriptionCutsLongArgumentsLikeRq() {
    String description = RqJob.callString("f", "x".repeat(100), true);
    assertEquals("f('" + "x".repeat(74) + "..., True)", description);
    assertEquals("\"it's\"", RqJob.repr("it's"));
  }
}
