package io.cwm.testing;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS-compatible server for tests: ElasticMQ ({@code elasticmq-rest-sqs}) in the test JVM
 * on a free loopback port, one JVM-wide instance started on first {@link #shared()} (about 2 s)
 * and stopped by a shutdown hook. Queue URLs it returns name {@code http://127.0.0.1:<port>}.
 * {@link #client()} is a plain synchronous SqsClient to create queues and read messages back.
 * It accepts any credentials; {@link #connection()} gives a connections.json entry for it (the
 * receiver needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}).
 */
public final class ElasticMq {
  public static final String ACCESS_KEY = "cwm-test";
  public static final String SECRET_KEY = "cwm-test-secret";
  public static final String REGION = "eu-west-1";
  private static ElasticMq shared;

  private final int port;
  private final SQSRestServer server;
  private final SqsClient client;

  private ElasticMq(int port) {
    this.port = port;
    this.server = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1")
        .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
        .withAWSRegion(REGION)
        .start();
    server.waitUntilStarted();
    this.client = SqsClient.builder().endpointOverride(URI.create(endpoint())).region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** The shared server, started on first use. */
  public static synchronized ElasticMq shared() throws Exception {
    if (shared == null) {
      ElasticMq started = new ElasticMq(TestServer.freePort());
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "elasticmq-stop"));
      shared = started;
    }
    return shared;
  }

  public int port() {
    return port;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A connections.json entry for the server reached at host:port (the server itself or a proxy). */
  public static JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "aws_sqs").put("endpoint_url", "http://" + host + ":" + port)
        .put("region_name", REGION).put("aws_access_key_id", ACCESS_KEY).put("aws_secret_access_key", SECRET_KEY);
  }

  public JsonObject connection() {
    return connection("127.0.0.1", port);
  }

  public SqsClient client() {
    return client;
  }

  /** Creates a queue (FIFO for a {@code .fifo} name) and returns its URL. */
  public String createQueue(String name) {
    Map<QueueAttributeName, String> attributes = name.endsWith(".fifo")
        ? Map.of(QueueAttributeName.FIFO_QUEUE, "true") : Map.of();
    return client.createQueue(request -> request.queueName(name).attributes(attributes)).queueUrl();
  }

  public void deleteQueue(String url) {
    try {
      client.deleteQueue(request -> request.queueUrl(url));
    } catch (RuntimeException alreadyGone) {
      // nothing to clean up
    }
  }

  /** Whether the server has a queue of that name. */
  public boolean hasQueue(String name) {
    return client.listQueues(request -> request.queueNamePrefix(name)).queueUrls().stream()
        .anyMatch(url -> url.endsWith("/" + name));
  }

  /** Receives (and deletes) what the queue holds now, up to {@code max} messages, with all their attributes. */
  public List<Message> drain(String url, int max) {
    List<Message> all = new ArrayList<>();
    while (all.size() < max) {
      List<Message> batch = client.receiveMessage(request -> request.queueUrl(url).maxNumberOfMessages(10)
          .messageAttributeNames("All").messageSystemAttributeNames(
              software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL)
          .waitTimeSeconds(0)).messages();
      if (batch.isEmpty()) {
        break;
      }
      for (Message message : batch) {
        client.deleteMessage(request -> request.queueUrl(url).receiptHandle(message.receiptHandle()));
      }
      all.addAll(batch);
    }
    return all;
  }

  private void stop() {
    try {
      client.close();
    } finally {
      server.stopAndWait();
    }
  }
}
