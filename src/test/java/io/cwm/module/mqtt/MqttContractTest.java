package io.cwm.module.mqtt;

import io.cwm.testing.ModuleServerContract;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The module contract (receiver, connector, chain, server down) for mqtt on the machine's
 * Mosquitto; a subscriber connected straight to the broker (not through the proxy) reads back.
 */
class MqttContractTest extends ModuleServerContract {
  private final String topic = "cwm-contract/" + UUID.randomUUID();
  private MqttSubscriber subscriber;

  @Override
  protected String module() {
    return "mqtt";
  }

  @Override
  protected void startServer() {
    subscriber = new MqttSubscriber(serverHost(), serverPort(), topic);
  }

  @Override
  protected void stopServer() {
    if (subscriber != null) {
      subscriber.close();
    }
  }

  @Override
  protected String serverHost() {
    return MqttModuleTest.HOST;
  }

  @Override
  protected int serverPort() {
    return MqttModuleTest.PORT;
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("topic", topic).put("qos", 1);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "mqtt").put("host", host).put("port", port);
  }

  @Override
  protected Set<String> markersReceived() {
    Set<String> markers = new HashSet<>();
    for (MqttSubscriber.Received message : subscriber.received()) {
      markers.add(new JsonObject(message.text()).getString("marker"));
    }
    return markers;
  }
}
