package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.TokenState;
import io.cwm.buffer.rabbitmq.ChannelState.Held;
import io.cwm.buffer.rabbitmq.ChannelState.QueueState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageBuffer} on RabbitMQ, with exactly the layout of spec §5.1
 * ({@link RabbitLayout}), which Python receivers on the same broker share, and Java's delivery
 * model (§4.12). This class holds the deliveries. While a session of this node wants a channel's
 * messages (a lease, ack or nack in the last {@value #CONSUMER_IDLE_MILLIS} ms) each of its webhook
 * queues has a consumer ({@link Consumers}: basic.consume, manual acks, a prefetch window): the
 * broker pushes messages ahead of the leases, which take them from memory, and a push wakes the
 * stream ({@link #onReady}). When the channel goes quiet here its consumers are cancelled and what
 * they prefetched goes back to the broker, so another receiver's connectors get it. A lease made
 * before the consumers run pulls with basic.get. A message leased here stays an unacked delivery
 * of the {@code deliveries} connection until it is acked, dead-lettered or that connection is lost
 * (the broker requeues it; its local state is dropped, so a late ack answers false). Nack retries,
 * releases and expired leases keep the delivery here with a not-before time (no broker requeue,
 * no hot loop). Leases are local to this node.
 *
 * <p>Its parts: three {@link RabbitLink}s ({@code publish} with confirms, {@code deliveries},
 * {@code admin} used through {@link AdminSteps}), so a channel error on one (a 406 on a
 * re-declare) never requeues what another holds; {@link QueueRoom} ({@code max_queue_size});
 * {@link DeadLetterQueues} (the DLQs); {@link StateStore} (tokens, sequence blocks, counters).
 * Every call runs on the context the buffer was created on.
 */
public final class RabbitMqBuffer implements MessageBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqBuffer.class);
  private static final long CONFIRM_TIMEOUT_MILLIS = 5000;
  private static final long HOUSEKEEPING_PERIOD_MILLIS = 2000;
  private static final long DEAD_LETTER_RETRY_MILLIS = 1000;
  /** Delivery counts kept of messages given back to the broker (connection lost). */
  private static final int GIVEN_BACK_LIMIT = 100_000;
  /** basic.gets sent at once per queue and lease (never more than the lease asks for). */
  private static final int GET_BATCH = 32;
  /** A channel's consumers stop this long after its last lease, ack or nack here. */
  static final long CONSUMER_IDLE_MILLIS = 2000;

  private final Vertx vertx;
  private final Context context;
  private final Clock clock;
  private final boolean brokerLimits;
  /** Tells this buffer's connections apart in the broker's connection list. */
  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final RabbitLink publisher;
  private final RabbitLink deliveries;
  private final AdminSteps admin;
  private final StateStore store;
  private final QueueRoom room;
  private final DeadLetterQueues deadLetterQueues;
  private final Map<String, ChannelState> channels = new HashMap<>();
  private final Map<String, Integer> givenBack = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > GIVEN_BACK_LIMIT;
    }
  };
  private final Consumers consumers;
  private final DedupClaims dedup;
  private Consumer<String> readyListener = channel -> { };
  private long heldGeneration = -1;
  private long housekeepingTimer = -1;
  private int rotation;
  private boolean closing;
  private boolean closed;

  /**
   * @param brokerLimits also declare {@code x-max-length}/{@code reject-publish} (outside the shared
   *     layout: do not share the broker with a Python receiver then)
   */
  public RabbitMqBuffer(Vertx vertx, String url, Clock clock, boolean brokerLimits) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.clock = clock;
    this.brokerLimits = brokerLimits;
    // publishes are the hot path: issued from the buffer's context (its blocking queue holds
    // nothing else); gets/acks and admin calls wait for the broker, so from contexts of their own
    this.publisher = new RabbitLink(vertx, context, url, connectionName("publish"), true, CONFIRM_TIMEOUT_MILLIS,
        false);
    this.deliveries = new RabbitLink(vertx, context, url, connectionName("deliveries"), false, 0, true);
    this.admin = new AdminSteps(new RabbitLink(vertx, context, url, connectionName("admin"), false, 0, true));
    String process = "p" + ProcessHandle.current().pid() + "-" + instance;
    this.store = new StateStore(vertx, context, clock, process, publisher, admin);
    this.room = new QueueRoom(clock, admin, brokerLimits);
    this.deadLetterQueues = new DeadLetterQueues(clock, publisher, admin, room, store);
    this.consumers = new Consumers(context, deliveries, this::takeArrivals);
    this.dedup = new DedupClaims(vertx, clock, publisher, admin);
  }

  /** The client-provided name of one of this buffer's connections, as the broker lists it. */
  String connectionName(String link) {
    return "cwm-buffer-" + instance + "-" + link;
  }

  // ------------------------------------------------------------------------------------ plumbing

  private <T> Future<T> onContext(Supplier<Future<T>> body) {
    if (Vertx.currentContext() == context) {
      return guarded(body);
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> guarded(body).onComplete(promise));
    return promise.future();
  }

  private static <T> Future<T> guarded(Supplier<Future<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private <T> Future<T> unavailable(Throwable cause) {
    if (cause instanceof BufferException) {
      return Future.failedFuture(cause);
    }
    if (cause instanceof RabbitLink.Unreachable) {
      LOG.debug("RabbitMQ buffer call failed: {}", cause.getMessage());
    } else {
      LOG.warn("RabbitMQ buffer call failed: {}", cause.toString());
    }
    return Future.failedFuture(new BufferException(Reason.UNAVAILABLE, "message buffer unavailable"));
  }

  private static <T> Future<T> unknown(ChannelSpec spec) {
    return Future.failedFuture(new BufferException(Reason.UNKNOWN_CHANNEL, "unknown channel " + spec.name()));
  }

  private <T> Future<T> withChannel(ChannelSpec spec, Function<ChannelState, Future<T>> body) {
    return onContext(() -> {
      ChannelState channel = channels.get(spec.name());
      if (channel == null) {
        return unknown(spec);
      }
      if (closed) {
        return Future.failedFuture(new BufferException(Reason.UNAVAILABLE, "message buffer closed"));
      }
      dropLostDeliveries();
      return body.apply(channel).recover(this::unavailable);
    });
  }

  // ----------------------------------------------------------------------------- open and close

  /**
   * Registers the channels (also when the broker is down: calls then fail UNAVAILABLE, not
   * UNKNOWN_CHANNEL), declares the exchanges and, per webhook, the DLQ then the queue with
   * the shared layout's arguments (a queue that exists with other arguments is kept: see
   * {@link #declare}), and the state queue; then creates or aligns the token state and reserves
   * a block of sequence numbers. May be called again with more channels.
   */
  @Override
  public Future<Void> open(Collection<ChannelSpec> specs) {
    return onContext(() -> {
      if (closed) {
        return Future.failedFuture(new BufferException(Reason.UNAVAILABLE, "message buffer closed"));
      }
      List<ChannelState> opened = new ArrayList<>();
      dedup.warnIfLocal(specs);
      for (ChannelSpec spec : specs) {
        ChannelState channel = channels.computeIfAbsent(spec.name(),
            name -> new ChannelState(spec, store.register(name)));
        channel.spec = spec;
        for (ChannelSpec.Queue queue : spec.queues().values()) {
          QueueState known = channel.queues.get(queue.webhookId());
          if (known == null) {
            channel.queues.put(queue.webhookId(), new QueueState(spec.name(), queue));
          } else {
            known.ttlSeconds = queue.ttlSeconds();
            known.maxQueueSize = queue.maxQueueSize();
          }
        }
        opened.add(channel);
      }
      if (housekeepingTimer < 0) {
        housekeepingTimer = vertx.setPeriodic(HOUSEKEEPING_PERIOD_MILLIS, id -> housekeeping());
      }
      return admin.run(client -> declareExchanges(client).compose(done -> declareChannels(client, opened, 0)))
          .compose(declared -> Future.all(opened.stream().map(channel -> store.align(channel.stored, channel.spec))
              .toList()))
          .compose(aligned -> dedup.load(opened.stream().map(channel -> channel.spec).toList()))
          .<Void>mapEmpty()
          .onSuccess(done -> LOG.info("RabbitMQ buffer open [channels: {}, queue limits: {}]",
              opened.stream().map(channel -> channel.spec.name()).toList(), brokerLimits ? "broker" : "receiver"))
          .recover(this::unavailable);
    });
  }

  private Future<Void> declareExchanges(RabbitLink.Ops client) {
    return client.exchangeDeclare(RabbitLayout.EXCHANGE, RabbitLayout.EXCHANGE_TYPE, true, false)
        .compose(done -> client.exchangeDeclare(RabbitLayout.DEAD_LETTER_EXCHANGE, RabbitLayout.EXCHANGE_TYPE, true,
            false));
  }

  private Future<Void> declareChannels(RabbitLink.Ops client, List<ChannelState> opened, int index) {
    if (index == opened.size()) {
      return Future.succeededFuture();
    }
    ChannelState channel = opened.get(index);
    String name = channel.spec.name();
    Future<Void> steps = Future.succeededFuture();
    for (QueueState queue : channel.queues.values()) {
      steps = steps
          .compose(done -> declare(client, name, queue.webhookId, queue.deadLetterName,
              RabbitLayout.deadLetterQueueArguments()))
          .compose(done -> client.queueBind(queue.deadLetterName, RabbitLayout.DEAD_LETTER_EXCHANGE, queue.routingKey))
          .compose(done -> declare(client, name, queue.webhookId, queue.name, RabbitLayout.queueArguments(name,
              queue.webhookId, queue.ttlSeconds, brokerLimits, queue.maxQueueSize)))
          .compose(done -> client.queueBind(queue.name, RabbitLayout.EXCHANGE, queue.routingKey));
    }
    if (channel.spec.queues().values().stream().anyMatch(ChannelSpec.Queue::deduplicates)) {
      steps = steps.compose(done -> declare(client, name, null, RabbitLayout.dedupQueue(name),
          RabbitLayout.dedupQueueArguments()));
    }
    return steps
        .compose(done -> declare(client, name, null, RabbitLayout.stateQueue(name), RabbitLayout.stateQueueArguments()))
        .compose(done -> declare(client, name, null, RabbitLayout.countsQueue(name), RabbitLayout.countsQueueArguments()))
        .compose(done -> declareChannels(client, opened, index + 1));
  }

  /**
   * Declares a durable queue. When it exists with other arguments (406 PRECONDITION_FAILED, e.g.
   * {@code ttl_seconds} changed since it was declared)
   * the existing queue is kept (passive declare) and an error says it needs a migration; the
   * configured TTL still holds through {@code expires_at}, which is checked at every lease.
   */
  private Future<Void> declare(RabbitLink.Ops client, String channel, String webhookId, String queue,
      JsonObject arguments) {
    return client.queueDeclare(queue, true, false, false, arguments).<Void>mapEmpty().recover(failure -> {
      if (!RabbitLink.preconditionFailed(failure)) {
        return Future.failedFuture(failure);
      }
      admin.link().invalidate(); // the 406 closed the channel: the link reconnects, then the passive declare
      return admin.link().client().compose(reconnected -> reconnected.messageCount(queue)).<Void>mapEmpty()
          .onSuccess(exists -> LOG.error(
              "[channel: {}, webhook_id: {}] queue {} exists with other arguments than configured {}: keeping the "
                  + "existing queue. Messages past the configured ttl_seconds are still never delivered "
                  + "(expires_at), but the broker keeps the queue's own x-message-ttl; applying the new arguments "
                  + "needs a queue migration (drain the queue, delete it, restart)", channel, webhookId, queue,
              arguments.encode()));
    });
  }

  /** Writes this process's counters, then closes the connections (the broker requeues what this node held). */
  @Override
  public Future<Void> close() {
    return onContext(() -> {
      if (closing) {
        return Future.succeededFuture();
      }
      closing = true;
      vertx.cancelTimer(housekeepingTimer);
      channels.values().forEach(channel -> {
        channel.parked.forEach(ParkedLease::abandon);
        channel.parked.clear();
      });
      return store.close().transform(flushed -> {
        closed = true;
        return Future.join(publisher.close(), deliveries.close(), admin.link().close());
      }).mapEmpty();
    });
  }

  private void housekeeping() {
    if (closing) {
      return;
    }
    dropLostDeliveries();
    stopIdleConsumers();
    store.compactWhereDue();
  }

  @Override
  public void onReady(Consumer<String> listener) {
    readyListener = listener;
  }

  // ---------------------------------------------------------------------------------- consumers

  /** Whether every webhook queue of the channel has a running consumer (tests; read from any thread). */
  boolean consuming(String channel) {
    ChannelState state = channels.get(channel);
    return state != null && consumers.running(state);
  }

  /** A session here wants the channel's messages: its consumers run for another {@value #CONSUMER_IDLE_MILLIS} ms. */
  private void wanted(ChannelState channel) {
    channel.interestUntilMillis = clock.millis() + CONSUMER_IDLE_MILLIS;
  }

  /** Holds the pushed deliveries, serves the leases waiting for them and wakes the stream for the rest. */
  private void takeArrivals(List<Consumers.Arrival> arrivals) {
    dropLostDeliveries();
    Set<ChannelState> fed = new HashSet<>();
    for (Consumers.Arrival arrival : arrivals) {
      if (closed || arrival.generation() != deliveries.generation()) {
        continue; // delivered on a connection that is gone: the broker has it back
      }
      if (hold(arrival.channel(), arrival.queue(), arrival.message()) != null) {
        fed.add(arrival.channel());
      }
    }
    for (ChannelState channel : fed) {
      for (ParkedLease parked : new ArrayList<>(channel.parked)) {
        if (!channel.hasWaiting(clock.millis())) {
          break;
        }
        parked.feed();
      }
      if (channel.parked.isEmpty() && channel.hasWaiting(clock.millis())) {
        readyListener.accept(channel.spec.name());
      }
    }
  }

  /**
   * Cancels the consumers of channels no session here wanted for {@value #CONSUMER_IDLE_MILLIS} ms,
   * then gives back (basic.nack, requeue) what waits here unleased, so the broker delivers it to a
   * receiver whose connectors want it.
   */
  private void stopIdleConsumers() {
    long now = clock.millis();
    for (ChannelState channel : channels.values()) {
      if (now >= channel.interestUntilMillis) {
        consumers.stop(channel).onComplete(stopped -> {
          if (clock.millis() >= channel.interestUntilMillis) {
            giveBack(channel);
          }
        });
      }
    }
  }

  private void giveBack(ChannelState channel) {
    if (!deliveries.isUp() || channel.held.isEmpty()) {
      return;
    }
    long generation = deliveries.generation();
    long now = clock.millis();
    List<Held> waiting = new ArrayList<>();
    for (Held held : channel.held.values()) {
      if (held.owner == null && held.deadLetterReason == null && held.notBeforeMillis <= now
          && held.generation == generation) {
        waiting.add(held);
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    waiting.forEach(held -> {
      channel.held.remove(held.messageId);
      givenBack.put(held.messageId, held.deliveries);
    });
    deliveries.client().onSuccess(client -> waiting.forEach(held -> client.basicNack(held.deliveryTag, false, true)));
    LOG.debug("[channel: {}] no session here: {} waiting message(s) given back to the broker", channel.spec.name(),
        waiting.size());
  }

  // ------------------------------------------------------------------------------------- publish

  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope) {
    return publish(spec, envelope, envelope.storedHead());
  }

  /**
   * With a dedup key and window, through {@link DedupClaims} (the records are not in the broker:
   * see there what is atomic).
   */
  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope, byte[] storedHead) {
    ChannelSpec.Queue queue = spec.queue(envelope.webhookId());
    String dedupKey = envelope.extras().dedupKey();
    if (dedupKey == null || queue == null || !queue.deduplicates()) {
      return store(spec, envelope, storedHead);
    }
    return dedup.publishOnce(envelope, dedupKey, queue.dedupWindowSeconds() * 1000,
        () -> onContext(() -> store(spec, envelope, storedHead)));
  }

  private Future<Envelope> store(ChannelSpec spec, Envelope envelope, byte[] storedHead) {
    return onContext(() -> {
      ChannelState channel = channels.get(spec.name());
      QueueState queue = channel == null ? null : channel.queues.get(envelope.webhookId());
      if (queue == null) {
        return Future.failedFuture(new BufferException(Reason.UNKNOWN_CHANNEL,
            "no queue for webhook " + envelope.webhookId() + " on channel " + spec.name()));
      }
      if (closing) {
        return Future.failedFuture(new BufferException(Reason.UNAVAILABLE, "message buffer closed"));
      }
      dropLostDeliveries();
      return room.publish(channel, queue, null, () -> store.nextSequence(channel.stored).compose(sequence -> {
        Envelope stamped = envelope.withSequence(sequence);
        Buffer body = Buffer.buffer(Envelope.stored(storedHead, sequence));
        if (body.length() > ChannelSpec.MAX_MESSAGE_BYTES) {
          return Future.failedFuture(new BufferException(Reason.TOO_LARGE,
              "message larger than " + ChannelSpec.MAX_MESSAGE_BYTES + " bytes"));
        }
        return publisher.publish(RabbitLayout.EXCHANGE, queue.routingKey,
            RabbitLayout.properties(stamped, queue.webhookId), body).map(stamped);
      })).recover(this::unavailable);
    });
  }

  // --------------------------------------------------------------------------------------- lease

  /**
   * First the deliveries held here (pushed ahead, released, or past their retry delay). Until the
   * channel's consumers run, then basic.get round-robin over its queues until {@code max} or all
   * are empty, and the consumers are started after that; with the consumers running and nothing
   * waiting, the lease waits for the next push ({@link ParkedLease}). Expired messages and those whose deliveries are used up are
   * dead-lettered instead (the lease waits for that).
   */
  @Override
  public Future<List<Envelope>> lease(ChannelSpec spec, String owner, int max, long leaseMillis) {
    return withChannel(spec, channel -> {
      List<Envelope> leased = new ArrayList<>();
      if (max <= 0) {
        return Future.succeededFuture(leased);
      }
      wanted(channel);
      List<Future<?>> deadLetters = new ArrayList<>();
      takeWaiting(channel, owner, max, leaseMillis, leased, deadLetters);
      Future<Void> more;
      boolean pushing = channel.subscribing() || consumers.running(channel);
      if (!pushing) {
        // the consumers start once the gets are done (while they start, a get would overtake what
        // they were pushed: leases wait for the pushes then)
        more = fromBroker(channel, owner, max, leaseMillis, leased, deadLetters).andThen(done -> {
          if (!closing) {
            consumers.start(channel);
          }
        });
      } else if (leased.size() >= max) {
        more = Future.succeededFuture();
      } else if (leased.isEmpty() && deadLetters.isEmpty()) {
        ParkedLease parked = new ParkedLease(vertx, channel.parked, max, leased, deadLetters,
            () -> takeWaiting(channel, owner, max, leaseMillis, leased, deadLetters));
        more = parked.answered();
      } else {
        more = Future.succeededFuture();
      }
      return more.transform(got -> Future.join(deadLetters).transform(settled -> got.succeeded()
          ? Future.succeededFuture(leased) : Future.failedFuture(got.cause())));
    });
  }

  /** Leases what waits here, in the order it came (one delivery of an ordering key at a time), up to {@code max}. */
  private void takeWaiting(ChannelState channel, String owner, int max, long leaseMillis, List<Envelope> leased,
      List<Future<?>> deadLetters) {
    Instant now = clock.instant();
    long nowMillis = now.toEpochMilli();
    while (leased.size() < max) {
      // chosen first, then offered: an offer may dead-letter, which removes it from held
      List<Held> due = channel.leasable(nowMillis, max - leased.size());
      if (due.isEmpty()) {
        return;
      }
      for (Held held : due) {
        offer(channel, held, owner, now, leaseMillis, leased, deadLetters);
      }
    }
  }

  /** Leases a held delivery to {@code owner}, or dead-letters it when it must not be delivered. */
  private void offer(ChannelState channel, Held held, String owner, Instant now, long leaseMillis,
      List<Envelope> leased, List<Future<?>> deadLetters) {
    if (held.deadLetterReason != null) {
      deadLetters.add(deadLetter(channel, held, held.deadLetterReason));
    } else if (held.envelope.expiredAt(now)) {
      deadLetters.add(deadLetter(channel, held, "expired"));
    } else if (held.deliveries >= channel.spec.maxDeliveries()) {
      deadLetters.add(deadLetter(channel, held, "max_deliveries"));
    } else {
      held.deliveries++;
      held.owner = owner;
      held.leaseDeadlineMillis = now.toEpochMilli() + leaseMillis;
      leased.add(held.envelope.withDeliveryCount(held.deliveries));
    }
  }

  private Future<Void> fromBroker(ChannelState channel, String owner, int max, long leaseMillis, List<Envelope> leased,
      List<Future<?>> deadLetters) {
    if (leased.size() >= max || channel.queues.isEmpty()) {
      return Future.succeededFuture();
    }
    List<QueueState> active = rotated(new ArrayList<>(channel.queues.values()));
    return deliveries.client().compose(client -> {
      dropLostDeliveries();
      return getFrom(client, channel, active, 0, owner, max, leaseMillis, leased, deadLetters);
    }, failure -> leased.isEmpty() ? Future.failedFuture(failure) : Future.succeededFuture());
  }

  private Future<Void> getFrom(RabbitLink.Ops client, ChannelState channel, List<QueueState> active, int index,
      String owner, int max, long leaseMillis, List<Envelope> leased, List<Future<?>> deadLetters) {
    if (leased.size() >= max || active.isEmpty()) {
      return Future.succeededFuture();
    }
    QueueState queue = active.get(index % active.size());
    // as many gets as the queue had ready at the last get (one to probe), so gets rarely come back empty
    int wanted = (int) Math.min(max - leased.size(), Math.min(GET_BATCH, Math.max(1, queue.readyAfterGet)));
    return client.basicGet(queue.name, wanted).compose(messages -> {
      for (RabbitMQMessage message : messages) {
        received(channel, queue, message, owner, leaseMillis, leased, deadLetters);
      }
      RabbitMQMessage last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
      queue.readyAfterGet = last == null || last.messageCount() == null ? 0 : last.messageCount();
      if (messages.size() < wanted || queue.readyAfterGet == 0) {
        active.remove(queue);
        return getFrom(client, channel, active, index, owner, max, leaseMillis, leased, deadLetters);
      }
      return getFrom(client, channel, active, index + 1, owner, max, leaseMillis, leased, deadLetters);
    }, failure -> {
      deliveries.invalidate();
      LOG.warn("RabbitMQ basic.get failed [channel: {}, queue: {}]: {}", channel.spec.name(), queue.name,
          failure.toString());
      return leased.isEmpty() ? Future.failedFuture(failure) : Future.succeededFuture();
    });
  }

  /** A message got from the broker (basic.get): held, then offered to the lease. */
  private void received(ChannelState channel, QueueState queue, RabbitMQMessage message,
      String owner, long leaseMillis, List<Envelope> leased, List<Future<?>> deadLetters) {
    Held held = hold(channel, queue, message);
    if (held != null && channel.firstOfKey(held)) { // else it waits here behind its key's head
      offer(channel, held, owner, clock.instant(), leaseMillis, leased, deadLetters);
    }
  }

  /**
   * A message got or pushed from the broker, held here waiting for a lease: its deliveries so far
   * are the stored count, plus what this node counted before it lost or gave back the delivery, or
   * 1 when the broker says it was delivered before. Null when it is not to be delivered (unreadable:
   * rejected to the DLQ; a second copy of one held here: dropped).
   */
  private Held hold(ChannelState channel, QueueState queue, RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    Envelope envelope;
    try {
      envelope = Envelope.fromJson(new JsonObject(message.body()));
      if (envelope.messageId() == null || envelope.messageId().isEmpty()) {
        throw new IllegalArgumentException("no message_id");
      }
    } catch (RuntimeException e) {
      LOG.error("Unreadable message rejected to the DLQ [channel: {}, queue: {}]", channel.spec.name(), queue.name);
      deliveries.client().onSuccess(client -> client.basicNack(tag, false, false));
      return null;
    }
    if (channel.held.containsKey(envelope.messageId())) {
      LOG.warn("Second copy of a message held here dropped [channel: {}, message_id: {}]", channel.spec.name(),
          envelope.messageId());
      deliveries.client().onSuccess(client -> client.basicAck(tag, false));
      return null;
    }
    Integer counted = givenBack.remove(envelope.messageId());
    int before = envelope.deliveryCount()
        + (counted != null ? counted : message.envelope().isRedeliver() ? 1 : 0);
    Held held = new Held(envelope.messageId(), queue.webhookId, envelope, tag, deliveries.generation(), before);
    channel.held.put(held.messageId, held);
    return held;
  }

  /** The queues in a rotated order per call, so no queue of the channel is always read first. */
  private List<QueueState> rotated(List<QueueState> queues) {
    if (queues.size() < 2) {
      return queues;
    }
    int start = Math.floorMod(rotation++, queues.size());
    List<QueueState> order = new ArrayList<>(queues.subList(start, queues.size()));
    order.addAll(queues.subList(0, start));
    return order;
  }

  /**
   * Forgets the deliveries of a lost deliveries connection: the broker requeued them. Their
   * delivery counts are remembered (bounded) for when they come back here.
   */
  private void dropLostDeliveries() {
    boolean up = deliveries.isUp();
    long generation = deliveries.generation();
    if (up && generation == heldGeneration) {
      return;
    }
    for (ChannelState channel : channels.values()) {
      int dropped = 0;
      for (Iterator<Held> it = channel.held.values().iterator(); it.hasNext(); ) {
        Held held = it.next();
        if (!up || held.generation != generation) {
          it.remove();
          givenBack.put(held.messageId, held.deliveries);
          dropped++;
        }
      }
      if (dropped > 0) {
        channel.queues.values().forEach(QueueState::forgetDepth);
        LOG.warn("RabbitMQ deliveries connection lost: {} message(s) held here are back in the broker's queues "
            + "[channel: {}]", dropped, channel.spec.name());
      }
    }
    heldGeneration = up ? generation : -1;
  }

  // ------------------------------------------------------------------------ ack, nack, release

  @Override
  public Future<Boolean> ack(ChannelSpec spec, String messageId) {
    return withChannel(spec, channel -> {
      wanted(channel);
      Held held = channel.held.get(messageId);
      if (held == null || held.owner == null) {
        return Future.succeededFuture(false);
      }
      channel.held.remove(messageId);
      return settle(held).map(acked -> {
        if (acked) {
          store.countDelivered(channel.stored);
        }
        return acked;
      });
    });
  }

  /** basic.ack of a held delivery; false when its connection is gone (the broker redelivers it). */
  private Future<Boolean> settle(Held held) {
    return deliveries.client().compose(client -> {
      if (held.generation != deliveries.generation()) {
        return Future.succeededFuture(false);
      }
      return client.basicAck(held.deliveryTag, false).map(true);
    }).recover(failure -> {
      deliveries.invalidate();
      LOG.warn("RabbitMQ basic.ack failed, the message will be delivered again [message_id: {}]: {}",
          held.messageId, failure.toString());
      return Future.succeededFuture(false);
    });
  }

  @Override
  public Future<NackOutcome> nack(ChannelSpec spec, String messageId, boolean retry) {
    return withChannel(spec, channel -> {
      wanted(channel);
      Held held = channel.held.get(messageId);
      if (held == null || held.owner == null) {
        return Future.succeededFuture(NackOutcome.NOT_IN_FLIGHT);
      }
      if (!retry || held.deliveries >= channel.spec.maxDeliveries()) {
        return deadLetter(channel, held, retry ? "max_deliveries" : "rejected").map(NackOutcome.DEAD_LETTERED);
      }
      held.owner = null;
      held.notBeforeMillis = clock.millis() + ChannelSpec.retryDelayMillis(held.deliveries);
      return Future.succeededFuture(NackOutcome.REQUEUED);
    });
  }

  /**
   * Publishes the message to the dead-letter exchange (confirmed), then acks the original. When
   * that fails with the delivery still held, it is kept and dead-lettered again at the next lease.
   */
  private Future<Void> deadLetter(ChannelState channel, Held held, String reason) {
    channel.held.remove(held.messageId, held);
    if (held.generation != deliveries.generation() || !deliveries.isUp()) {
      givenBack.put(held.messageId, held.deliveries); // the broker has it back and delivers it again
      return Future.succeededFuture();
    }
    QueueState queue = channel.queues.get(held.webhookId);
    return deadLetterQueues.add(channel, queue, held.envelope.withDeliveryCount(held.deliveries), reason,
            () -> settle(held))
        .recover(failure -> {
          if (held.generation == deliveries.generation() && deliveries.isUp()) {
            held.owner = null;
            held.deadLetterReason = reason;
            held.notBeforeMillis = clock.millis() + DEAD_LETTER_RETRY_MILLIS;
            channel.held.putIfAbsent(held.messageId, held);
          }
          return unavailable(failure);
        });
  }

  @Override
  public Future<Integer> release(ChannelSpec spec, String owner, Set<String> uncounted) {
    return withChannel(spec, channel -> {
      int released = 0;
      for (Held held : channel.held.values()) {
        if (owner.equals(held.owner)) {
          held.owner = null;
          held.notBeforeMillis = 0;
          if (held.deliveries > 0 && uncounted.contains(held.messageId)) {
            held.deliveries--;
          }
          released++;
        }
      }
      return Future.succeededFuture(released);
    });
  }

  @Override
  public Future<Integer> reclaimExpiredLeases(ChannelSpec spec) {
    return withChannel(spec, channel -> {
      long now = clock.millis();
      int reclaimed = 0;
      for (Held held : channel.held.values()) {
        if (held.owner != null && held.leaseDeadlineMillis <= now) {
          held.owner = null;
          held.notBeforeMillis = 0;
          reclaimed++;
        }
      }
      return Future.succeededFuture(reclaimed);
    });
  }

  /** Leases are this node's: a message leased by another receiver has no owner here. */
  @Override
  public Future<String> leaseOwner(ChannelSpec spec, String messageId) {
    return withChannel(spec, channel -> {
      Held held = channel.held.get(messageId);
      return Future.succeededFuture(held == null ? null : held.owner);
    });
  }

  // ------------------------------------------------------------------------------------- stats

  /**
   * Pending per webhook = broker ready count + deliveries waiting here; in flight = leased here;
   * counters = the state queue's as last read or written + this node's not yet written.
   */
  @Override
  public Future<ChannelStats> stats(ChannelSpec spec) {
    return withChannel(spec, channel -> {
      List<QueueState> queues = new ArrayList<>(channel.queues.values());
      List<Future<Long>> depths = queues.stream().map(queue -> room.readDepth(queue, null)).toList();
      return Future.all(depths)
          .compose(read -> deadLetterQueues.adoptNew(channel))
          .compose(adopted -> store.counters(channel.stored)).map(counters -> {
        Map<String, Long> pending = new TreeMap<>();
        long queued = 0;
        for (int i = 0; i < queues.size(); i++) {
          QueueState queue = queues.get(i);
          long depth = queue.brokerReady + channel.waitingOf(queue.webhookId);
          pending.put(queue.webhookId, depth);
          queued += depth;
        }
        return new ChannelStats(spec.name(), queued, channel.leased(), counters.delivered(), counters.expired(),
            counters.deadLettered(), Collections.unmodifiableMap(pending));
      });
    });
  }

  // -------------------------------------------------------------------------------- dead letters

  @Override
  public Future<List<JsonObject>> deadLetters(ChannelSpec spec, int limit) {
    return withChannel(spec, channel -> limit <= 0 ? Future.succeededFuture(List.of())
        : deadLetterQueues.list(channel, limit));
  }

  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec spec, List<String> messageIds) {
    return withChannel(spec, channel -> {
      Set<String> wanted = messageIds == null ? null : new HashSet<>(messageIds);
      return wanted != null && wanted.isEmpty() ? Future.succeededFuture(List.of())
          : deadLetterQueues.replay(channel, wanted);
    });
  }

  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec spec, String messageId) {
    return withChannel(spec, channel -> deadLetterQueues.delete(channel, messageId));
  }

  // ---------------------------------------------------------------------------------------- tokens

  @Override
  public Future<TokenState> tokenState(ChannelSpec spec) {
    return withChannel(spec, channel -> store.tokenState(channel.stored, channel.spec));
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec spec, String newTokenHash, long graceMillis) {
    return withChannel(spec, channel -> store.rotateToken(channel.stored, channel.spec, newTokenHash, graceMillis));
  }

  // ---------------------------------------------------------------------------------------- ping

  /** Whether the publish and admin connections are (or can be made) open now. */
  @Override
  public Future<Boolean> ping() {
    return onContext(() -> closing ? Future.succeededFuture(false)
        : Future.all(publisher.client(), admin.link().client()).map(up -> true).otherwise(false));
  }
}
