package io.cwm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port to one or more real servers, which a test can partition.
 * With several servers it balances like a TCP load balancer: each new connection goes to the
 * next server in turn, and to the one after it when that one refuses.
 *
 * <p>Two kinds of partition, both healed by {@link #restore()}:
 * <ul>
 *   <li>{@link #cut()} ("drop"): every relayed connection is closed and each new one is closed as
 *       soon as it is accepted. Both ends learn at once (a reset, a refused handshake).</li>
 *   <li>{@link #blackHole()}: nothing passes either way and nobody is told, as when a network
 *       silently drops packets. Relayed connections stay open but carry no bytes (a close by one
 *       end is not passed on either); new connections are accepted and then hear nothing. Only
 *       the ends' own timeouts (heartbeats, request and ack timeouts) can notice. On restore,
 *       what was written meanwhile flows on (as TCP retransmits it), connections held since
 *       their accept are relayed, and closes that happened meanwhile reach the other end.</li>
 * </ul>
 * Stands for "the network between them failed" without touching a server others use.
 */
public final class TcpProxy implements AutoCloseable {
  private enum Mode { RELAY, DROP, BLACK_HOLE }

  private final Vertx vertx = Vertx.vertx();
  /** In fields: Vert.x closes unreferenced clients. */
  private final NetServer server;
  private final NetClient client;
  private final String host;
  private final List<Integer> ports;
  private final AtomicInteger turn = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<NetSocket> held = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.RELAY;

  public TcpProxy(String targetHost, int targetPort) throws Exception {
    this(targetHost, List.of(targetPort));
  }

  /** A balancer over {@code targetPorts} of {@code targetHost}, in turn, skipping servers that refuse. */
  public TcpProxy(String targetHost, List<Integer> targetPorts) throws Exception {
    this.host = targetHost;
    this.ports = List.copyOf(targetPorts);
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000));
    server = vertx.createNetServer().connectHandler(this::accepted);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /** How many connections clients have opened to the proxy so far (relayed, dropped or held). */
  public int accepted() {
    return accepted.get();
  }

  private void accepted(NetSocket inbound) {
    accepted.incrementAndGet();
    switch (mode) {
      case DROP -> inbound.close();
      case BLACK_HOLE -> {
        inbound.pause();
        held.add(inbound);
      }
      case RELAY -> relay(inbound);
    }
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    connect(inbound, turn.getAndIncrement(), ports.size());
  }

  /** Connects to the server at {@code index} (in turn), else to the next, {@code left} tries in all. */
  private void connect(NetSocket inbound, int index, int left) {
    client.connect(ports.get(Math.floorMod(index, ports.size())), host).onComplete(done -> {
      if (done.succeeded() && mode != Mode.DROP) {
        Link link = new Link(inbound, done.result());
        links.add(link);
        link.start(mode == Mode.BLACK_HOLE);
      } else if (done.succeeded()) {
        done.result().close();
        inbound.close();
      } else if (left > 1 && mode == Mode.RELAY) {
        connect(inbound, index + 1, left - 1);
      } else {
        inbound.close();
      }
    });
  }

  /** Partition, "drop" kind: closes every relayed connection; new ones are closed at once until {@link #restore()}. */
  public void cut() {
    mode = Mode.DROP;
    links.forEach(Link::close);
    held.forEach(NetSocket::close);
    held.clear();
  }

  /** Partition, black-hole kind: no byte and no close passes, nobody is told, until {@link #restore()}. */
  public void blackHole() {
    mode = Mode.BLACK_HOLE;
    links.forEach(Link::hold);
  }

  /** Heals the partition: relays again (after a black hole, what waited flows on). */
  public void restore() {
    Mode was = mode;
    mode = Mode.RELAY;
    if (was == Mode.BLACK_HOLE) {
      links.forEach(Link::release);
      List<NetSocket> waiting = List.copyOf(held);
      held.clear();
      waiting.forEach(this::relay);
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** One relayed connection: bytes both ways with back-pressure, a close passed on unless held. */
  private final class Link {
    private final NetSocket inbound;
    private final NetSocket outbound;
    private volatile boolean holding;
    private volatile boolean closed;

    Link(NetSocket inbound, NetSocket outbound) {
      this.inbound = inbound;
      this.outbound = outbound;
    }

    void start(boolean blackHoled) {
      forward(inbound, outbound);
      forward(outbound, inbound);
      inbound.closeHandler(v -> ended(outbound));
      outbound.closeHandler(v -> ended(inbound));
      if (blackHoled) {
        hold();
      } else {
        inbound.resume();
      }
    }

    private void forward(NetSocket from, NetSocket to) {
      from.handler((Buffer bytes) -> {
        to.write(bytes);
        if (to.writeQueueFull()) {
          from.pause();
          to.drainHandler(v -> {
            if (!holding) {
              from.resume();
            }
          });
        }
      });
    }

    /** One end closed: the other is closed too, once the link is not held. */
    private void ended(NetSocket other) {
      closed = true;
      if (!holding) {
        links.remove(this);
        other.close();
      }
    }

    void hold() {
      holding = true;
      inbound.pause();
      outbound.pause();
    }

    void release() {
      holding = false;
      if (closed) {
        close();
      } else {
        inbound.resume();
        outbound.resume();
      }
    }

    void close() {
      closed = true;
      links.remove(this);
      inbound.close();
      outbound.close();
    }
  }
}
