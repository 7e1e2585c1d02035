package io.cwm.amqp;

import io.vertx.core.Promise;
import io.vertx.rabbitmq.RabbitMQConfirmation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Publishes awaiting the broker's publisher confirm, by delivery tag of one AMQP channel (used
 * by the rabbitmq module and the RabbitMQ buffer). Tags are registered on the client's threads
 * and confirms arrive there, so every method locks. The caller completes or fails the returned
 * promises itself, with its own failure types and on its own context.
 */
public final class PendingConfirms {
  private final NavigableMap<Long, Promise<Void>> pending = new TreeMap<>();

  public synchronized void add(long deliveryTag, Promise<Void> confirmed) {
    pending.put(deliveryTag, confirmed);
  }

  /** Forgets one publish (it failed or timed out) unless its tag now belongs to another. */
  public synchronized void remove(long deliveryTag, Promise<Void> confirmed) {
    pending.remove(deliveryTag, confirmed);
  }

  /** Removes and returns the publishes a confirm (or nack) settles: one tag, or all up to it. */
  public synchronized List<Promise<Void>> settledBy(RabbitMQConfirmation confirmation) {
    long tag = confirmation.getDeliveryTag();
    Map<Long, Promise<Void>> range = confirmation.isMultiple()
        ? pending.headMap(tag, true)
        : pending.subMap(tag, true, tag, true);
    List<Promise<Void>> settled = new ArrayList<>(range.values());
    range.clear();
    return settled;
  }

  /** Removes and returns every pending publish (the channel or connection is gone). */
  public synchronized List<Promise<Void>> removeAll() {
    List<Promise<Void>> all = new ArrayList<>(pending.values());
    pending.clear();
    return all;
  }
}
