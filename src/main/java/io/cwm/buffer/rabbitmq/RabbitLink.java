package io.cwm.buffer.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BasicProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConfirmation;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection (one channel) of the RabbitMQ buffer. Connects lazily and again on the
 * next call after the broker went away (no automatic recovery: a recovered channel would carry
 * delivery tags we no longer know), failing fast for {@value #RETRY_PAUSE_MILLIS} ms after a
 * failed attempt. {@link #generation()} changes whenever the connection or its channel was
 * replaced, so the owner can tell that the deliveries it holds are gone (the broker requeued
 * them). With confirms, {@link #publish} completes only when the broker has confirmed the
 * message.
 *
 * <p>Used from one Vert.x context; the confirm bookkeeping is also touched from the client's
 * threads and is guarded by its own lock.
 */
final class RabbitLink {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitLink.class);
  private static final long RETRY_PAUSE_MILLIS = 500;
  private static final int CONFIRM_QUEUE_SIZE = 100_000;

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final boolean confirms;
  private final long confirmTimeoutMillis;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private final RabbitMQClient client;
  private final NavigableMap<Long, Promise<Void>> unconfirmed = new TreeMap<>();
  private Future<RabbitMQClient> connecting;
  private boolean listenerAttached;
  private boolean wasUp;
  private long generation;
  private long lastFailureMillis;
  private boolean closed;

  RabbitLink(Vertx vertx, Context context, String url, String name, boolean confirms, long confirmTimeoutMillis) {
    this.vertx = vertx;
    this.context = context;
    this.name = name;
    this.confirms = confirms;
    this.confirmTimeoutMillis = confirmTimeoutMillis;
    this.client = RabbitMQClient.create(vertx, options(url, "cwm-buffer-" + name));
  }

  /**
   * Client options from an AMQP URL; an empty path or "/" is the default virtual host "/" (as
   * Python's client reads {@code amqp://guest:guest@localhost:5672/}).
   */
  static RabbitMQOptions options(String url, String connectionName) {
    URI uri = URI.create(url);
    boolean tls = "amqps".equalsIgnoreCase(uri.getScheme());
    String user = "guest";
    String password = "guest";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String virtualHost = path.isEmpty() || "/".equals(path) ? "/" : decode(path.substring(1));
    RabbitMQOptions options = new RabbitMQOptions()
        .setHost(uri.getHost() == null ? "localhost" : uri.getHost())
        .setPort(uri.getPort() > 0 ? uri.getPort() : tls ? 5671 : 5672)
        .setUser(user)
        .setPassword(password)
        .setVirtualHost(virtualHost)
        .setConnectionTimeout(2_000)
        .setHandshakeTimeout(5_000)
        .setRequestedHeartbeat(10)
        .setAutomaticRecoveryEnabled(false)
        .setConnectionName(connectionName);
    options.setSsl(tls);
    options.setReconnectAttempts(0);
    return options;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** Whether the connection and its channel are open now. */
  boolean isUp() {
    return !closed && client.isConnected() && client.isOpenChannel();
  }

  /** Changes whenever the connection or the channel was replaced (or found closed). */
  long generation() {
    return generation;
  }

  /** The connected client, (re)connecting when needed. */
  Future<RabbitMQClient> client() {
    if (closed) {
      return Future.failedFuture("RabbitMQ link " + name + " is closed");
    }
    if (isUp() && (!confirms || listenerAttached)) {
      return Future.succeededFuture(client);
    }
    if (connecting != null) {
      return connecting;
    }
    if (wasUp) {
      // connection or channel lost: whatever was delivered on it went back to the broker
      generation++;
      wasUp = false;
      listenerAttached = false;
      failUnconfirmed("RabbitMQ channel closed before the confirm");
    }
    if (System.currentTimeMillis() - lastFailureMillis < RETRY_PAUSE_MILLIS) {
      return Future.failedFuture(new Unreachable());
    }
    Future<Void> connected = client.isConnected() ? Future.succeededFuture()
        : client.stop().otherwiseEmpty().compose(stopped -> client.start());
    connecting = connected
        .compose(up -> confirms ? attachConfirmListener() : Future.<Void>succeededFuture())
        .map(ready -> {
          generation++;
          wasUp = true;
          LOG.info("RabbitMQ buffer link {} connected", name);
          return client;
        })
        .andThen(done -> {
          connecting = null;
          if (done.failed()) {
            lastFailureMillis = System.currentTimeMillis();
            LOG.warn("RabbitMQ buffer link {} cannot connect: {}", name, done.cause().toString());
          }
        });
    return connecting;
  }

  /** Confirms are per channel: a new channel needs a new listener. */
  private Future<Void> attachConfirmListener() {
    return client.addConfirmListener(CONFIRM_QUEUE_SIZE).map(confirmations -> {
      confirmations.handler(this::onConfirm);
      listenerAttached = true;
      return null;
    });
  }

  /** Marks the link as broken after a failed call (a channel error closes the channel). */
  void invalidate() {
    if (wasUp && !isUp()) {
      generation++;
      wasUp = false;
      listenerAttached = false;
      failUnconfirmed("RabbitMQ channel closed before the confirm");
    }
  }

  /** Fails the publishes awaiting a confirm when the connection is gone (called periodically). */
  void check() {
    if (wasUp && !isUp()) {
      invalidate();
    }
  }

  /** Publishes and completes when the broker confirmed (a nack fails with {@link Nacked}). */
  Future<Void> publish(String exchange, String routingKey, BasicProperties properties, Buffer body) {
    if (!confirms) {
      throw new IllegalStateException("link " + name + " has no publisher confirms");
    }
    return client().compose(ready -> {
      Promise<Void> confirmed = Promise.promise();
      long[] deliveryTag = {-1};
      return client.basicPublishWithDeliveryTag(exchange, routingKey, properties, body, tag -> {
        deliveryTag[0] = tag;
        synchronized (unconfirmed) {
          unconfirmed.put(tag, confirmed);
        }
      }).compose(published -> {
        long timer = vertx.setTimer(confirmTimeoutMillis, id -> {
          synchronized (unconfirmed) {
            unconfirmed.remove(deliveryTag[0], confirmed);
          }
          confirmed.tryFail("RabbitMQ did not confirm the message in time");
        });
        return confirmed.future().andThen(done -> vertx.cancelTimer(timer));
      }, failure -> {
        synchronized (unconfirmed) {
          unconfirmed.remove(deliveryTag[0], confirmed);
        }
        invalidate();
        return Future.failedFuture(failure);
      });
    });
  }

  private void onConfirm(RabbitMQConfirmation confirmation) {
    List<Promise<Void>> settled = new ArrayList<>();
    synchronized (unconfirmed) {
      Map<Long, Promise<Void>> range = confirmation.isMultiple()
          ? unconfirmed.headMap(confirmation.getDeliveryTag(), true)
          : unconfirmed.subMap(confirmation.getDeliveryTag(), true, confirmation.getDeliveryTag(), true);
      settled.addAll(range.values());
      range.clear();
    }
    if (settled.isEmpty()) {
      return;
    }
    context.runOnContext(v -> settled.forEach(promise -> {
      if (confirmation.isSucceeded()) {
        promise.tryComplete();
      } else {
        promise.tryFail(new Nacked());
      }
    }));
  }

  private void failUnconfirmed(String why) {
    List<Promise<Void>> pending;
    synchronized (unconfirmed) {
      pending = new ArrayList<>(unconfirmed.values());
      unconfirmed.clear();
    }
    pending.forEach(promise -> promise.tryFail(why));
  }

  Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    failUnconfirmed("RabbitMQ link closed before the confirm");
    return client.stop().otherwiseEmpty();
  }

  /** The broker refused a published message (basic.nack), e.g. a full queue with reject-publish. */
  static final class Nacked extends RuntimeException {
    Nacked() {
      super("RabbitMQ refused the message (nack)", null, false, false);
    }
  }

  /** Failed fast: the last connection attempt failed moments ago (logged then). */
  static final class Unreachable extends RuntimeException {
    Unreachable() {
      super("RabbitMQ unreachable (retrying shortly)", null, false, false);
    }
  }

  /** Whether a failure is the broker's channel-level 406 PRECONDITION_FAILED (e.g. inequivalent arg). */
  static boolean preconditionFailed(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ShutdownSignalException signal && !signal.isHardError()
          && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 406) {
        return true;
      }
    }
    return false;
  }
}
