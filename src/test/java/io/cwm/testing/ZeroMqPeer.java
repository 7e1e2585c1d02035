package io.cwm.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A ZeroMQ peer for tests: one socket bound on a free loopback port (PULL, SUB subscribed to
 * everything, REP, or ROUTER) read by its own thread, which keeps every message it got (its
 * frames, a ROUTER's identity frame included). REP answers {@code ok}; a ROUTER answers requests
 * that carry a REQ envelope ({@code [identity, "", body]}) with {@code [identity, "", "ok"]} unless
 * {@code silent} says to leave the n-th message (0-based) unanswered.
 */
public final class ZeroMqPeer implements AutoCloseable {
  private final ZContext context = new ZContext(1);
  private final ZMQ.Socket socket;
  private final int port;
  private final Thread reader;
  private final IntPredicate silent;
  private final AtomicInteger requests = new AtomicInteger();
  private final ConcurrentLinkedQueue<List<byte[]>> received = new ConcurrentLinkedQueue<>();
  private volatile boolean closing;

  public ZeroMqPeer(SocketType type) throws Exception {
    this(type, n -> false);
  }

  public ZeroMqPeer(SocketType type, IntPredicate silent) throws Exception {
    this.silent = silent;
    port = TestServer.freePort();
    socket = context.createSocket(type);
    socket.setLinger(0);
    if (type == SocketType.SUB) {
      socket.subscribe(new byte[0]);
    }
    socket.bind("tcp://127.0.0.1:" + port);
    socket.setReceiveTimeOut(100);
    reader = new Thread(() -> read(type), "zeromq-peer-" + type);
    reader.setDaemon(true);
    reader.start();
  }

  public int port() {
    return port;
  }

  public String endpoint() {
    return "tcp://127.0.0.1:" + port;
  }

  /** Every message so far, each as its frames. */
  public List<List<byte[]>> messages() {
    return new ArrayList<>(received);
  }

  /** The last frame of every message so far, as UTF-8 text. */
  public List<String> bodies() {
    List<String> bodies = new ArrayList<>();
    for (List<byte[]> frames : received) {
      bodies.add(new String(frames.get(frames.size() - 1), StandardCharsets.UTF_8));
    }
    return bodies;
  }

  private void read(SocketType type) {
    while (!closing) {
      byte[] first = socket.recv(0);
      if (first == null) {
        continue;
      }
      List<byte[]> frames = new ArrayList<>();
      frames.add(first);
      while (socket.hasReceiveMore()) {
        frames.add(socket.recv(0));
      }
      received.add(frames);
      if (type == SocketType.REP || type == SocketType.ROUTER) {
        int n = requests.getAndIncrement();
        if (silent.test(n)) {
          if (type == SocketType.REP) {
            throw new IllegalStateException("a REP peer cannot skip a reply; use a ROUTER");
          }
          continue;
        }
        if (type == SocketType.REP) {
          socket.send("ok");
        } else if (frames.size() > 2 && frames.get(1).length == 0) {
          socket.sendMore(frames.get(0));
          socket.sendMore(new byte[0]);
          socket.send("ok");
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    closing = true;
    reader.join(2_000);
    context.close();
  }
}
