package io.cwm.bench;

import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code zeromq} with a PUSH socket against a JeroMQ PULL peer in the bench JVM (a thread reading
 * and dropping every message). Baseline: a JeroMQ PUSH socket (its own context, same socket
 * options as the module's: ZMQ_IMMEDIATE) sending the same 1 KB JSON to the same PULL in a
 * tight loop on one thread, each message built and encoded as the module must encode the payload
 * it gets. PUSH has no acknowledgement, so "in flight" does not apply to the baseline: it is
 * ZeroMQ's own ceiling for this message on this box.
 */
final class ZeroMqBenchCase implements ModuleBenchCase {
  private static final String PAD = "x".repeat(940);

  private ZContext context;
  private ZMQ.Socket pull;
  private Thread reader;
  private volatile boolean stopping;
  private final AtomicLong received = new AtomicLong();
  private int port;

  @Override
  public String name() {
    return "zeromq";
  }

  @Override
  public void start() throws Exception {
    context = new ZContext(1);
    pull = context.createSocket(SocketType.PULL);
    pull.setRcvHWM(10_000);
    port = TestServer.freePort();
    pull.bind("tcp://127.0.0.1:" + port);
    pull.setReceiveTimeOut(100);
    reader = new Thread(() -> {
      while (!stopping) {
        if (pull.recv(0) != null) {
          received.incrementAndGet();
        }
      }
    }, "bench-zeromq-pull");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "zeromq").put("module-config", new JsonObject()
        .put("endpoint", "tcp://127.0.0.1:" + port).put("socket_type", "PUSH"));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject();
  }

  @Override
  public String baselineName() {
    return "JeroMQ PUSH send loop (ZMQ_IMMEDIATE, one thread, the same 1 KB JSON built and encoded per message)"
        + " to the same PULL";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    byte[] first = message();
    try (ZContext own = new ZContext(1)) {
      ZMQ.Socket push = own.createSocket(SocketType.PUSH);
      push.setDelayAttachOnConnect(true);
      push.setSendTimeOut(1_000);
      push.connect("tcp://127.0.0.1:" + port);
      // connected once the first message goes
      push.send(first, 0);
      long sent = 0;
      long started = System.nanoTime();
      long end = started + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        for (int i = 0; i < 256; i++) {
          if (push.send(message(), 0)) {
            sent++;
          }
        }
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      own.destroySocket(push);
      return sent / elapsed;
    }
  }

  /** The bench's 1 KB JSON, built and encoded per message as the module gets and encodes it. */
  private static byte[] message() {
    return new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", PAD).toBuffer().getBytes();
  }

  @Override
  public void close() throws Exception {
    stopping = true;
    reader.join(2_000);
    context.close();
  }
}
