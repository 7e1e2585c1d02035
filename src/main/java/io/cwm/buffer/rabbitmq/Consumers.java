package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ buffer's consumers, one per webhook queue of a channel that a session of this
 * receiver wants (Python's consumer layout: basic.qos, manual acks, basic.consume per queue), on
 * the {@code deliveries} connection. Pushed messages reach the buffer's context in bursts (one
 * hop for whatever came meanwhile). A consumer lives as long as its connection: after a reconnect
 * {@link #running} is false until it is started again. Used on the buffer's context, but for the
 * pushes, which come on the link's call context.
 */
final class Consumers {
  private static final Logger LOG = LoggerFactory.getLogger(Consumers.class);
  private static final int MAX_PREFETCH = 2000;

  /** A message pushed on the deliveries connection of {@code generation}. */
  record Arrival(ChannelState channel, QueueState queue, RabbitMQMessage message, long generation) {}

  private final Context context;
  private final RabbitLink deliveries;
  private final Consumer<List<Arrival>> onArrivals;
  private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** @param onArrivals gets the pushed messages on {@code context}, in the order they came */
  Consumers(Context context, RabbitLink deliveries, Consumer<List<Arrival>> onArrivals) {
    this.context = context;
    this.deliveries = deliveries;
    this.onArrivals = onArrivals;
  }

  /**
   * Unacked deliveries the broker may push to one consumer (Python's takes 100): a session's
   * window in flight and one more waiting, never more than {@value #MAX_PREFETCH}. An ordered
   * channel holds ten windows: deliveries parked behind their key's head wait here, and other
   * keys must still find their messages behind them.
   */
  static int prefetch(ChannelSpec spec) {
    return Math.min(MAX_PREFETCH, (spec.ordered() ? 10 : 2) * spec.maxInFlight());
  }

  /** Whether every queue of the channel has a consumer on the connection that is up now. */
  boolean running(ChannelState channel) {
    return deliveries.isUp() && channel.consuming(deliveries.generation());
  }

  /** Starts the consumers the channel's queues lack (none twice, one per connection). */
  void start(ChannelState channel) {
    for (QueueState queue : channel.queues.values()) {
      if (queue.subscribing || queue.consumer != null && queue.consumerGeneration == deliveries.generation()) {
        continue;
      }
      queue.subscribing = true;
      queue.consumer = null;
      deliveries.client().compose(client -> {
        long generation = deliveries.generation();
        return client.basicConsume(queue.name, prefetch(channel.spec),
                message -> pushed(new Arrival(channel, queue, message, generation)))
            .map(consumer -> {
              queue.consumer = consumer;
              queue.consumerGeneration = generation;
              return consumer;
            });
      }).onComplete(done -> {
        queue.subscribing = false;
        if (done.failed()) {
          deliveries.invalidate();
          LOG.debug("RabbitMQ basic.consume failed [channel: {}, queue: {}]: {}", channel.spec.name(), queue.name,
              done.cause().toString());
        }
      });
    }
  }

  /**
   * Cancels the channel's consumers (basic.cancel); completes when the broker confirmed it: what
   * they were pushed stays unacked here, nothing more comes.
   */
  Future<Void> stop(ChannelState channel) {
    List<RabbitMQConsumer> running = new ArrayList<>();
    for (QueueState queue : channel.queues.values()) {
      if (queue.consumer != null) {
        if (queue.consumerGeneration == deliveries.generation()) {
          running.add(queue.consumer);
        }
        queue.consumer = null;
      }
    }
    if (running.isEmpty()) {
      return Future.succeededFuture();
    }
    return deliveries.client()
        .compose(client -> Future.join(running.stream().map(client::basicCancel).toList()))
        .mapEmpty();
  }

  /** On the link's call context: queued for the buffer's context, one hop for a burst. */
  private void pushed(Arrival arrival) {
    arrivals.add(arrival);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        scheduled.set(false);
        List<Arrival> burst = new ArrayList<>();
        for (Arrival next = arrivals.poll(); next != null; next = arrivals.poll()) {
          burst.add(next);
        }
        onArrivals.accept(burst);
      });
    }
  }
}
