package io.cwm.module.zeromq;

import io.cwm.testing.ModuleServerContract;
import io.cwm.testing.ZeroMqPeer;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.zeromq.SocketType;

/**
 * The module contract (receiver, connector, chain, server down) for zeromq with a REQ socket
 * against a JeroMQ REP peer bound in the test: a 200 waits for the peer's reply, so it means the
 * peer holds the message. (PUSH cannot pass "200 only once the server holds it": a message handed
 * to a connection that the proxy is cutting at that moment is lost with it; ZeroMqModuleTest
 * shows PUSH failing with 503 once the connection is gone.)
 */
class ZeroMqContractTest extends ModuleServerContract {
  private ZeroMqPeer rep;

  @Override
  protected String module() {
    return "zeromq";
  }

  @Override
  protected void startServer() throws Exception {
    rep = new ZeroMqPeer(SocketType.REP);
  }

  @Override
  protected void stopServer() throws Exception {
    rep.close();
  }

  @Override
  protected String serverHost() {
    return "127.0.0.1";
  }

  @Override
  protected int serverPort() {
    return rep.port();
  }

  @Override
  protected JsonObject moduleConfig(String host, int port) {
    return new JsonObject().put("endpoint", "tcp://" + host + ":" + port).put("socket_type", "REQ").put("timeout", 2);
  }

  @Override
  protected JsonObject connection(String host, int port) {
    return null;
  }

  @Override
  protected Set<String> markersReceived() {
    Set<String> markers = new HashSet<>();
    for (String body : rep.bodies()) {
      markers.add(new JsonObject(body).getString("marker"));
    }
    return markers;
  }
}
