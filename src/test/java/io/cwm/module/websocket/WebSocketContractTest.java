package io.cwm.module.websocket;

import io.cwm.testing.ModuleServerContract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The module contract (receiver, connector, chain, server down) for websocket against a Vert.x
 * WebSocket server of the test ({@link WebSocketRecorder}) behind the contract's proxy.
 */
class WebSocketContractTest extends ModuleServerContract {
  private final String path = "/contract-" + UUID.randomUUID();
  private WebSocketRecorder recorder;

  @Override
  protected String module() {
    return "websocket";
  }

  @Override
  protected void startServer() {
    recorder = new WebSocketRecorder();
  }

  @Override
  protected void stopServer() {
    if (recorder != null) {
      recorder.close();
    }
  }

  @Override
  protected String serverHost() {
    return "127.0.0.1";
  }

  @Override
  protected int serverPort() {
    return recorder.port();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("url", "ws://" + host + ":" + port + path)
        .put("allowed_hosts", new JsonArray().add(host)).put("timeout", 5);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return null;
  }

  @Override
  protected Set<String> markersReceived() {
    Set<String> markers = new HashSet<>();
    for (WebSocketRecorder.Received message : recorder.received()) {
      if (message.path().equals(path)) {
        markers.add(new JsonObject(message.text()).getJsonObject("payload").getString("marker"));
      }
    }
    return markers;
  }
}
