package io.cwm.buffer.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BasicProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.cwm.amqp.PendingConfirms;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConfirmation;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
 * <p>The client runs every AMQP call as an ordered blocking task of the context it is called
 * from, so a link may issue its calls from a context of its own (a basic.get waiting for the
 * broker then never holds up a publish); it answers on the owner's context. Link state is touched on
 * the owner's context only; the confirm bookkeeping also from the client's threads, under its lock.
 */
final class RabbitLink {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitLink.class);
  private static final long RETRY_PAUSE_MILLIS = 500;
  private static final int CONFIRM_QUEUE_SIZE = 100_000;

  private final Vertx vertx;
  /** The owner's context: every future of this link completes there. */
  private final Context context;
  /** Where the client's calls are issued (their blocking tasks queue per context). */
  private final Context callContext;
  private final Ops ops = new Ops();
  private final String name;
  private final boolean confirms;
  private final long confirmTimeoutMillis;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private final RabbitMQClient client;
  private final PendingConfirms unconfirmed = new PendingConfirms();
  private Future<Ops> connecting;
  private boolean listenerAttached;
  private boolean wasUp;
  private long generation;
  private long lastFailureMillis;
  private boolean closed;

  /**
   * @param ownCallContext issue the client's calls from a context of its own (else from the
   *     owner's: fewer hops, but they queue behind the owner's other blocking tasks)
   */
  RabbitLink(Vertx vertx, Context context, String url, String name, boolean confirms, long confirmTimeoutMillis,
      boolean ownCallContext) {
    this.vertx = vertx;
    this.context = context;
    this.callContext = ownCallContext ? ((VertxInternal) vertx).createEventLoopContext() : context;
    this.name = name;
    this.confirms = confirms;
    this.confirmTimeoutMillis = confirmTimeoutMillis;
    this.client = RabbitMQClient.create(vertx, options(url, name));
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

  /**
   * Runs {@code call} on the link's call context; its outcome is handed back on the owner's
   * context.
   */
  private <T> Future<T> call(Function<RabbitMQClient, Future<T>> call) {
    if (callContext == context && Vertx.currentContext() == context) {
      try {
        return call.apply(client);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    Promise<T> promise = Promise.promise();
    callContext.runOnContext(v -> {
      Future<T> result;
      try {
        result = call.apply(client);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> context.runOnContext(back -> promise.handle(done)));
    });
    return promise.future();
  }

  /** The connected link's AMQP calls, (re)connecting when needed. */
  Future<Ops> client() {
    if (closed) {
      return Future.failedFuture("RabbitMQ link " + name + " is closed");
    }
    if (isUp() && (!confirms || listenerAttached)) {
      return Future.succeededFuture(ops);
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
        : call(amqp -> amqp.stop().otherwiseEmpty().compose(stopped -> amqp.start()));
    connecting = connected
        .compose(up -> confirms ? attachConfirmListener() : Future.<Void>succeededFuture())
        .map(ready -> {
          generation++;
          wasUp = true;
          LOG.info("RabbitMQ buffer link {} connected", name);
          return ops;
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
    return call(amqp -> amqp.addConfirmListener(CONFIRM_QUEUE_SIZE).map(confirmations -> {
      confirmations.handler(this::onConfirm);
      return null;
    })).map(attached -> {
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
      return call(amqp -> amqp.basicPublishWithDeliveryTag(exchange, routingKey, properties, body, tag -> {
        deliveryTag[0] = tag;
        unconfirmed.add(tag, confirmed);
      })).compose(published -> {
        long timer = vertx.setTimer(confirmTimeoutMillis, id -> {
          unconfirmed.remove(deliveryTag[0], confirmed);
          confirmed.tryFail("RabbitMQ did not confirm the message in time");
        });
        return confirmed.future().andThen(done -> vertx.cancelTimer(timer));
      }, failure -> {
        unconfirmed.remove(deliveryTag[0], confirmed);
        invalidate();
        return Future.failedFuture(failure);
      });
    });
  }

  private void onConfirm(RabbitMQConfirmation confirmation) {
    List<Promise<Void>> settled = unconfirmed.settledBy(confirmation);
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
    List<Promise<Void>> pending = unconfirmed.removeAll();
    pending.forEach(promise -> promise.tryFail(why));
  }

  Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    failUnconfirmed("RabbitMQ link closed before the confirm");
    return call(amqp -> amqp.stop().otherwiseEmpty());
  }

  /** The AMQP calls the buffer makes, each run on the link's call context. */
  final class Ops {
    Future<Void> exchangeDeclare(String exchange, String type, boolean durable, boolean autoDelete) {
      return call(amqp -> amqp.exchangeDeclare(exchange, type, durable, autoDelete));
    }

    Future<Void> queueDeclare(String queue, boolean durable, boolean exclusive, boolean autoDelete,
        JsonObject arguments) {
      return call(amqp -> amqp.queueDeclare(queue, durable, exclusive, autoDelete, arguments).mapEmpty());
    }

    Future<Void> queueBind(String queue, String exchange, String routingKey) {
      return call(amqp -> amqp.queueBind(queue, exchange, routingKey));
    }

    /** Ready messages (a passive declare: fails when the queue does not exist). */
    Future<Long> messageCount(String queue) {
      return call(amqp -> amqp.messageCount(queue));
    }

    /** The next message, unacked; null when the queue is empty. */
    Future<RabbitMQMessage> basicGet(String queue, boolean autoAck) {
      return call(amqp -> amqp.basicGet(queue, autoAck));
    }

    /**
     * Up to {@code count} messages, unacked, in queue order: the gets are queued at once and run
     * back to back (one hop to and from the client's thread for the lot); fewer when the queue runs
     * empty. Fails only when the first get fails.
     */
    Future<List<RabbitMQMessage>> basicGet(String queue, int count) {
      return call(amqp -> {
        List<Future<RabbitMQMessage>> gets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          gets.add(amqp.basicGet(queue, false));
        }
        return Future.join(gets).transform(done -> {
          List<RabbitMQMessage> messages = new ArrayList<>(count);
          for (Future<RabbitMQMessage> get : gets) {
            if (get.failed()) {
              return messages.isEmpty() ? Future.failedFuture(get.cause()) : Future.succeededFuture(messages);
            }
            if (get.result() != null) {
              messages.add(get.result());
            }
          }
          return Future.succeededFuture(messages);
        });
      });
    }

    Future<Void> basicAck(long deliveryTag, boolean multiple) {
      return call(amqp -> amqp.basicAck(deliveryTag, multiple));
    }

    Future<Void> basicNack(long deliveryTag, boolean multiple, boolean requeue) {
      return call(amqp -> amqp.basicNack(deliveryTag, multiple, requeue));
    }
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
