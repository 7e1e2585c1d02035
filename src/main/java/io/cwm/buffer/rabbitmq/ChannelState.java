package io.cwm.buffer.rabbitmq;

import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.vertx.rabbitmq.RabbitMQConsumer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What this receiver knows about one channel: its webhook queues and the deliveries it holds
 * (unacked at the broker: leased, waiting for a retry, or released); its entry in the
 * {@link StateStore}. Touched on the buffer's context only.
 */
final class ChannelState {
  ChannelSpec spec;
  final Map<String, QueueState> queues = new LinkedHashMap<>();
  /** By message id, in the order they were first held. */
  final Map<String, Held> held = new LinkedHashMap<>();
  /** The channel's token, sequence and counter state. */
  final StateStore.Entry stored;
  /** Until when a session of this node wants the channel's messages (its consumers run until then). */
  long interestUntilMillis;
  /** Leases that found nothing waiting and wait for the broker's next push. */
  final Deque<ParkedLease> parked = new ArrayDeque<>();

  ChannelState(ChannelSpec spec, StateStore.Entry stored) {
    this.spec = spec;
    this.stored = stored;
  }

  /** Held deliveries of one webhook queue (leased or waiting): they count towards its size. */
  int heldOf(String webhookId) {
    int count = 0;
    for (Held delivery : held.values()) {
      if (delivery.webhookId.equals(webhookId)) {
        count++;
      }
    }
    return count;
  }

  /** Held, not leased, deliveries of one webhook queue (released or waiting for a retry). */
  long waitingOf(String webhookId) {
    long count = 0;
    for (Held delivery : held.values()) {
      if (delivery.owner == null && delivery.webhookId.equals(webhookId)) {
        count++;
      }
    }
    return count;
  }

  long leased() {
    return held.values().stream().filter(delivery -> delivery.owner != null).count();
  }

  /** Whether a delivery waits here for a lease at {@code nowMillis}. */
  boolean hasWaiting(long nowMillis) {
    return !leasable(nowMillis, 1).isEmpty();
  }

  /**
   * Up to {@code limit} held deliveries a lease may take at {@code nowMillis}, in the order held:
   * not leased, due, and, when they have an ordering key, the first delivery of their key held
   * here (the broker delivers a queue in publish order and requeues in place; a key's newer
   * deliveries wait behind its head, leased or waiting for its redelivery).
   */
  List<Held> leasable(long nowMillis, int limit) {
    List<Held> due = new ArrayList<>();
    Set<String> keysSeen = null;
    for (Held delivery : held.values()) {
      String key = delivery.envelope.extras().orderingKey();
      if (key != null) {
        if (keysSeen == null) {
          keysSeen = new HashSet<>();
        }
        if (!keysSeen.add(key)) {
          continue;
        }
      }
      if (delivery.owner == null && delivery.notBeforeMillis <= nowMillis) {
        due.add(delivery);
        if (due.size() == limit) {
          break;
        }
      }
    }
    return due;
  }

  /** Whether {@code delivery} is the first delivery of its ordering key held here (true without a key). */
  boolean firstOfKey(Held delivery) {
    String key = delivery.envelope.extras().orderingKey();
    if (key == null) {
      return true;
    }
    for (Held other : held.values()) {
      if (key.equals(other.envelope.extras().orderingKey())) {
        return other == delivery;
      }
    }
    return true;
  }

  /** Whether a consumer of one of the channel's queues is being started. */
  boolean subscribing() {
    for (QueueState queue : queues.values()) {
      if (queue.subscribing) {
        return true;
      }
    }
    return false;
  }

  /** Whether every webhook queue of the channel has a consumer on the deliveries connection of {@code generation}. */
  boolean consuming(long generation) {
    for (QueueState queue : queues.values()) {
      if (queue.consumer == null || queue.consumerGeneration != generation) {
        return false;
      }
    }
    return true;
  }

  /** One webhook's queue: names, limits and the cached broker depth. */
  static final class QueueState {
    final String webhookId;
    final String name;
    final String deadLetterName;
    final String routingKey;
    long ttlSeconds;
    int maxQueueSize;
    /** Publishes (and replays) in progress and confirmed, for the depth estimate. */
    int publishing;
    long confirmed;
    /** Ready count read from the broker, when, and {@link #confirmed} when the read started. */
    long brokerReady = -1;
    long brokerReadAtMillis;
    long confirmedAtRead;
    /** Ready count the broker reported with the last basic.get (sizes the next batch of gets). */
    long readyAfterGet;
    /** This node's consumer of the queue (null: none), the deliveries connection it runs on, one being started. */
    RabbitMQConsumer consumer;
    long consumerGeneration = -1;
    boolean subscribing;
    /** Messages in the DLQ as far as this node knows (-1: not yet looked); a difference means news. */
    long deadLettersKnown = -1;

    QueueState(String channel, ChannelSpec.Queue queue) {
      this.webhookId = queue.webhookId();
      this.name = RabbitLayout.queue(channel, queue.webhookId());
      this.deadLetterName = RabbitLayout.deadLetterQueue(channel, queue.webhookId());
      this.routingKey = RabbitLayout.routingKey(channel, queue.webhookId());
      this.ttlSeconds = queue.ttlSeconds();
      this.maxQueueSize = queue.maxQueueSize();
    }

    void forgetDepth() {
      brokerReady = -1;
    }
  }

  /** A delivery of our consumer channel, unacked at the broker. */
  static final class Held {
    final String messageId;
    final String webhookId;
    final Envelope envelope;
    final long deliveryTag;
    final long generation;
    /** Deliveries so far, this one included when leased. */
    int deliveries;
    /** Session holding the lease, or null when waiting here for the next lease. */
    String owner;
    long leaseDeadlineMillis;
    long notBeforeMillis;
    /** A dead-lettering that failed (broker away) and is done again at the next lease. */
    String deadLetterReason;

    Held(String messageId, String webhookId, Envelope envelope, long deliveryTag, long generation, int deliveries) {
      this.messageId = messageId;
      this.webhookId = webhookId;
      this.envelope = envelope;
      this.deliveryTag = deliveryTag;
      this.generation = generation;
      this.deliveries = deliveries;
    }
  }
}
