package io.cwm.module.activemq;

import io.cwm.testing.ActiveMqBroker;
import io.cwm.testing.ModuleServerContract;
import io.vertx.core.json.JsonObject;
import jakarta.jms.MessageConsumer;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** The module contract (receiver, connector, chain, server down) for activemq on the embedded ActiveMQ broker. */
class ActiveMqContractTest extends ModuleServerContract {
  private final String queue = "cwm.contract." + UUID.randomUUID();
  private final Set<String> markers = new HashSet<>();
  private ActiveMqBroker broker;
  private MessageConsumer consumer;

  @Override
  protected String module() {
    return "activemq";
  }

  @Override
  protected void startServer() throws Exception {
    broker = ActiveMqBroker.shared();
    consumer = broker.consumer(queue, false);
  }

  @Override
  protected void stopServer() throws Exception {
    consumer.close();
    broker.removeQueue(queue);
  }

  @Override
  protected String serverHost() {
    return broker.host();
  }

  @Override
  protected int serverPort() {
    return broker.stompPort();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("destination", queue).put("destination_type", "queue");
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return broker.connection(host, port);
  }

  @Override
  protected synchronized Set<String> markersReceived() throws Exception {
    for (ActiveMqBroker.Received message; (message = ActiveMqBroker.next(consumer, 1)) != null; ) {
      markers.add(new JsonObject(message.bodyText()).getString("marker"));
    }
    return new HashSet<>(markers);
  }
}
