package io.cwm.module.pubsub;

import io.cwm.testing.ModuleServerContract;
import io.cwm.testing.PubSubServer;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import com.google.pubsub.v1.PubsubMessage;

/**
 * The module contract (receiver, connector, chain, server down) for gcp_pubsub on the test's
 * in-process Pub/Sub server ({@link PubSubServer}: the Publisher service over real TCP).
 */
class PubSubContractTest extends ModuleServerContract {
  private final String topic = "cwm-contract-" + UUID.randomUUID().toString().substring(0, 8);
  private PubSubServer pubsub;

  @Override
  protected String module() {
    return "gcp_pubsub";
  }

  @Override
  protected void startServer() throws Exception {
    pubsub = PubSubServer.shared();
    pubsub.createTopic(topic);
  }

  @Override
  protected void stopServer() {
    pubsub.deleteTopic(topic);
  }

  @Override
  protected String serverHost() {
    return "127.0.0.1";
  }

  @Override
  protected int serverPort() {
    return pubsub.port();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("topic", topic);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return PubSubServer.connection(host, port);
  }

  @Override
  protected Set<String> markersReceived() {
    Set<String> markers = new HashSet<>();
    for (PubsubMessage message : pubsub.messages(topic)) {
      markers.add(new JsonObject(message.getData().toStringUtf8()).getString("marker"));
    }
    return markers;
  }
}
