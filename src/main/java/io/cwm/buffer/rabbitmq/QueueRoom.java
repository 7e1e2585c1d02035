package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * {@code max_queue_size} of a webhook queue as this receiver enforces it: a publish (or a replay)
 * is let through only while broker ready count + deliveries held here + publishes in progress
 * here stays below the limit. The broker's count is read through the admin steps and reused for
 * {@value #DEPTH_CACHE_MILLIS} ms while the queue is far from full. With {@code brokerLimits} the
 * broker enforces the limit too (x-max-length, reject-publish): its refusal (a publisher nack)
 * is QUEUE_FULL as well. Used on the buffer's context only.
 */
final class QueueRoom {
  /** How long a broker depth may be reused (while far from the limit). */
  private static final long DEPTH_CACHE_MILLIS = 1000;

  private final Clock clock;
  private final AdminSteps admin;
  private final boolean brokerLimits;

  QueueRoom(Clock clock, AdminSteps admin, boolean brokerLimits) {
    this.clock = clock;
    this.admin = admin;
    this.brokerLimits = brokerLimits;
  }

  /**
   * Runs {@code publish} when the queue has room, counted as in progress until it completes.
   * Fails with QUEUE_FULL when there is no room or the broker refused the message for its limit.
   * {@code client}: read the broker depth with it directly (inside an admin step), else through
   * the admin steps.
   */
  <T> Future<T> publish(ChannelState channel, QueueState queue, RabbitLink.Ops client, Supplier<Future<T>> publish) {
    return reserve(channel, queue, client).compose(room -> {
      Future<T> published;
      try {
        published = publish.get();
      } catch (RuntimeException e) {
        published = Future.failedFuture(e);
      }
      return published.andThen(done -> {
        queue.publishing--;
        if (done.succeeded()) {
          queue.confirmed++;
        }
      });
    }).recover(failure -> Future.failedFuture(failure instanceof RabbitLink.Nacked && brokerLimits
        ? full(channel.spec.name(), queue) : failure));
  }

  /** Whether a failure of {@link #publish} means the queue is full. */
  static boolean full(Throwable failure) {
    return failure instanceof BufferException refused && refused.reason() == Reason.QUEUE_FULL;
  }

  /**
   * Counts the queue's depth (broker ready + held here + being published here) and reserves a
   * publishing slot when it is below max_queue_size.
   */
  private Future<Void> reserve(ChannelState channel, QueueState queue, RabbitLink.Ops client) {
    return brokerDepth(channel, queue, client).compose(ready -> {
      long depth = ready + channel.heldOf(queue.webhookId) + queue.publishing;
      if (depth >= queue.maxQueueSize) {
        return Future.failedFuture(full(channel.spec.name(), queue));
      }
      queue.publishing++;
      return Future.succeededFuture();
    });
  }

  private static BufferException full(String channel, QueueState queue) {
    return new BufferException(Reason.QUEUE_FULL, "queue of webhook " + queue.webhookId + " on channel " + channel
        + " holds max_queue_size " + queue.maxQueueSize + " messages");
  }

  /**
   * The broker's ready count: the cached one plus our confirmed publishes since it was read, while
   * it is recent and the queue far from full (an over-estimate unless another receiver publishes
   * meanwhile), else read now.
   */
  private Future<Long> brokerDepth(ChannelState channel, QueueState queue, RabbitLink.Ops client) {
    if (queue.brokerReady >= 0 && clock.millis() - queue.brokerReadAtMillis < DEPTH_CACHE_MILLIS) {
      long estimate = queue.brokerReady + (queue.confirmed - queue.confirmedAtRead);
      if (estimate + channel.heldOf(queue.webhookId) + queue.publishing < queue.maxQueueSize * 3L / 4) {
        return Future.succeededFuture(estimate);
      }
    }
    return readDepth(queue, client);
  }

  /** Reads the broker's ready count now (and caches it); plus our publishes confirmed meanwhile. */
  Future<Long> readDepth(QueueState queue, RabbitLink.Ops client) {
    long mark = queue.confirmed;
    Future<Long> count = client != null ? client.messageCount(queue.name)
        : admin.run(ops -> ops.messageCount(queue.name));
    return count.map(ready -> {
      queue.brokerReady = ready;
      queue.brokerReadAtMillis = clock.millis();
      queue.confirmedAtRead = mark;
      return ready + (queue.confirmed - mark);
    });
  }
}
