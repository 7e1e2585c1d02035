package io.cwm.module.zeromq;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.zeromq.ZeroMqTarget.SocketKind;
import io.cwm.net.IpAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMonitor;

/**
 * One long-lived ZeroMQ socket (one endpoint, one socket type), connected as a client, with its
 * own thread: ZeroMQ sockets are not thread-safe and their calls block, so only this thread
 * touches the socket, and the verticle's event loop only queues messages and gets the outcomes
 * back on its context (in batches).
 *
 * <p>Every message carries a deadline (queued + the target's timeout), so a peer that is away
 * fails the whole queue within one timeout, not one timeout per message. What a success means:
 * <ul>
 *   <li>PUSH, DEALER: ZMQ_IMMEDIATE is set, so the message is only queued to a peer whose
 *       connection is up (handshake done); with no such peer (or its queue at the high-water
 *       mark) until the deadline the send fails (CONNECTION, retryable). There is no receipt: a
 *       message handed to a connection that breaks at that moment is lost with it.
 *   <li>REQ: the peer's reply arrived (any content). No reply by the deadline: CONNECTION
 *       (retryable), and the socket is closed and rebuilt on the next message (the "lazy pirate"
 *       pattern), since a REQ socket that lost its reply cannot send again.
 *   <li>PUB: handed to ZeroMQ; PUB drops messages that no subscriber takes (by design).
 * </ul>
 * The host is resolved and every address checked when the socket is built (unless allow-listed),
 * and the socket connects to the checked address.
 */
final class ZeroMqSocket {
  private static final Logger LOG = LoggerFactory.getLogger(ZeroMqSocket.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Messages waiting for this socket's thread; more are refused (UNAVAILABLE) rather than queued. */
  static final int MAX_QUEUED = 10_000;
  private static final int BATCH = 256;
  /** Blocking calls wait at most this long at a time, so that a close is noticed. */
  private static final int SLICE_MILLIS = 250;
  private static final int RECONNECT_MAX_MILLIS = 1_000;
  private static final int HEARTBEAT_MILLIS = 5_000;
  /** A TCP connection without a ZMTP handshake for this long gets the socket rebuilt (doubling up to the max). */
  private static final long HANDSHAKE_STALL_MILLIS = 750;
  private static final long HANDSHAKE_STALL_MAX_MILLIS = 6_000;
  /** On shutdown, what ZeroMQ still holds may take this long to be written. */
  private static final int CLOSE_LINGER_MILLIS = 1_000;

  private final ZContext zmq;
  private final ZeroMqTarget target;
  private final Context context;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final Thread thread;
  private volatile boolean closing;
  /** Owned by {@link #thread}. */
  private ZMQ.Socket socket;
  /**
   * Whether a peer's handshake completed and its connection has not dropped since (not for PUB):
   * set by the socket's event hook on ZeroMQ's I/O thread, read here; guarded by itself. A new
   * one per socket built, so that a late event of a closed socket cannot touch it.
   */
  private PeerState peer = new PeerState();
  /** Owned by {@link #thread}: the current handshake stall limit. */
  private long stallLimitMillis;

  private record Pending(byte[] frame, long deadlineNanos, Promise<Void> promise) {}

  private record Outcome(Promise<Void> promise, ModuleFailure failure) {}

  ZeroMqSocket(ZContext zmq, ZeroMqTarget target, Context context) {
    this.zmq = zmq;
    this.target = target;
    this.context = context;
    this.stallLimitMillis = firstStallLimit();
    this.thread = new Thread(this::run, "cwm-zeromq-" + target.socketType().name().toLowerCase(java.util.Locale.ROOT)
        + "-" + THREADS.incrementAndGet());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues one message, to be taken by a peer within {@code timeoutMillis}; completes on the owner's context. */
  Future<Void> send(byte[] frame, long timeoutMillis) {
    if (closing) {
      return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "ZeroMQ socket is closing"));
    }
    Promise<Void> promise = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    if (!queue.offer(new Pending(frame, deadline, promise))) {
      return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "ZeroMQ send queue is full"));
    }
    return promise.future();
  }

  /**
   * Stops the thread (what is queued fails) and closes the socket; blocks until a blocking call in
   * progress has ended (one slice) and the linger has passed. Not by interrupting: an interrupt in
   * a JeroMQ call closes its NIO signalling channels.
   */
  void close() {
    closing = true;
    try {
      thread.join(SLICE_MILLIS + CLOSE_LINGER_MILLIS + 1_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (!closing) {
        Pending first;
        try {
          first = queue.poll(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
        if (first == null) {
          continue;
        }
        List<Outcome> outcomes = new ArrayList<>();
        Pending next = first;
        do {
          outcomes.add(new Outcome(next.promise(), deliver(next)));
        } while (outcomes.size() < BATCH && !closing && (next = queue.poll()) != null);
        settle(outcomes);
      }
    } finally {
      List<Outcome> left = new ArrayList<>();
      for (Pending pending; (pending = queue.poll()) != null; ) {
        left.add(new Outcome(pending.promise(), new ModuleFailure(Category.UNAVAILABLE, "ZeroMQ socket closed")));
      }
      settle(left);
      closeSocket(CLOSE_LINGER_MILLIS);
    }
  }

  private void settle(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    context.runOnContext(v -> {
      for (Outcome outcome : outcomes) {
        if (outcome.failure() == null) {
          outcome.promise().tryComplete();
        } else {
          outcome.promise().tryFail(outcome.failure());
        }
      }
    });
  }

  /** Sends one message on this thread; null on success, else the failure. */
  private ModuleFailure deliver(Pending pending) {
    if (pending.deadlineNanos() - System.nanoTime() <= 0) {
      return new ModuleFailure(Category.CONNECTION, "no ZeroMQ peer took the message within the timeout");
    }
    try {
      if (socket == null) {
        ModuleFailure refused = open();
        if (refused != null) {
          return refused;
        }
      }
      return switch (target.socketType()) {
        case PUB -> socket.send(pending.frame(), ZMQ.DONTWAIT) ? null
            : new ModuleFailure(Category.UNAVAILABLE, "ZeroMQ refused the message");
        case PUSH, DEALER -> push(pending.frame(), pending.deadlineNanos());
        case REQ -> request(pending.frame(), pending.deadlineNanos());
      };
    } catch (ZMQException | zmq.ZError.IOException e) {
      LOG.warn("[module: zeromq, socket: {}] socket error {}, rebuilding it", target.socketType(), e.toString());
      closeSocket(0);
      return new ModuleFailure(Category.CONNECTION, "ZeroMQ socket error");
    }
  }

  /**
   * Sends within the deadline, in short slices so that a close is noticed; false when it never
   * went. Waits first for a peer whose handshake completed: JeroMQ attaches the pipe as soon as
   * TCP connects (libzmq waits for the handshake), so without this a listener that accepts and
   * drops connections (a proxy, a load balancer, a peer shutting down) would swallow messages.
   */
  private boolean sendBefore(byte[] frame, long deadlineNanos) {
    if (!awaitPeer(deadlineNanos)) {
      return false;
    }
    while (!closing) {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remaining <= 0) {
        return false;
      }
      socket.setSendTimeOut((int) Math.min(SLICE_MILLIS, remaining));
      if (socket.send(frame, 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits (in slices, so that a close is noticed) until a peer is up or the deadline. A TCP
   * connection whose ZMTP handshake has not completed within {@link #stallLimitMillis} gets the
   * socket rebuilt: JeroMQ 0.6.0's I/O thread can lose the read registration of a freshly
   * connected channel (its poller skips a handle whose channel still has the connecter's
   * cancelled key, and registers it only at the next registration of any socket of the context),
   * so the greeting the peer sent sits unread until something else happens on that thread.
   * Observed: a 5 s stall on loopback, ended by an unrelated socket's connect. Nothing has been
   * sent when this happens (the send waits for the handshake), so a rebuild loses nothing.
   */
  private boolean awaitPeer(long deadlineNanos) {
    while (!closing) {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (peer.awaitUp(Math.max(0, Math.min(SLICE_MILLIS, remaining)))) {
        stallLimitMillis = firstStallLimit();
        return true;
      }
      if (remaining <= 0) {
        return false;
      }
      if (peer.connectedWithoutHandshakeMillis() > stallLimitMillis) {
        LOG.info("[module: zeromq, socket: {}] connected to port {} but no handshake within {} ms, rebuilding the socket",
            target.socketType(), target.port(), stallLimitMillis);
        stallLimitMillis = Math.min(stallLimitMillis * 2, HANDSHAKE_STALL_MAX_MILLIS);
        closeSocket(0);
        if (open() != null) {
          return false;
        }
      }
    }
    return false;
  }

  /** The first stall limit: {@link #HANDSHAKE_STALL_MILLIS}, or a third of a shorter timeout (at least 100 ms). */
  private long firstStallLimit() {
    return Math.max(100, Math.min(HANDSHAKE_STALL_MILLIS, target.timeoutMillis() / 3));
  }

  /**
   * The connection state the socket's event hook reports (ZeroMQ's I/O thread calls it, in order):
   * up after a ZMTP handshake, down after a disconnect. A direct hook, not an inproc monitor
   * socket: JeroMQ may drop the monitor's first events while its pipe is being attached.
   */
  private static final class PeerState {
    private boolean up;
    /** When the TCP connection of a peer whose handshake has not completed came up; 0: none. */
    private long connectedAtNanos;

    synchronized void set(boolean value) {
      up = value;
      connectedAtNanos = 0;
      notifyAll();
    }

    synchronized void connected() {
      if (!up) {
        connectedAtNanos = System.nanoTime();
      }
    }

    /** How long a TCP connection has waited for its handshake; 0 when none waits. */
    synchronized long connectedWithoutHandshakeMillis() {
      return up || connectedAtNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAtNanos);
    }

    /** Whether a peer is up, waiting up to {@code millis} for one (0: no wait). */
    synchronized boolean awaitUp(long millis) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!up) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private ModuleFailure push(byte[] frame, long deadlineNanos) {
    return sendBefore(frame, deadlineNanos) ? null
        : new ModuleFailure(Category.CONNECTION, "no ZeroMQ peer took the message within the timeout");
  }

  private ModuleFailure request(byte[] frame, long deadlineNanos) {
    if (!sendBefore(frame, deadlineNanos)) {
      // nothing was sent: the REQ state machine still expects a send, the socket stays usable
      return new ModuleFailure(Category.CONNECTION, "no ZeroMQ peer took the request within the timeout");
    }
    byte[] reply = null;
    while (reply == null && !closing) {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remaining <= 0) {
        break;
      }
      socket.setReceiveTimeOut((int) Math.min(SLICE_MILLIS, remaining));
      reply = socket.recv(0);
    }
    if (reply == null) {
      // lazy pirate: a REQ socket waiting for a lost reply is stuck; throw it away
      LOG.warn("[module: zeromq, socket: REQ] no reply within the timeout, rebuilding the socket");
      closeSocket(0);
      // ZeroMQ hides the connection: no reply means the peer is away or lost the request (retryable)
      return new ModuleFailure(Category.CONNECTION, "ZeroMQ peer did not reply within the timeout");
    }
    while (socket.hasReceiveMore()) {
      socket.recv(0);
    }
    return null;
  }

  /** Builds and connects the socket; a failure (refused address, unknown host) leaves it unbuilt. */
  private ModuleFailure open() {
    String endpoint = target.endpoint();
    if (!target.allowListed()) {
      byte[] address;
      try {
        address = checkedAddress();
      } catch (UnknownHostException e) {
        return new ModuleFailure(Category.CONNECTION, "cannot resolve the ZeroMQ endpoint host");
      } catch (RefusedAddress refused) {
        LOG.warn("[module: zeromq] endpoint refused: {}", refused.getMessage());
        return new ModuleFailure(Category.CONFIG, "ZeroMQ endpoint address not allowed: " + refused.getMessage());
      }
      String literal = IpAddresses.format(address);
      endpoint = "tcp://" + (address.length == 16 ? "[" + literal + "]" : literal) + ":" + target.port();
    }
    ZMQ.Socket created = zmq.createSocket(switch (target.socketType()) {
      case PUB -> SocketType.PUB;
      case PUSH -> SocketType.PUSH;
      case REQ -> SocketType.REQ;
      case DEALER -> SocketType.DEALER;
    });
    created.setLinger(CLOSE_LINGER_MILLIS);
    created.setReconnectIVL(100);
    created.setReconnectIVLMax(RECONNECT_MAX_MILLIS);
    created.setHeartbeatIvl(HEARTBEAT_MILLIS);
    created.setHeartbeatTimeout(HEARTBEAT_MILLIS * 3);
    if (target.socketType() != SocketKind.PUB) {
      // ZMQ_IMMEDIATE: queue only to peers whose connection is up, so a down peer fails the send
      // instead of filling a queue. JeroMQ's own "immediate" flag means the opposite (attach the
      // pipe at once, its default); delay-attach-on-connect is libzmq's ZMQ_IMMEDIATE.
      created.setDelayAttachOnConnect(true);
      PeerState state = new PeerState();
      peer = state;
      created.setEventHook(event -> {
        if (event.getEvent() == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
          state.set(true);
        } else if (event.getEvent() == ZMonitor.Event.CONNECTED) {
          state.connected();
        } else if (event.getEvent() == ZMonitor.Event.DISCONNECTED) {
          state.set(false);
        }
      }, ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED);
    }
    if (!created.connect(endpoint)) {
      socket = created;
      closeSocket(0);
      return new ModuleFailure(Category.CONFIG, "ZeroMQ refused the endpoint");
    }
    socket = created;
    LOG.info("[module: zeromq, socket: {}] connecting to port {}", target.socketType(), target.port());
    return null;
  }

  /** The first address of the host, every address checked; throws when one is refused. */
  private byte[] checkedAddress() throws UnknownHostException {
    byte[] literal = IpAddresses.parse(target.host());
    List<byte[]> addresses = new ArrayList<>();
    if (literal != null) {
      addresses.add(literal);
    } else {
      for (InetAddress address : InetAddress.getAllByName(target.host())) {
        addresses.add(IpAddresses.parse(IpAddresses.format(address.getAddress())));
      }
    }
    for (byte[] address : addresses) {
      String problem = ZeroMqTarget.addressProblem(address, target.loopbackAllowed());
      if (problem != null) {
        throw new RefusedAddress(problem);
      }
    }
    if (addresses.isEmpty()) {
      throw new UnknownHostException("no address");
    }
    return addresses.get(0);
  }

  private void closeSocket(int lingerMillis) {
    if (socket == null) {
      return;
    }
    try {
      socket.setLinger(lingerMillis);
      zmq.destroySocket(socket);
    } catch (RuntimeException e) {
      LOG.debug("[module: zeromq] closing the socket: {}", e.toString());
    }
    socket = null;
    peer = new PeerState();
  }

  private static final class RefusedAddress extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedAddress(String message) {
      super(message, null, false, false);
    }
  }
}
