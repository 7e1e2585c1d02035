package io.cwm.module.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.testing.Http;
import io.cwm.testing.KafkaBroker;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kafka module through a real receiver against the in-process KRaft broker
 * ({@link KafkaBroker}); records are read back with a plain consumer.
 */
class KafkaModuleTest {
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String FULL = "cwm-kafka-full-" + RUN;
  static final String PLAIN = "cwm-kafka-plain-" + RUN;
  static final String FALLBACK = "cwm-kafka-fallback-" + RUN;
  static final String BLOB = "cwm-kafka-blob-" + RUN;
  static final String SMALL = "cwm-kafka-small-" + RUN;
  static final String REUSE = "cwm-kafka-reuse-" + RUN;
  static final String REUSE_CONNECTION = "kafka-reuse-" + RUN;
  static final long READ_TIMEOUT = 15_000;

  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    String bootstrap = KafkaBroker.bootstrapServers();
    KafkaBroker.createTopic(FULL, 3);
    KafkaBroker.createTopic(SMALL, 1);
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "full": {"module": "kafka", "connection": "broker", "module-config":
                   {"topic": "%s", "key": "tenant-7", "partition": 2, "forward_headers": true}},
          "plain": {"module": "kafka", "connection": "broker", "module-config": {"topic": "%s"}},
          "fallback": {"module": "kafka", "connection": "broker", "topic": "%s"},
          "blob": {"module": "kafka", "connection": "broker", "data_type": "blob", "module-config": {"topic": "%s"}},
          "nopartition": {"module": "kafka", "connection": "broker", "module-config": {"topic": "%s", "partition": 5}},
          "big": {"module": "kafka", "connection": "broker", "data_type": "blob", "module-config": {"topic": "%s"}},
          "reuse": {"module": "kafka", "connection": "%s", "module-config": {"topic": "%s", "key": 7}},
          "down": {"module": "kafka", "connection": "nobroker", "module-config": {"topic": "cwm-kafka-down"}}
        }
        """.formatted(FULL, PLAIN, FALLBACK, BLOB, SMALL, SMALL, REUSE_CONNECTION, REUSE), """
        {
          "broker": {"type": "kafka", "bootstrap_servers": "%s"},
          "%s": {"type": "kafka", "bootstrap_servers": "%s"},
          "nobroker": {"type": "kafka", "bootstrap_servers": "127.0.0.1:%d"}
        }
        """.formatted(bootstrap, REUSE_CONNECTION, bootstrap, closedPort), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    KafkaBroker.deleteTopics(FULL, PLAIN, FALLBACK, BLOB, SMALL, REUSE);
  }

  private static ConsumerRecord<byte[], byte[]> only(String topic) {
    List<ConsumerRecord<byte[], byte[]>> records = KafkaBroker.read(topic, 1, READ_TIMEOUT);
    assertEquals(1, records.size(), "records in " + topic);
    return records.get(0);
  }

  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void recordCarriesTheJsonPayloadKeyPartitionAndCleanedHeaders() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/full",
        "{\"event\":\"push\",\"n\":1,\"ok\":true,\"text\":\"h\u00e9llo\"}", "Content-Type", "application/json",
        "X-Event", "push", "Authorization", "Bearer s3cr3t-token-value");
    assertEquals(200, response.statusCode(), response::body);

    ConsumerRecord<byte[], byte[]> record = only(FULL);
    assertEquals(new JsonObject().put("event", "push").put("n", 1).put("ok", true).put("text", "h\u00e9llo"),
        new JsonObject(text(record.value())));
    assertEquals("tenant-7", text(record.key()));
    assertEquals(2, record.partition());
    Map<String, String> headers = headers(record);
    assertEquals("push", headers.get("x-event"));
    assertEquals("application/json", headers.get("content-type"));
    assertFalse(headers.toString().contains("s3cr3t-token-value"), headers::toString);
  }

  @Test
  void withoutForwardHeadersTheRecordHasNoHeadersNorKey() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/plain", "[1,\"two\",null]",
        "Content-Type", "application/json", "X-Event", "push");
    assertEquals(200, response.statusCode(), response::body);

    ConsumerRecord<byte[], byte[]> record = only(PLAIN);
    assertEquals("[1,\"two\",null]", text(record.value()));
    assertNull(record.key());
    assertEquals(0, record.headers().toArray().length);
  }

  @Test
  void entryLevelTopicIsTheFallback() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/fallback", "{\"a\":1}",
        "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(new JsonObject().put("a", 1), new JsonObject(text(only(FALLBACK).value())));
  }

  @Test
  void blobPayloadIsSentAsItsRawBytes() throws Exception {
    byte[] body = new byte[256];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i; // not valid UTF-8, not JSON
    }
    HttpResponse<String> response = Http.post(server.port(), "/webhook/blob", body,
        "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);
    assertArrayEquals(body, only(BLOB).value());
  }

  @Test
  void aPartitionTheTopicDoesNotHaveIsANonRetryable500() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = Http.post(server.port(), "/webhook/nopartition", "{\"a\":1}",
        "Content-Type", "application/json");
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
    // refused from the topic's metadata, not after waiting max.block.ms for the partition
    assertTrue(System.nanoTime() - started < KafkaLink.MAX_BLOCK_MS * 1_000_000L, "took too long");
  }

  @Test
  void aRecordLargerThanTheProducerLimitIsANonRetryable500() throws Exception {
    byte[] big = new byte[1_100_000]; // over the client's 1 MB max.request.size
    HttpResponse<String> response = Http.post(server.port(), "/webhook/big", big,
        "Content-Type", "application/octet-stream");
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
  }

  @Test
  void unreachableBrokerIsARetryable503WithinSecondsEvenForConcurrentCalls() throws Exception {
    long started = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return Http.post(server.port(), "/webhook/down", "{\"a\":1}", "Content-Type", "application/json");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> response = call.get();
      assertEquals(503, response.statusCode(), response::body);
      assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    // one send waits max.block.ms (5 s); the others follow its outcome instead of queuing behind it
    assertTrue(seconds < 10, "took " + seconds + " s");
  }

  @Test
  void oneProducerServesEveryCallOfAConnection() throws Exception {
    int before = KafkaLink.producersCreated(REUSE_CONNECTION);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/reuse", "{\"i\":" + i + "}",
          "Content-Type", "application/json");
      assertEquals(200, response.statusCode(), response::body);
    }
    assertTrue(before <= 1, "created before: " + before);
    assertEquals(1, KafkaLink.producersCreated(REUSE_CONNECTION));
    List<ConsumerRecord<byte[], byte[]>> records = KafkaBroker.read(REUSE, 20, READ_TIMEOUT);
    assertEquals(20, records.size());
    for (int i = 0; i < 20; i++) {
      assertEquals(new JsonObject().put("i", i), new JsonObject(text(records.get(i).value())));
      assertEquals("7", text(records.get(i).key()));
    }
  }

  private static String loadError(String webhooks) {
    Exception e = assertThrows(Exception.class, () -> TestServer.start(webhooks).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    return refused.problems().toString();
  }

  @Test
  void aTopicWithSpacesKeepsTheReceiverFromStarting() {
    String problems = loadError("{\"spaced\": {\"module\": \"kafka\", \"module-config\": {\"topic\": \"my topic\"}}}");
    assertTrue(problems.contains("webhook 'spaced'") && problems.contains("module-config.topic"), problems);
  }

  @Test
  void aTopicOf300CharactersKeepsTheReceiverFromStarting() {
    String problems = loadError("{\"long\": {\"module\": \"kafka\", \"module-config\": {\"topic\": \"" + "t".repeat(300) + "\"}}}");
    assertTrue(problems.contains("webhook 'long'") && problems.contains("module-config.topic")
        && problems.contains("2 to 249"), problems);
  }
}
