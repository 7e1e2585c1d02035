package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.Envelope;
import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel's dead-letter queues ({@code webhook_connect.{channel}.{webhook_id}.dlq}, fed by
 * {@code webhook_connect.dlx}). Java's dead letters are published there with the reason headers
 * {@code x-cwm-reason} and {@code x-cwm-dead-lettered-at} (confirmed) before the original is
 * acked; the broker's own (TTL expiry, another receiver's basic.reject: {@code x-death}) are
 * adopted once into that format, so each dead letter is counted once. Listing, replay and delete
 * browse the DLQs (basic.get, unacked, on one admin step) and put back what they did not settle.
 * This receiver remembers how many dead letters each DLQ holds ({@link QueueState#deadLettersKnown});
 * a different broker count means the broker made new ones. Used on the buffer's context only.
 */
final class DeadLetterQueues {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueues.class);
  /** Dead letters looked at per admin call. */
  private static final int BROWSE_LIMIT = 10_000;

  private final Clock clock;
  private final RabbitLink publisher;
  private final AdminSteps admin;
  private final QueueRoom room;
  private final StateStore store;

  DeadLetterQueues(Clock clock, RabbitLink publisher, AdminSteps admin, QueueRoom room, StateStore store) {
    this.clock = clock;
    this.publisher = publisher;
    this.admin = admin;
    this.room = room;
    this.store = store;
  }

  /**
   * Dead-letters a message: publishes {@code dead} to the DLX with Java's reason headers
   * (confirmed), then {@code settleOriginal} (the ack of the delivery), then counts it.
   */
  Future<Void> add(ChannelState channel, QueueState queue, Envelope dead, String reason,
      Supplier<Future<?>> settleOriginal) {
    return publisher.publish(RabbitLayout.DEAD_LETTER_EXCHANGE, queue.routingKey,
            RabbitLayout.deadLetterProperties(dead, queue.webhookId, reason, clock.instant()),
            Buffer.buffer(dead.toJson().encode()))
        .compose(published -> settleOriginal.get())
        .map(settled -> {
          if (queue.deadLettersKnown >= 0) {
            queue.deadLettersKnown++;
          }
          store.countDeadLetter(channel.stored, reason);
          LOG.debug("Message dead-lettered [channel: {}, message_id: {}, reason: {}]", channel.spec.name(),
              dead.messageId(), reason);
          return null;
        });
  }

  /**
   * Adopts the dead letters the broker made since the last look: reads every DLQ's count and,
   * when one differs from what this receiver knows, {@link #adopt}s.
   */
  Future<Void> adoptNew(ChannelState channel) {
    List<QueueState> queues = new ArrayList<>(channel.queues.values());
    List<Future<Long>> counts = queues.stream()
        .map(queue -> admin.run(client -> client.messageCount(queue.deadLetterName))).toList();
    return Future.all(counts).compose(read -> {
      for (int i = 0; i < queues.size(); i++) {
        if (queues.get(i).deadLettersKnown != counts.get(i).result()) {
          return adopt(channel);
        }
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Counts the dead letters the broker made (TTL expiry; another receiver's basic.reject): each
   * is republished to the DLX with Java's reason headers in its place, so it is counted once
   * (expired, or dead-lettered), and stays listed, replayable and deletable.
   */
  private Future<Void> adopt(ChannelState channel) {
    List<QueueState> queues = new ArrayList<>(channel.queues.values());
    return admin.run(client -> browse(client, channel).compose(letters -> {
      Set<Long> settled = new HashSet<>();
      Future<Void> adopted = Future.succeededFuture();
      for (DeadLetter letter : letters) {
        if (letter.javaMade()) {
          continue;
        }
        QueueState queue = queues.get(letter.queueIndex());
        adopted = adopted.compose(done -> publisher.publish(RabbitLayout.DEAD_LETTER_EXCHANGE, queue.routingKey,
                RabbitLayout.adoptedProperties(letter.message().properties(), letter.reason(), letter.deadLetteredAt()),
                letter.message().body()))
            .compose(published -> client.basicAck(letter.deliveryTag(), false))
            .onSuccess(acked -> {
              settled.add(letter.deliveryTag());
              store.countDeadLetter(channel.stored, letter.reason());
            });
      }
      return adopted.transform(done -> requeue(client, letters, settled).map(requeued -> {
        if (done.succeeded()) {
          for (int i = 0; i < queues.size(); i++) {
            int index = i;
            queues.get(i).deadLettersKnown = letters.stream().filter(letter -> letter.queueIndex() == index).count();
          }
        }
        return null;
      }));
    }));
  }

  /** The admin items of every DLQ of the channel, newest first (browsed, then requeued). */
  Future<List<JsonObject>> list(ChannelState channel, int limit) {
    return admin.run(client -> browse(client, channel).compose(letters -> {
      List<DeadLetter> newestFirst = new ArrayList<>(letters);
      newestFirst.sort(DeadLetter.OLDEST_FIRST.reversed());
      List<JsonObject> items = newestFirst.stream().limit(limit).map(DeadLetter::item).toList();
      return requeue(client, letters, Set.of()).map(items);
    }));
  }

  /**
   * Republishes dead letters oldest first to their webhook's queue as fresh messages (same
   * message id and sequence, delivery_count 0, expires_at = now + TTL; confirmed) and then acks
   * the DLQ copy. Stops at the first full queue; the rest stays in the DLQs. {@code wanted} null:
   * all of them.
   */
  Future<List<String>> replay(ChannelState channel, Set<String> wanted) {
    return admin.run(client -> browse(client, channel).compose(letters -> {
      List<DeadLetter> oldestFirst = new ArrayList<>(letters);
      oldestFirst.sort(DeadLetter.OLDEST_FIRST);
      List<String> replayed = new ArrayList<>();
      Set<Long> settled = new HashSet<>();
      return replayFrom(client, channel, oldestFirst, 0, wanted, replayed, settled)
          .transform(done -> requeue(client, letters, settled)
              .transform(requeued -> done.succeeded() ? Future.succeededFuture(List.copyOf(replayed))
                  : Future.failedFuture(done.cause())));
    })).onSuccess(replayed -> LOG.info("Dead letters replayed [channel: {}, count: {}]", channel.spec.name(),
        replayed.size()));
  }

  private Future<Void> replayFrom(RabbitLink.Ops client, ChannelState channel, List<DeadLetter> letters, int index,
      Set<String> wanted, List<String> replayed, Set<Long> settled) {
    if (index == letters.size()) {
      return Future.succeededFuture();
    }
    DeadLetter letter = letters.get(index);
    QueueState queue = channel.queues.get(letter.webhookId());
    if (letter.messageId() == null || letter.envelope() == null || queue == null
        || (wanted != null && !wanted.contains(letter.messageId()))) {
      return replayFrom(client, channel, letters, index + 1, wanted, replayed, settled);
    }
    if (replayed.contains(letter.messageId())) { // a second copy of a message queued again already
      return client.basicAck(letter.deliveryTag(), false).compose(acked -> {
        settled.add(letter.deliveryTag());
        return replayFrom(client, channel, letters, index + 1, wanted, replayed, settled);
      });
    }
    JsonObject body = letter.envelope().copy()
        .put("expires_at", Envelope.format(clock.instant().plusSeconds(queue.ttlSeconds)))
        .put("delivery_count", 0)
        .put("state", "pending");
    Envelope fresh = Envelope.fromJson(body);
    return room.publish(channel, queue, client, () -> publisher.publish(RabbitLayout.EXCHANGE, queue.routingKey,
            RabbitLayout.properties(fresh, queue.webhookId), Buffer.buffer(body.encode())))
        .compose(published -> client.basicAck(letter.deliveryTag(), false))
        .compose(acked -> {
          settled.add(letter.deliveryTag());
          replayed.add(letter.messageId());
          queue.deadLettersKnown = Math.max(-1, queue.deadLettersKnown - 1);
          return replayFrom(client, channel, letters, index + 1, wanted, replayed, settled);
        })
        .recover(failure -> QueueRoom.full(failure) ? Future.succeededFuture() : Future.failedFuture(failure));
  }

  /** Drops every DLQ copy of the message; false when there was none. */
  Future<Boolean> delete(ChannelState channel, String messageId) {
    return admin.run(client -> browse(client, channel).compose(letters -> {
      List<DeadLetter> matches = letters.stream().filter(letter -> messageId.equals(letter.messageId())).toList();
      Set<Long> settled = new HashSet<>();
      Future<Void> acks = Future.succeededFuture();
      for (DeadLetter match : matches) {
        acks = acks.compose(done -> client.basicAck(match.deliveryTag(), false))
            .onSuccess(done -> {
              settled.add(match.deliveryTag());
              QueueState queue = new ArrayList<>(channel.queues.values()).get(match.queueIndex());
              queue.deadLettersKnown = Math.max(-1, queue.deadLettersKnown - 1);
            });
      }
      return acks.transform(done -> requeue(client, letters, settled)
          .transform(requeued -> done.succeeded() ? Future.succeededFuture(!matches.isEmpty())
              : Future.failedFuture(done.cause())));
    })).onSuccess(deleted -> {
      if (deleted) {
        LOG.info("Dead letter deleted [channel: {}, message_id: {}]", channel.spec.name(), messageId);
      }
    });
  }

  /** Gets every message of the channel's DLQs without acking (up to {@value #BROWSE_LIMIT}). */
  private Future<List<DeadLetter>> browse(RabbitLink.Ops client, ChannelState channel) {
    List<QueueState> queues = new ArrayList<>(channel.queues.values());
    List<DeadLetter> letters = new ArrayList<>();
    return browseQueue(client, queues, 0, 0, letters).map(letters);
  }

  private Future<Void> browseQueue(RabbitLink.Ops client, List<QueueState> queues, int queueIndex, int position,
      List<DeadLetter> letters) {
    if (queueIndex == queues.size() || letters.size() >= BROWSE_LIMIT) {
      return Future.succeededFuture();
    }
    QueueState queue = queues.get(queueIndex);
    return client.basicGet(queue.deadLetterName, false).compose(message -> {
      if (message == null) {
        return browseQueue(client, queues, queueIndex + 1, 0, letters);
      }
      letters.add(DeadLetter.of(queueIndex, position, queue.webhookId, message));
      boolean last = message.messageCount() != null && message.messageCount() == 0;
      return last ? browseQueue(client, queues, queueIndex + 1, 0, letters)
          : browseQueue(client, queues, queueIndex, position + 1, letters);
    });
  }

  /** Puts back every browsed message not settled: one basic.nack (multiple, requeue) up to the last tag. */
  private static Future<Void> requeue(RabbitLink.Ops client, List<DeadLetter> letters, Set<Long> settled) {
    long last = letters.stream().mapToLong(DeadLetter::deliveryTag).filter(tag -> !settled.contains(tag))
        .max().orElse(-1);
    return last < 0 ? Future.succeededFuture() : client.basicNack(last, true, true);
  }
}
