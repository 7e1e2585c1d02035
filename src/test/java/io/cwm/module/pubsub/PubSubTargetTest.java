package io.cwm.module.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.gax.grpc.GrpcStatusCode;
import com.google.api.gax.rpc.ApiExceptionFactory;
import com.google.pubsub.v1.PubsubMessage;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure.Category;
import io.grpc.Status;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.FileNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gcp_pubsub module-config, connection rules, message format and failure typing. */
class PubSubTargetTest {
  static final Env STRICT = Env.of(Map.of());
  static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private static PubSubTarget target(JsonObject config) {
    return PubSubModuleVerticle.TYPE.target(config, new JsonObject().put("module", "gcp_pubsub"), STRICT);
  }

  @Test
  void topicByTheSpecsRule() {
    assertEquals(new PubSubTarget("webhook-events", false), target(new JsonObject().put("topic", " webhook-events ")));
    assertTrue(target(new JsonObject().put("topic", "orders_v2").put("create_topic", "true")).createTopic());
    assertEquals("a".repeat(255), target(new JsonObject().put("topic", "a".repeat(255))).topic());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Upper", "1abc", "a--b", "a__b", "ab", "google-x", "a.b", "a/b", "", "a b"})
  void badTopicsAreRefused(String topic) {
    ConfigException e = assertThrows(ConfigException.class, () -> target(new JsonObject().put("topic", topic)));
    assertEquals("topic", e.key());
  }

  @Test
  void missingTopicAndBadCreateTopic() {
    assertEquals("topic", assertThrows(ConfigException.class, () -> target(new JsonObject())).key());
    assertEquals("topic", assertThrows(ConfigException.class,
        () -> target(new JsonObject().put("topic", "a".repeat(256)))).key());
    assertEquals("create_topic", assertThrows(ConfigException.class,
        () -> target(new JsonObject().put("topic", "abc").put("create_topic", "yes"))).key());
  }

  @Test
  void connectionProjectCredentialsAndEmulator() {
    PubSubConnection plain = PubSubConnection.from(new JsonObject().put("project_id", "test-project")
        .put("credentials", new JsonObject()), STRICT);
    assertEquals(new PubSubConnection("test-project", null, null), plain);
    assertEquals("keys/sa.json", PubSubConnection.from(new JsonObject().put("project_id", "test-project")
        .put("credentials_path", "keys/sa.json"), STRICT).credentialsPath());
    assertEquals("127.0.0.1:8085", PubSubConnection.from(new JsonObject().put("project_id", "test-project")
        .put("endpoint", "127.0.0.1:8085"), LOCAL).emulator());
    // the emulator convention: PUBSUB_EMULATOR_HOST for connections without endpoint
    Env emulatorEnv = Env.of(Map.of("PUBSUB_EMULATOR_HOST", "pubsub-emulator:8085"));
    assertEquals("pubsub-emulator:8085", PubSubConnection.from(new JsonObject().put("project_id", "test-project"),
        emulatorEnv).emulator());
    assertEquals("endpoint", assertThrows(ConfigException.class, () -> PubSubConnection.from(new JsonObject()
        .put("project_id", "test-project").put("endpoint", "127.0.0.1:8085"), STRICT)).key());
    assertEquals("PUBSUB_EMULATOR_HOST", assertThrows(ConfigException.class, () -> PubSubConnection.from(
        new JsonObject().put("project_id", "test-project"), Env.of(Map.of("PUBSUB_EMULATOR_HOST", "localhost:1"))))
        .key());
    assertEquals("endpoint", assertThrows(ConfigException.class, () -> PubSubConnection.from(new JsonObject()
        .put("project_id", "test-project").put("endpoint", "http://x:1"), STRICT)).key());
    assertEquals("endpoint", assertThrows(ConfigException.class, () -> PubSubConnection.from(new JsonObject()
        .put("project_id", "test-project").put("endpoint", "169.254.169.254:80"), LOCAL)).key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "UPPER-case", "1project", "project-", "a-very-long-project-id-over-thirty-chars"})
  void badProjectIdsAreRefused(String project) {
    assertEquals("project_id", assertThrows(ConfigException.class,
        () -> PubSubConnection.from(new JsonObject().put("project_id", project), STRICT)).key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/key.json", "../key.json", "%2e%2e/key.json", "%252e%252e/key.json", "C:\\key.json",
      "C:/key.json", "keys/../../x.json", "a\u0000b", "~/key.json"})
  void hostileCredentialPathsAreRefused(String path) {
    ConfigException e = assertThrows(ConfigException.class, () -> PubSubConnection.from(new JsonObject()
        .put("project_id", "test-project").put("credentials_path", path), STRICT), path);
    assertEquals("credentials_path", e.key());
  }

  @Test
  void noProjectIsRefused() {
    assertEquals("project_id", assertThrows(ConfigException.class,
        () -> PubSubConnection.from(new JsonObject(), STRICT)).key());
  }

  @Test
  void dataAndAttributes() {
    assertEquals("{\"a\":1}", PubSubMessages.data(new JsonObject().put("a", 1)).toStringUtf8());
    assertEquals("[1,2]", PubSubMessages.data(new JsonArray().add(1).add(2)).toStringUtf8());
    assertEquals("tëxt", PubSubMessages.data("tëxt").toStringUtf8());
    assertEquals("true", PubSubMessages.data(true).toStringUtf8());
    assertEquals(List.of((byte) 0, (byte) 0xff), List.of(PubSubMessages.data(Buffer.buffer(new byte[] {0, (byte) 0xff}))
        .byteAt(0), PubSubMessages.data(Buffer.buffer(new byte[] {0, (byte) 0xff})).byteAt(1)));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-github-event", "push");
    headers.put("content-type", "application/json");
    headers.put("x.dotted", "refused name");
    headers.put("goog-x", "reserved prefix");
    headers.put("x-long", "v".repeat(1025));
    headers.put("x-max", "v".repeat(1024));
    headers.put("x-multibyte", "é".repeat(600));
    PubSubMessages.Built built = PubSubMessages.of("x", headers);
    PubsubMessage message = built.message();
    assertEquals(Map.of("x-github-event", "push", "content-type", "application/json", "x-max", "v".repeat(1024)),
        message.getAttributesMap());
    assertEquals(4, built.droppedHeaders());
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 120; i++) {
      many.put(String.format("h%03d", i), "v");
    }
    PubsubMessage capped = PubSubMessages.of("x", many).message();
    assertEquals(100, capped.getAttributesCount());
    assertTrue(capped.containsAttributes("h099"));
    assertFalse(capped.containsAttributes("h100"));
  }

  private static Category category(Status status) {
    return PubSubFailures.classify(new ExecutionException(ApiExceptionFactory.createException(
        status.asRuntimeException(), GrpcStatusCode.of(status.getCode()), false))).category();
  }

  @Test
  void failureTyping() {
    assertEquals(Category.CONNECTION, category(Status.UNAVAILABLE));
    assertEquals(Category.TIMEOUT, category(Status.DEADLINE_EXCEEDED));
    assertEquals(Category.UNAVAILABLE, category(Status.RESOURCE_EXHAUSTED));
    assertEquals(Category.UNAVAILABLE, category(Status.ABORTED));
    assertEquals(Category.UNAVAILABLE, category(Status.INTERNAL));
    assertEquals(Category.CONFIG, category(Status.NOT_FOUND));
    assertEquals(Category.PERMISSION, category(Status.PERMISSION_DENIED));
    assertEquals(Category.AUTH, category(Status.UNAUTHENTICATED));
    assertEquals(Category.REJECTED, category(Status.INVALID_ARGUMENT));
    assertEquals(Category.CONNECTION, PubSubFailures.classify(Status.UNAVAILABLE.asRuntimeException()).category());
    assertEquals(Category.AUTH, PubSubFailures.classify(new FileNotFoundException("/secret/path")).category());
    assertFalse(PubSubFailures.classify(new FileNotFoundException("/secret/path")).getMessage().contains("secret"));
    assertNull(PubSubTarget.topicProblem("webhook-events"));
  }
}
