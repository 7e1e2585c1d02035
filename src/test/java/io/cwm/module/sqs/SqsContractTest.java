package io.cwm.module.sqs;

import io.cwm.testing.ElasticMq;
import io.cwm.testing.ModuleServerContract;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The module contract (receiver, connector, chain, server down) for aws_sqs on ElasticMQ in the
 * test JVM ({@link ElasticMq}); markers are read back with ReceiveMessage (and kept, since
 * receiving deletes).
 */
class SqsContractTest extends ModuleServerContract {
  private final String queue = "cwm-contract-" + UUID.randomUUID().toString().substring(0, 8);
  private final Set<String> markers = ConcurrentHashMap.newKeySet();
  private ElasticMq sqs;
  private String queueUrl;

  @Override
  protected String module() {
    return "aws_sqs";
  }

  @Override
  protected void startServer() throws Exception {
    sqs = ElasticMq.shared();
    queueUrl = sqs.createQueue(queue);
  }

  @Override
  protected void stopServer() {
    sqs.deleteQueue(queueUrl);
  }

  @Override
  protected String serverHost() {
    return "127.0.0.1";
  }

  @Override
  protected int serverPort() {
    return sqs.port();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("queue_name", queue);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return ElasticMq.connection(host, port);
  }

  @Override
  protected synchronized Set<String> markersReceived() {
    for (Message message : sqs.drain(queueUrl, 1000)) {
      markers.add(new JsonObject(message.body()).getString("marker"));
    }
    return Set.copyOf(markers);
  }
}
