package io.cwm.buffer.rabbitmq;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * The admin connection of the RabbitMQ buffer (declares, queue depths, DLQ browsing, the
 * {@code webhook_connect.j.*} queues), used one step at a time: a step that browses a queue holds
 * its messages unacked until it settles them, so the next step must not start before. A step
 * that failed has the link check its connection (a channel error closes the channel).
 * Used on the buffer's context only.
 */
final class AdminSteps {
  private final RabbitLink link;
  private Future<?> tail = Future.succeededFuture();

  AdminSteps(RabbitLink link) {
    this.link = link;
  }

  /** Runs {@code step} with the connected link once every step queued before it has settled. */
  <T> Future<T> run(Function<RabbitLink.Ops, Future<T>> step) {
    Future<T> run = tail.transform(previous -> link.client().compose(step))
        .andThen(done -> {
          if (done.failed()) {
            link.invalidate();
          }
        });
    tail = run.transform(done -> Future.succeededFuture());
    return run;
  }

  RabbitLink link() {
    return link;
  }
}
