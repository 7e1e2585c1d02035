package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.Futures.await;
import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The parts of one RabbitMQ buffer (links, admin steps, state store, queue room, dead-letter
 * queues) wired as {@link RabbitMqBuffer} wires them, without the buffer, for tests of one part
 * against the machine's broker ({@link RabbitBroker#URL}). Calls run on the parts' context
 * ({@link #on}); its clock can be moved on ({@link #advance}).
 */
final class RabbitParts implements AutoCloseable {
  final Context context;
  final String process = "test-" + UUID.randomUUID().toString().substring(0, 8);
  final RabbitLink publisher;
  final AdminSteps admin;
  final StateStore store;
  final QueueRoom room;
  final DeadLetterQueues deadLetterQueues;
  private final MovableClock clock = new MovableClock();

  RabbitParts(Vertx vertx) {
    context = vertx.getOrCreateContext();
    publisher = new RabbitLink(vertx, context, RabbitBroker.URL, process + "-publish", true, 5000, false);
    admin = new AdminSteps(new RabbitLink(vertx, context, RabbitBroker.URL, process + "-admin", false, 0, true));
    store = new StateStore(vertx, context, clock, process, publisher, admin);
    room = new QueueRoom(clock, admin, false);
    deadLetterQueues = new DeadLetterQueues(clock, publisher, admin, room, store);
  }

  /** The channel as the buffer's open registers it (its queues must be declared already). */
  ChannelState channel(ChannelSpec spec) {
    ChannelState channel = new ChannelState(spec, store.register(spec.name()));
    spec.queues().values().forEach(queue -> channel.queues.put(queue.webhookId(), new QueueState(spec.name(), queue)));
    return channel;
  }

  /** Runs {@code call} on the parts' context and waits for its outcome. */
  <T> T on(Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(promise));
    return await(promise.future());
  }

  /** Runs {@code action} on the parts' context and waits until it ran. */
  void run(Runnable action) {
    on(() -> {
      action.run();
      return Future.succeededFuture();
    });
  }

  void advance(long millis) {
    clock.millis += millis;
  }


  /** Flushes the counters, then closes the links. */
  @Override
  public void close() {
    on(() -> store.close().transform(done -> Future.join(publisher.close(), admin.link().close())).mapEmpty());
  }

  /** The system clock plus an offset the test moves on. */
  private static final class MovableClock extends Clock {
    volatile long millis;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(System.currentTimeMillis() + millis);
    }
  }
}
