package io.cwm.module.rabbitmq;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BasicProperties;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import io.cwm.amqp.PendingConfirms;
import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConfirmation;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived RabbitMQ client for one named connection, shared by every call that uses it.
 * Connects lazily, reconnects on the next call after the broker went away, declares each queue once
 * per connection (durable, not exclusive, no auto-delete), and completes a publish only when the
 * broker has confirmed it.
 *
 * <p>Used from the owning verticle's event loop only; the confirm bookkeeping is also touched
 * from the client's blocking threads and is guarded by its own lock.
 */
final class RabbitMqLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqLink.class);
  private static final int CONFIRM_QUEUE_SIZE = 100_000;

  private final Vertx vertx;
  private final String name;
  private final long confirmTimeoutMillis;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private final RabbitMQClient client;
  private final Set<String> declaredQueues = new HashSet<>();
  /** Publishes awaiting the broker's confirm, by delivery tag of the current channel. */
  private final PendingConfirms unconfirmed = new PendingConfirms();
  private Future<Void> ready;
  private boolean confirmListenerAttached;

  RabbitMqLink(Vertx vertx, String name, JsonObject connection, RabbitMQOptions options, long confirmTimeoutMillis) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.confirmTimeoutMillis = confirmTimeoutMillis;
    this.client = RabbitMQClient.create(vertx, options);
  }

  /** Client options for a {@code rabbitmq} connection (connections-json.md §4.1). */
  static RabbitMQOptions options(String host, int port, String user, String password) {
    RabbitMQOptions options = new RabbitMQOptions()
        .setHost(host)
        .setPort(port)
        .setUser(user)
        .setPassword(password)
        .setVirtualHost("/")
        .setConnectionTimeout(5_000)
        .setHandshakeTimeout(5_000)
        .setAutomaticRecoveryEnabled(false) // we reconnect ourselves, on the next call
        .setConnectionName("cwm-module-rabbitmq");
    options.setReconnectAttempts(0);
    return options;
  }

  /** Declares {@code queue} (first use) and publishes to it via the default exchange. */
  Future<Void> publish(String queue, BasicProperties properties, Buffer body) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "RabbitMQ connection is closed"));
    }
    return counted(() -> ensureReady()
        .compose(connected -> declare(queue))
        .compose(declared -> send(queue, properties, body))
        .recover(failure -> Future.failedFuture(classify(failure))));
  }

  @Override
  protected Future<Void> release() {
    failUnconfirmed(new ModuleFailure(Category.CONNECTION, "RabbitMQ connection closed before the confirm"));
    return client.stop().otherwiseEmpty();
  }

  private Future<Void> ensureReady() {
    if (ready != null && !ready.isComplete()) {
      return ready;
    }
    if (ready != null && ready.succeeded() && client.isConnected() && client.isOpenChannel()) {
      return ready;
    }
    ready = connectIfNeeded().compose(connected -> attachConfirmListener());
    return ready;
  }

  private Future<Void> connectIfNeeded() {
    if (client.isConnected()) {
      return Future.succeededFuture();
    }
    if (confirmListenerAttached) {
      LOG.warn("[connection: {}] RabbitMQ connection lost, reconnecting", name);
    }
    confirmListenerAttached = false;
    declaredQueues.clear();
    failUnconfirmed(new ModuleFailure(Category.CONNECTION, "RabbitMQ connection lost before the confirm"));
    return client.stop().otherwiseEmpty().compose(stopped -> client.start())
        .onSuccess(started -> LOG.info("[connection: {}] RabbitMQ connected", name));
  }

  /** Confirms are per channel: a new channel (after a channel error or a reconnect) needs a new listener. */
  private Future<Void> attachConfirmListener() {
    if (confirmListenerAttached && client.isOpenChannel()) {
      return Future.succeededFuture();
    }
    failUnconfirmed(new ModuleFailure(Category.CONNECTION, "RabbitMQ channel closed before the confirm"));
    return client.addConfirmListener(CONFIRM_QUEUE_SIZE).map(confirmations -> {
      confirmations.handler(this::onConfirm);
      confirmListenerAttached = true;
      return null;
    });
  }

  private Future<Void> declare(String queue) {
    if (declaredQueues.contains(queue)) {
      return Future.succeededFuture();
    }
    return client.queueDeclare(queue, true, false, false).map(ok -> {
      declaredQueues.add(queue);
      return null;
    });
  }

  private Future<Void> send(String queue, BasicProperties properties, Buffer body) {
    Promise<Void> confirmed = Promise.promise();
    long[] deliveryTag = {-1};
    return client.basicPublishWithDeliveryTag("", queue, properties, body, tag -> {
      deliveryTag[0] = tag;
      unconfirmed.add(tag, confirmed);
    }).compose(published -> {
      long timer = vertx.setTimer(confirmTimeoutMillis, id -> {
        unconfirmed.remove(deliveryTag[0], confirmed);
        confirmed.tryFail(new ModuleFailure(Category.TIMEOUT, "RabbitMQ did not confirm the message in time"));
      });
      return confirmed.future().andThen(done -> vertx.cancelTimer(timer));
    }, failure -> {
      unconfirmed.remove(deliveryTag[0], confirmed);
      return Future.failedFuture(failure);
    });
  }

  private void onConfirm(RabbitMQConfirmation confirmation) {
    List<Promise<Void>> settled = unconfirmed.settledBy(confirmation);
    for (Promise<Void> promise : settled) {
      if (confirmation.isSucceeded()) {
        promise.tryComplete();
      } else {
        promise.tryFail(new ModuleFailure(Category.UNAVAILABLE, "RabbitMQ refused the message (nack)"));
      }
    }
  }

  private void failUnconfirmed(ModuleFailure failure) {
    List<Promise<Void>> pending = unconfirmed.removeAll();
    pending.forEach(promise -> promise.tryFail(failure));
  }

  /** Types a failure: refused credentials AUTH, a channel-level refusal CONFIG, the rest CONNECTION. */
  ModuleFailure classify(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ModuleFailure typed) {
        return typed;
      }
      if (cause instanceof AuthenticationFailureException || cause instanceof PossibleAuthenticationFailureException) {
        LOG.warn("[connection: {}] RabbitMQ refused the credentials", name);
        return new ModuleFailure(Category.AUTH, "RabbitMQ refused the credentials");
      }
      if (cause instanceof ShutdownSignalException signal && !signal.isHardError()) {
        // channel-level error (404 / 403 / 406): e.g. the queue exists with other properties
        LOG.warn("[connection: {}] RabbitMQ refused the operation: {}", name, signal.getReason());
        return new ModuleFailure(Category.CONFIG, "RabbitMQ refused to declare or publish to the queue");
      }
      if (cause instanceof java.util.concurrent.TimeoutException) {
        return new ModuleFailure(Category.TIMEOUT, "RabbitMQ did not answer in time");
      }
    }
    LOG.warn("[connection: {}] RabbitMQ unreachable: {}", name, failure.toString());
    return new ModuleFailure(Category.CONNECTION, "RabbitMQ broker unreachable");
  }
}
