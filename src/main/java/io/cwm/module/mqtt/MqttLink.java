package io.cwm.module.mqtt;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker connection for one named {@code mqtt} connection, shared by every call that uses
 * it. Opened on first use and again on demand after it closed (the broker went away, a publish
 * was not acknowledged in time); never reconnected in the background. Used from the owning
 * verticle's event loop only.
 *
 * <p>A publish completes when the protocol confirms it: QoS 1 on the broker's PUBACK, QoS 2 on
 * its PUBCOMP, QoS 0 once the packet is written to the socket (QoS 0 has no confirmation). At
 * most {@value #WINDOW} QoS 1/2 publishes are unacknowledged at a time; later calls wait in
 * order (at most {@value #MAX_WAITING}; beyond that they fail as UNAVAILABLE). Every wait is
 * bounded: connecting (TCP, TLS, CONNACK) by {@value #CONNECT_TIMEOUT_MS} ms, an
 * acknowledgement by {@value #ACK_TIMEOUT_MS} ms, checked every second (then the connection is
 * dropped, since a broker that does not ack is not trusted with the next message either).
 *
 * <p>Each connection is a fresh vertx-mqtt client (its packet-id bookkeeping is not reset by a
 * close); a connection that closes fails its unacknowledged publishes as CONNECTION (retryable:
 * the broker may or may not have the message, so a retry can duplicate it: at least once).
 */
final class MqttLink extends ConnectionLink {
  static final int WINDOW = 256;
  static final int MAX_WAITING = 10_000;
  static final int CONNECT_TIMEOUT_MS = 5_000;
  static final int ACK_TIMEOUT_MS = 10_000;
  private static final long ACK_TIMEOUT_NANOS = ACK_TIMEOUT_MS * 1_000_000L;
  private static final long DEADLINE_CHECK_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(MqttLink.class);
  /** Broker connections opened per connection name since the JVM started (tests check reuse). */
  private static final Map<String, AtomicInteger> OPENED = new ConcurrentHashMap<>();

  private final Vertx vertx;
  private final String name;
  private final MqttConnection settings;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private Session session;
  /** QoS 1/2 publishes sent and not yet acknowledged, over every session. */
  private int unacknowledged;

  MqttLink(Vertx vertx, String name, JsonObject connection, MqttConnection settings) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.settings = settings;
  }

  static int connectionsOpened(String connectionName) {
    AtomicInteger count = OPENED.get(connectionName);
    return count == null ? 0 : count.get();
  }

  /** Publishes one message; completes as the class comment says. */
  Future<Void> publish(String topic, Buffer message, MqttQoS qos, boolean retained) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "MQTT link is closed"));
    }
    return counted(() -> {
      if (qos == MqttQoS.AT_MOST_ONCE) {
        return connected().compose(ready -> ready.send(topic, message, qos, retained));
      }
      Waiting call = new Waiting(topic, message, qos, retained, Promise.promise());
      if (unacknowledged < WINDOW && waiting.isEmpty()) {
        send(call);
      } else if (waiting.size() >= MAX_WAITING) {
        return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "too many MQTT messages waiting"));
      } else {
        waiting.add(call);
      }
      return call.done().future();
    });
  }

  /** Sends a QoS 1/2 publish in the window; its completion lets the next waiting one go. */
  private void send(Waiting call) {
    if (isClosed()) {
      call.done().tryFail(new ModuleFailure(Category.UNAVAILABLE, "MQTT link is closed"));
      return;
    }
    unacknowledged++;
    connected().compose(ready -> ready.send(call.topic(), call.message(), call.qos(), call.retained()))
        .onComplete(outcome -> {
          unacknowledged--;
          Waiting next = waiting.poll();
          if (next != null) {
            send(next);
          }
          call.done().handle(outcome);
        });
  }

  /** The open session, or the one being opened, or a new one. */
  private Future<Session> connected() {
    if (session == null || session.closed) {
      session = new Session();
      session.open();
    }
    return session.ready;
  }

  @Override
  protected Future<Void> release() {
    Session current = session;
    session = null;
    ModuleFailure closing = new ModuleFailure(Category.UNAVAILABLE, "MQTT link closed");
    List<Waiting> left = new ArrayList<>(waiting);
    waiting.clear();
    left.forEach(call -> call.done().tryFail(closing));
    return current == null ? Future.succeededFuture() : current.close(closing);
  }

  /** A QoS 1/2 publish written and not yet acknowledged. */
  private record Pending(Promise<Void> promise, long deadline) {}

  /** A QoS 1/2 publish waiting for room in the window. */
  private record Waiting(String topic, Buffer message, MqttQoS qos, boolean retained, Promise<Void> done) {}

  /** One broker connection: its client, its unacknowledged publishes by packet id. */
  private final class Session {
    private final MqttClient client;
    private final Promise<Session> opened = Promise.promise();
    private final Future<Session> ready = opened.future();
    /** By packet id, in the order written (so the first is the oldest). */
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();
    private long deadlines = -1;
    /** Acks that arrived before their publish's write completed (kept until it does). */
    private final Set<Integer> early = new HashSet<>();
    private boolean closed;

    Session() {
      client = MqttClient.create(vertx, options(settings));
    }

    void open() {
      client.publishCompletionHandler(this::acknowledged);
      deadlines = vertx.setPeriodic(DEADLINE_CHECK_MS, id -> checkDeadlines());
      client.closeHandler(closed -> close(new ModuleFailure(Category.CONNECTION,
          "MQTT connection closed before the broker acknowledged")));
      client.exceptionHandler(failure -> LOG.debug("[connection: {}] MQTT client error: {}", name, failure.toString()));
      long timer = vertx.setTimer(CONNECT_TIMEOUT_MS, id -> close(new ModuleFailure(Category.TIMEOUT,
          "MQTT broker did not accept the connection in time")));
      Future<?> connecting = settings.tls() ? client.connect(settings.port(), settings.host(), settings.host())
          : client.connect(settings.port(), settings.host());
      connecting.onComplete(done -> {
        vertx.cancelTimer(timer);
        if (done.succeeded() && closed) {
          client.disconnect(); // connected after the connect timeout gave up on it
        } else if (done.succeeded()) {
          OPENED.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
          LOG.info("[connection: {}] MQTT connected as {}", name, client.clientId());
          opened.tryComplete(this);
        } else {
          LOG.warn("[connection: {}] MQTT connect failed: {}", name, done.cause().toString());
          close(MqttFailures.classify(done.cause()));
        }
      });
    }

    Future<Void> send(String topic, Buffer message, MqttQoS qos, boolean retained) {
      if (closed) {
        return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "MQTT connection closed"));
      }
      if (qos == MqttQoS.AT_MOST_ONCE) {
        return client.publish(topic, message, qos, false, retained).<Void>mapEmpty()
            .recover(failure -> Future.failedFuture(MqttFailures.classify(failure)));
      }
      Promise<Void> acked = Promise.promise();
      client.publish(topic, message, qos, false, retained).onComplete(written -> {
        if (written.failed()) {
          acked.tryFail(MqttFailures.classify(written.cause()));
        } else if (early.remove(written.result())) {
          acked.tryComplete();
        } else if (closed) {
          acked.tryFail(new ModuleFailure(Category.CONNECTION, "MQTT connection closed before the broker acknowledged"));
        } else {
          pending.put(written.result(), new Pending(acked, System.nanoTime() + ACK_TIMEOUT_NANOS));
        }
      });
      return acked.future();
    }

    /**
     * The acknowledgement deadline, checked once a second rather than with a timer per publish
     * (a timer each costs more than the publish): publishes are written in order, so the
     * oldest unacknowledged one is the first of {@link #pending}.
     */
    private void checkDeadlines() {
      java.util.Iterator<Pending> oldest = pending.values().iterator();
      if (oldest.hasNext() && oldest.next().deadline() - System.nanoTime() < 0) {
        close(new ModuleFailure(Category.TIMEOUT, "MQTT broker did not acknowledge in time"));
      }
    }

    private void acknowledged(int packetId) {
      Pending acked = pending.remove(packetId);
      if (acked != null) {
        acked.promise().tryComplete();
      } else {
        early.add(packetId);
      }
    }

    /** Closes once: fails what waits on this connection with {@code failure}. */
    Future<Void> close(ModuleFailure failure) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      opened.tryFail(failure);
      vertx.cancelTimer(deadlines);
      List<Pending> unanswered = new ArrayList<>(pending.values());
      pending.clear();
      early.clear();
      unanswered.forEach(call -> call.promise().tryFail(failure));
      if (!unanswered.isEmpty()) {
        LOG.warn("[connection: {}] MQTT connection closed with {} publishes unacknowledged", name,
            unanswered.size());
      }
      if (client.isConnected()) {
        return client.disconnect().otherwiseEmpty();
      }
      return Future.succeededFuture();
    }
  }

  /** The vertx-mqtt options of one connection (a new client id each time when none is configured). */
  static MqttClientOptions options(MqttConnection settings) {
    MqttClientOptions options = new MqttClientOptions()
        .setClientId(settings.newClientId())
        .setCleanSession(true)
        .setKeepAliveInterval(settings.keepAliveSeconds())
        .setAutoKeepAlive(settings.keepAliveSeconds() > 0)
        .setMaxInflightQueue(WINDOW + 1) // our window bounds it; the client's own limit never refuses
        .setAckTimeout(-1);
    options.setConnectTimeout(CONNECT_TIMEOUT_MS);
    if (settings.username() != null) {
      options.setUsername(settings.username());
    }
    if (settings.password() != null) {
      options.setPassword(settings.password());
    }
    if (settings.tls()) {
      options.setSsl(true);
      if (settings.tlsInsecure()) {
        options.setTrustAll(true);
        options.setHostnameVerificationAlgorithm("");
      } else {
        options.setHostnameVerificationAlgorithm("HTTPS");
      }
      if (settings.caCertFile() != null && !settings.tlsInsecure()) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(settings.caCertFile()));
      }
      if (settings.certFile() != null) {
        options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(settings.certFile())
            .setKeyPath(settings.keyFile()));
      }
    }
    return options;
  }
}
