package io.cwm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on a free loopback port to a real server, which a test can cut: {@link #cut()}
 * closes every relayed connection and from then on closes each new one as soon as it is accepted
 * (the client sees its connection reset, during the handshake if it was in one), {@link #restore()}
 * relays again. Stands for "the server went away" without stopping a server others use.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  /** In fields: Vert.x closes unreferenced clients. */
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  public TcpProxy(String targetHost, int targetPort) throws Exception {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(inbound -> {
      if (cut) {
        inbound.close();
        return;
      }
      inbound.pause();
      sockets.add(inbound);
      inbound.closeHandler(v -> sockets.remove(inbound));
      client.connect(targetPort, targetHost).onComplete(done -> {
        if (done.failed() || cut) {
          inbound.close();
          if (done.succeeded()) {
            done.result().close();
          }
          return;
        }
        NetSocket outbound = done.result();
        sockets.add(outbound);
        outbound.closeHandler(v -> {
          sockets.remove(outbound);
          inbound.close();
        });
        inbound.closeHandler(v -> {
          sockets.remove(inbound);
          outbound.close();
        });
        inbound.pipeTo(outbound);
        outbound.pipeTo(inbound);
        inbound.resume();
      });
    });
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /** Closes every relayed connection; new ones are closed at once until {@link #restore()}. */
  public void cut() {
    cut = true;
    sockets.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
