package io.cwm.buffer.rabbitmq;

import io.cwm.retry.RetryCurve;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BasicProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.cwm.amqp.PendingConfirms;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQConfirmation;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection (one channel) of the RabbitMQ buffer, kept up by one reconnect loop for as
 * long as the link is open. The first call connects it; from then on the link watches its
 * connection and channel ({@value #WATCH_PERIOD_MILLIS} ms) and after any failed call, and when
 * either is gone (broker killed or restarted, connection refused, closed by the broker, a
 * channel error such as a 406) it connects again: a full stop and start of the client, then the
 * confirm listener, retried after {@value #FIRST_RETRY_MILLIS} ms doubling to
 * {@value #MAX_RETRY_MILLIS} ms (plus up to {@value #JITTER_PERCENT} % jitter) for as long as it
 * fails, however it fails. Every attempt's outcome, synchronous or not, goes through
 * {@link #attemptDone}, the only place that schedules the next one. The cap is short so that a
 * broker that is back is used again within about two seconds (the recovery bound of
 * RabbitMqBrokerKillIT). Calls made while a retry is pending fail at once ({@link Unreachable});
 * calls made while an attempt runs wait for it.
 *
 * <p>No automatic recovery in the client: a recovered channel would carry delivery tags we no
 * longer know. {@link #generation()} changes whenever the connection or its channel was lost or
 * replaced, so the owner can tell that the deliveries it holds are gone (the broker requeued
 * them). With confirms, {@link #publish} completes only when the broker has confirmed the message.
 *
 * <p>The client runs every AMQP call as an ordered blocking task of the context it is called
 * from, so a link may issue its calls from a context of its own (a basic.get waiting for the
 * broker then never holds up a publish); it answers on the owner's context. Link state is touched on
 * the owner's context only; the confirm bookkeeping also from the client's threads, under its lock.
 */
final class RabbitLink {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitLink.class);
  static final long FIRST_RETRY_MILLIS = 500;
  static final long MAX_RETRY_MILLIS = 2000;
  static final int JITTER_PERCENT = 25;
  private static final RetryCurve RECONNECT =
      RetryCurve.ofMillis(FIRST_RETRY_MILLIS, 2, MAX_RETRY_MILLIS).withJitter(JITTER_PERCENT / 100.0);
  static final long WATCH_PERIOD_MILLIS = 200;
  /** While the broker stays away, a reminder at most this often (each attempt is logged at debug). */
  private static final long STILL_DOWN_LOG_MILLIS = 30_000;
  private static final int CONFIRM_QUEUE_SIZE = 100_000;

  /** IDLE: never asked to connect; WAITING: down, the next attempt is scheduled. */
  enum State { IDLE, CONNECTING, UP, WAITING, CLOSED }

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
  private State state = State.IDLE;
  /** What callers wait for while an attempt runs. */
  private Promise<Ops> attempt;
  /** Failed attempts in a row (sets the back-off); when the link went down. */
  private int failures;
  private long downSinceMillis;
  private long lastDownLogMillis;
  private long retryTimer = -1;
  private long watchTimer = -1;
  private long generation;

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
   * Client options from an AMQP URL; an empty path or "/" is the default virtual host "/" (so
   * {@code amqp://guest:guest@localhost:5672/} means vhost "/").
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
    return state == State.UP && healthy();
  }

  private boolean healthy() {
    return client.isConnected() && client.isOpenChannel();
  }

  /** Changes whenever the connection or the channel was lost or replaced. */
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

  /** Runs {@code action} on the owner's context. */
  private void onOwner(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * The connected link's AMQP calls: at once when up, after the running attempt when
   * connecting, a failed {@link Unreachable} while the next attempt is pending. The first call
   * starts the link's reconnect loop. Call on the owner's context.
   */
  Future<Ops> client() {
    switch (state) {
      case CLOSED:
        return Future.failedFuture("RabbitMQ link " + name + " is closed");
      case UP:
        if (healthy()) {
          return Future.succeededFuture(ops);
        }
        lost("connection or channel closed");
        return attempt.future();
      case CONNECTING:
        return attempt.future();
      case WAITING:
        return Future.failedFuture(new Unreachable());
      default: // IDLE
        watchTimer = vertx.setPeriodic(WATCH_PERIOD_MILLIS, id -> onOwner(this::watch));
        downSinceMillis = System.currentTimeMillis();
        connect();
        return attempt.future();
    }
  }

  private void watch() {
    if (state == State.UP && !healthy()) {
      lost("connection or channel closed");
    }
  }

  /** The link was up and is not any more: whatever was delivered on it went back to the broker. */
  private void lost(String why) {
    if (state != State.UP) {
      return;
    }
    generation++;
    failUnconfirmed("RabbitMQ channel closed before the confirm");
    failures = 0;
    downSinceMillis = System.currentTimeMillis();
    lastDownLogMillis = downSinceMillis;
    LOG.warn("RabbitMQ buffer link {} lost ({}): reconnecting", name, why);
    connect();
  }

  /** One connection attempt: stop whatever is left of the last connection, start, attach confirms. */
  private void connect() {
    state = State.CONNECTING;
    Promise<Ops> waiting = Promise.promise();
    attempt = waiting;
    Future<Void> connected;
    try {
      connected = call(amqp -> amqp.stop().otherwiseEmpty().compose(stopped -> amqp.start()))
          .compose(up -> confirms ? attachConfirmListener() : Future.succeededFuture());
    } catch (RuntimeException e) {
      connected = Future.failedFuture(e);
    }
    // the outcome may already be known here: attemptDone must not depend on anything set after this line
    connected.onComplete(done -> onOwner(() -> attemptDone(waiting, done)));
  }

  /** Settles one attempt: the link is up, or the next attempt is scheduled. */
  private void attemptDone(Promise<Ops> waiting, AsyncResult<Void> done) {
    if (state == State.CLOSED) {
      waiting.tryFail("RabbitMQ link " + name + " is closed");
      call(amqp -> amqp.stop().otherwiseEmpty());
      return;
    }
    if (done.succeeded() && healthy()) {
      state = State.UP;
      generation++;
      if (failures > 0) {
        LOG.info("RabbitMQ buffer link {} connected after {} failed attempt(s), {} ms without a connection", name,
            failures, System.currentTimeMillis() - downSinceMillis);
      } else {
        LOG.info("RabbitMQ buffer link {} connected", name);
      }
      failures = 0;
      waiting.tryComplete(ops);
      return;
    }
    String cause = done.failed() ? String.valueOf(done.cause()) : "channel closed right after connecting";
    failures++;
    long delay = retryDelayMillis(failures, ThreadLocalRandom.current().nextInt(JITTER_PERCENT + 1));
    long now = System.currentTimeMillis();
    if (failures == 1 || now - lastDownLogMillis >= STILL_DOWN_LOG_MILLIS) {
      lastDownLogMillis = now;
      LOG.warn("RabbitMQ buffer link {} cannot connect ({} attempt(s), {} ms down): {}; retrying every {} ms at most",
          name, failures, now - downSinceMillis, cause, MAX_RETRY_MILLIS);
    } else {
      LOG.debug("RabbitMQ buffer link {} cannot connect (attempt {}): {}; next in {} ms", name, failures, cause, delay);
    }
    state = State.WAITING;
    retryTimer = vertx.setTimer(delay, id -> onOwner(() -> {
      retryTimer = -1;
      if (state == State.WAITING) {
        connect();
      }
    }));
    waiting.tryFail(new Unreachable());
  }

  /**
   * Delay before the next attempt after {@code failures} failed ones in a row: the first retry
   * after {@value #FIRST_RETRY_MILLIS} ms, doubling up to {@value #MAX_RETRY_MILLIS} ms, plus
   * {@code jitterPercent} percent.
   */
  static long retryDelayMillis(int failures, int jitterPercent) {
    return RECONNECT.delayMillis(failures - 1, jitterPercent / (double) JITTER_PERCENT);
  }

  /** Confirms are per channel: a new channel needs a new listener. */
  private Future<Void> attachConfirmListener() {
    return call(amqp -> amqp.addConfirmListener(CONFIRM_QUEUE_SIZE).map(confirmations -> {
      confirmations.handler(this::onConfirm);
      return null;
    }));
  }

  /** Checks the link after a failed call (a channel error closes the channel): reconnects when it is down. */
  void invalidate() {
    if (state == State.UP && !healthy()) {
      lost("a call failed on a closed connection or channel");
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

  /** Stops the reconnect loop and closes the connection. */
  Future<Void> close() {
    if (state == State.CLOSED) {
      return Future.succeededFuture();
    }
    boolean started = state != State.IDLE;
    state = State.CLOSED;
    vertx.cancelTimer(retryTimer);
    vertx.cancelTimer(watchTimer);
    if (attempt != null) {
      attempt.tryFail("RabbitMQ link " + name + " is closed");
    }
    failUnconfirmed("RabbitMQ link closed before the confirm");
    return started ? call(amqp -> amqp.stop().otherwiseEmpty()) : Future.succeededFuture();
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

    /**
     * Starts a consumer (manual acks) of {@code queue} with at most {@code prefetch} unacked
     * deliveries (basic.qos per consumer); {@code handler} runs on the link's call context for
     * each delivery.
     */
    Future<RabbitMQConsumer> basicConsume(String queue, int prefetch, Handler<RabbitMQMessage> handler) {
      return call(amqp -> amqp.basicQos(prefetch, false)
          .compose(qos -> amqp.basicConsumer(queue, new QueueOptions().setAutoAck(false)))
          .map(consumer -> consumer.handler(handler)));
    }

    /** basic.cancel of a consumer (a blocking RPC, so on a worker); its unacked deliveries stay ours. */
    Future<Void> basicCancel(RabbitMQConsumer consumer) {
      return call(amqp -> callContext.executeBlocking(() -> {
        consumer.cancel();
        return null;
      }));
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

  /** Failed fast: the link is down and its next connection attempt is scheduled (each attempt is logged). */
  static final class Unreachable extends RuntimeException {
    Unreachable() {
      super("RabbitMQ unreachable (reconnecting)", null, false, false);
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
