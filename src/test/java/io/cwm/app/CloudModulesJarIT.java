package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.PubsubMessage;
import io.cwm.testing.ElasticMq;
import io.cwm.testing.Http;
import io.cwm.testing.PubSubServer;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The fat jar publishes to Pub/Sub and sends to SQS: gRPC finds its channel, name-resolver and
 * load-balancer providers and the AWS SDK its HTTP client through META-INF/services, which the
 * shade plugin must merge. The servers (the test's Pub/Sub server, ElasticMQ) run in this JVM;
 * the receiver is {@code java -jar target/cwm.jar receiver}.
 */
class CloudModulesJarIT {
  static final Path JAR = Path.of(System.getProperty("cwm.jar", "target/cwm.jar"));

  @Test
  void theJarPublishesToPubSubAndSendsToSqs(@TempDir Path dir) throws Exception {
    PubSubServer pubsub = PubSubServer.shared();
    ElasticMq sqs = ElasticMq.shared();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "cwm-jar-" + run;
    pubsub.createTopic(topic);
    String queueUrl = sqs.createQueue("cwm-jar-" + run);
    try {
      Path webhooks = dir.resolve("webhooks.json");
      Path connections = dir.resolve("connections.json");
      Files.writeString(webhooks, new JsonObject()
          .put("to-pubsub", new JsonObject().put("module", "gcp_pubsub").put("connection", "ps")
              .put("module-config", new JsonObject().put("topic", topic)))
          .put("to-sqs", new JsonObject().put("module", "aws_sqs").put("connection", "mq")
              .put("module-config", new JsonObject().put("queue_name", "cwm-jar-" + run)))
          .encodePrettily());
      Files.writeString(connections, new JsonObject().put("ps", pubsub.connection()).put("mq", sqs.connection())
          .encodePrettily());
      int port = TestServer.freePort();
      ProcessBuilder builder = new ProcessBuilder("java", "-jar", JAR.toAbsolutePath().toString(), "receiver",
          "--webhooks", webhooks.toString(), "--connections", connections.toString(),
          "--data-dir", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", String.valueOf(port))
          .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
      builder.environment().put("ALLOW_LOCALHOST_FOR_TESTS", "true");
      Process process = builder.start();
      try {
        awaitUp(port);
        HttpResponse<String> published = Http.post(port, "/webhook/to-pubsub", "{\"via\":\"jar\"}",
            "Content-Type", "application/json");
        assertEquals(200, published.statusCode(), () -> published.body() + log(dir));
        List<PubsubMessage> messages = pubsub.messages(topic);
        assertEquals(1, messages.size());
        assertEquals("{\"via\":\"jar\"}", messages.get(0).getData().toStringUtf8());

        HttpResponse<String> sent = Http.post(port, "/webhook/to-sqs", "{\"via\":\"jar\"}",
            "Content-Type", "application/json");
        assertEquals(200, sent.statusCode(), () -> sent.body() + log(dir));
        List<Message> received = sqs.drain(queueUrl, 10);
        assertEquals(1, received.size());
        assertEquals("{\"via\":\"jar\"}", received.get(0).body());
      } finally {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        process.destroyForcibly();
      }
    } finally {
      pubsub.deleteTopic(topic);
      sqs.deleteQueue(queueUrl);
    }
  }

  private static String log(Path dir) {
    try {
      return "\n" + Files.readString(dir.resolve("out.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static void awaitUp(int port) throws Exception {
    assertTrue(TestConnector.await(30_000, () -> {
      try {
        return Http.get(port, "/health").statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }), "server did not come up");
  }
}
