package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.TokenState;
import io.cwm.buffer.rabbitmq.CounterRecord.Counts;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the RabbitMQ buffer keeps beyond the shared layout, in the {@code webhook_connect.j.*}
 * queues: per channel, the token state and the highest sequence number reserved
 * ({@link JavaState}, one last-writer-wins message of {@link RabbitLayout#stateQueue}, read and
 * replaced one step at a time per channel), and the counters ({@link CounterRecord}s of
 * {@link RabbitLayout#countsQueue}: this process's running totals, written within
 * {@value #FLUSH_DELAY_MILLIS} ms of a change and at close, read by merging every process's
 * largest totals and compacted now and then). Sequence numbers are handed out from blocks of
 * {@value #SEQUENCE_BLOCK} reserved by a state write, so a crash never reuses one.
 *
 * <p>Writes go through the publish link (confirmed), reads through the admin steps. Used on the
 * buffer's context only.
 */
final class StateStore {
  private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
  /** Sequence numbers reserved per state write. */
  static final int SEQUENCE_BLOCK = 1000;
  /** A counter change is written this long after it at most (a kill -9 loses the changes of this window). */
  static final long FLUSH_DELAY_MILLIS = 200;
  /** How long a read token state is served without reading the state queue again. */
  private static final long STATE_CACHE_MILLIS = 1000;
  private static final int STATE_READ_LIMIT = 16;
  private static final long FLUSH_RETRY_MILLIS = 1000;
  /** Counter records this process writes before it merges the channel's records into one. */
  static final int COMPACT_AFTER_FLUSHES = 16;
  private static final int COUNTS_READ_LIMIT = 10_000;
  /** basic.gets sent at once while reading a queue. */
  private static final int GET_BATCH = 32;

  private final Vertx vertx;
  private final Context context;
  private final Clock clock;
  /** This receiver process, as its counter records name it. */
  private final String process;
  private final RabbitLink publisher;
  private final AdminSteps admin;
  private final Map<String, Entry> entries = new HashMap<>();
  private boolean closing;

  /** One channel's state and counters as this receiver knows them. */
  static final class Entry {
    final String channel;
    JavaState persisted = JavaState.EMPTY;
    long stateReadAtMillis;
    /** Next sequence number to hand out and the last one of the reserved block. */
    long nextSequence = 1;
    long lastReserved;
    Future<Void> reserving;
    /** This process's running totals of the channel, the totals it last wrote (confirmed), the write in flight. */
    Counts counted = Counts.ZERO;
    Counts flushed = Counts.ZERO;
    Future<Void> flushing;
    long flushTimer = -1;
    int flushesSinceCompaction;
    /** The counters this receiver reported last: never less (a read may miss records another receiver holds). */
    Counts reported = Counts.ZERO;
    /** Tail of this channel's serial state updates. */
    Future<?> stateTail = Future.succeededFuture();

    private Entry(String channel) {
      this.channel = channel;
    }
  }

  StateStore(Vertx vertx, Context context, Clock clock, String process, RabbitLink publisher, AdminSteps admin) {
    this.vertx = vertx;
    this.context = context;
    this.clock = clock;
    this.process = process;
    this.publisher = publisher;
    this.admin = admin;
  }

  /** The channel's entry, created the first time (nothing is read or written yet). */
  Entry register(String channel) {
    return entries.computeIfAbsent(channel, Entry::new);
  }

  // ---------------------------------------------------------------------- tokens and sequences

  /**
   * At open: creates the token state from the configured token or aligns it with a changed one
   * ({@link TokenState#alignedWith}), and reserves a block of sequence numbers, in one write.
   */
  Future<Void> align(Entry entry, ChannelSpec spec) {
    long[] from = new long[1];
    TokenState[] before = new TokenState[1];
    return updateState(entry, state -> {
      before[0] = state.token();
      TokenState token = state.token() == null ? TokenState.initial(spec.token())
          : state.token().alignedWith(spec.token(), clock.millis());
      from[0] = Math.max(state.sequence(), entry.lastReserved);
      return state.withToken(token).withSequence(from[0] + SEQUENCE_BLOCK);
    }).map(state -> {
      entry.nextSequence = from[0] + 1;
      entry.lastReserved = from[0] + SEQUENCE_BLOCK;
      if (before[0] != null && !before[0].currentHash().equals(state.token().currentHash())) {
        LOG.info("Configured channel token changed: now current, the previous one valid for {} s [channel: {}]",
            TokenState.CONFIG_CHANGE_GRACE_SECONDS, entry.channel);
      }
      return null;
    });
  }

  /**
   * Hands out the reserved block; reserves the next one (a confirmed state write) when it is used
   * up. Publishes arriving meanwhile wait for that one reservation; a failed reservation is
   * forgotten, so the next publish tries again. The reservation may fail before this method
   * returns (a link that is down answers at once): it is registered before it starts, so it is
   * always forgotten (before, a reservation that failed at once was stored after its own clean-up
   * and failed every later publish of the channel, for good: issue 12, 2.1).
   */
  Future<Long> nextSequence(Entry entry) {
    if (entry.nextSequence <= entry.lastReserved) {
      return Future.succeededFuture(entry.nextSequence++);
    }
    if (entry.reserving == null) {
      Promise<Void> reservation = Promise.promise();
      Future<Void> reserved = reservation.future();
      entry.reserving = reserved;
      long[] from = new long[1];
      updateState(entry, state -> {
        from[0] = Math.max(state.sequence(), entry.lastReserved);
        return state.withSequence(from[0] + SEQUENCE_BLOCK);
      }).<Void>map(state -> {
        entry.nextSequence = from[0] + 1;
        entry.lastReserved = from[0] + SEQUENCE_BLOCK;
        return null;
      }).onComplete(done -> {
        if (entry.reserving == reserved) {
          entry.reserving = null;
        }
        reservation.handle(done);
      });
    }
    return entry.reserving.compose(reserved -> nextSequence(entry));
  }

  /**
   * The token state, as read at most {@value #STATE_CACHE_MILLIS} ms ago; created again from the
   * configured token when the state queue lost it.
   */
  Future<TokenState> tokenState(Entry entry, ChannelSpec spec) {
    if (entry.persisted.token() != null && clock.millis() - entry.stateReadAtMillis < STATE_CACHE_MILLIS) {
      return Future.succeededFuture(entry.persisted.token());
    }
    return serialState(entry, () -> readState(entry).map(state -> {
      entry.persisted = state;
      entry.stateReadAtMillis = clock.millis();
      return state;
    })).compose(state -> state.token() != null ? Future.succeededFuture(state.token())
        : updateState(entry, lost -> lost.token() != null ? lost
            : lost.withToken(TokenState.initial(spec.token()))).map(JavaState::token));
  }

  /** Makes {@code newTokenHash} current; the current one stays valid for {@code graceMillis}. */
  Future<TokenState> rotateToken(Entry entry, ChannelSpec spec, String newTokenHash, long graceMillis) {
    return updateState(entry, state -> state.withToken(
        (state.token() == null ? TokenState.initial(spec.token()) : state.token())
            .rotatedTo(newTokenHash, graceMillis, clock.millis())))
        .map(state -> {
          LOG.info("Channel token rotated [channel: {}]", entry.channel);
          return state.token();
        });
  }

  /** Runs state steps of one channel one after the other. */
  private <T> Future<T> serialState(Entry entry, Supplier<Future<T>> step) {
    Future<T> run = entry.stateTail.transform(previous -> step.get());
    entry.stateTail = run.transform(done -> Future.succeededFuture());
    return run;
  }

  /** Reads the newest state, applies {@code change} and writes the result (confirmed). */
  private Future<JavaState> updateState(Entry entry, UnaryOperator<JavaState> change) {
    return serialState(entry, () -> readState(entry).compose(read -> {
      JavaState next = change.apply(read);
      Future<Void> written = next.equals(read) ? Future.succeededFuture()
          : publisher.publish("", RabbitLayout.stateQueue(entry.channel), RabbitLayout.stateProperties(),
              Buffer.buffer(next.toJson().encode()));
      return written.map(next);
    }).onSuccess(next -> {
      entry.persisted = next;
      entry.stateReadAtMillis = clock.millis();
    }));
  }

  /**
   * The newest message of the state queue (basic.get, then requeued; older ones a concurrent
   * write left behind are acked away), or {@link JavaState#EMPTY}.
   */
  private Future<JavaState> readState(Entry entry) {
    String queue = RabbitLayout.stateQueue(entry.channel);
    return admin.run(client -> getAll(client, queue, new ArrayList<>(), STATE_READ_LIMIT).compose(messages -> {
      if (messages.isEmpty()) {
        return Future.succeededFuture(JavaState.EMPTY);
      }
      RabbitMQMessage newest = messages.get(messages.size() - 1);
      JavaState state;
      try {
        state = JavaState.fromJson(new JsonObject(newest.body()));
      } catch (RuntimeException e) {
        LOG.error("Unreadable state message ignored [queue: {}]", queue);
        state = JavaState.EMPTY;
      }
      Future<Void> settled = Future.succeededFuture();
      for (RabbitMQMessage older : messages.subList(0, messages.size() - 1)) {
        settled = settled.compose(done -> client.basicAck(older.envelope().getDeliveryTag(), false));
      }
      JavaState read = state;
      return settled.compose(done -> client.basicNack(newest.envelope().getDeliveryTag(), false, true)).map(read);
    }));
  }

  // ------------------------------------------------------------------------------------ counters

  /** Counts a message acked by its connector. */
  void countDelivered(Entry entry) {
    count(entry, entry.counted.withDelivered(1));
  }

  /** Counts a dead letter: reason {@code expired} as expired, any other as dead-lettered. */
  void countDeadLetter(Entry entry, String reason) {
    count(entry, "expired".equals(reason) ? entry.counted.withExpired(1) : entry.counted.withDeadLettered(1));
  }

  /**
   * The channel's counters: every process's records merged, this process's own totals counted
   * instead of its record, plus what earlier versions left in the state message; never less than
   * reported before (a read misses records another receiver holds at that moment).
   */
  Future<Counts> counters(Entry entry) {
    return readCounters(entry, false).map(records -> {
      JavaState legacy = entry.persisted; // counters written by earlier versions into the state message
      Counts total = records.total(process, entry.counted)
          .plus(new Counts(legacy.delivered(), legacy.expired(), legacy.deadLettered()));
      entry.reported = entry.reported.max(total);
      return entry.reported;
    });
  }

  /**
   * Compacts the counter records of each channel this process wrote {@value #COMPACT_AFTER_FLUSHES}
   * records to since its last compaction.
   */
  void compactWhereDue() {
    if (closing) {
      return;
    }
    for (Entry entry : entries.values()) {
      if (entry.flushesSinceCompaction >= COMPACT_AFTER_FLUSHES) {
        entry.flushesSinceCompaction = 0;
        compact(entry).onFailure(failure -> LOG.debug(
            "RabbitMQ buffer: counter records of {} not merged: {}", entry.channel, failure.toString()));
      }
    }
  }

  /** Replaces the channel's counter records by one with their merged totals (see {@link #readCounters}). */
  Future<Void> compact(Entry entry) {
    return readCounters(entry, true).mapEmpty();
  }

  /** Stops the flush timers and writes every channel's changed counters once more. */
  Future<Void> close() {
    closing = true;
    entries.values().forEach(entry -> vertx.cancelTimer(entry.flushTimer));
    return Future.join(entries.values().stream().map(this::flush).toList()).mapEmpty();
  }

  /** Records a counter change of this process and has it written within {@value #FLUSH_DELAY_MILLIS} ms. */
  private void count(Entry entry, Counts counted) {
    entry.counted = counted;
    scheduleFlush(entry, FLUSH_DELAY_MILLIS);
  }

  private void scheduleFlush(Entry entry, long delayMillis) {
    if (entry.flushTimer >= 0 || closing) {
      return;
    }
    entry.flushTimer = vertx.setTimer(delayMillis, id -> onContext(() -> {
      entry.flushTimer = -1;
      flush(entry).onComplete(done -> {
        if (done.failed()) {
          LOG.debug("RabbitMQ buffer: counters of {} not written yet: {}", entry.channel, done.cause().toString());
        }
        if (!entry.counted.equals(entry.flushed)) {
          scheduleFlush(entry, done.failed() ? FLUSH_RETRY_MILLIS : FLUSH_DELAY_MILLIS);
        }
      });
    }));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * Writes this process's totals of the channel as one counter record (confirmed) when they
   * changed since the last write; after the write in flight, if there is one. Older records of
   * this process are left for the next merge ({@link #readCounters}): they hold smaller totals.
   */
  private Future<Void> flush(Entry entry) {
    if (entry.flushing != null) {
      return entry.flushing.transform(previous -> flush(entry));
    }
    Counts totals = entry.counted;
    if (totals.equals(entry.flushed)) {
      return Future.succeededFuture();
    }
    Promise<Void> writing = Promise.promise();
    Future<Void> written = writing.future();
    entry.flushing = written; // before the publish: it may fail at once (link down)
    publisher.publish("", RabbitLayout.countsQueue(entry.channel), RabbitLayout.stateProperties(),
            Buffer.buffer(CounterRecord.of(process, totals).toJson().encode()))
        .onComplete(done -> {
          if (entry.flushing == written) {
            entry.flushing = null;
          }
          if (done.succeeded()) {
            entry.flushed = entry.flushed.max(totals);
            entry.flushesSinceCompaction++;
          }
          writing.handle(done);
        });
    return written;
  }

  /**
   * The channel's counter records merged (largest totals per process). With {@code compact}, and
   * when there were several, one record with the merged totals replaces them (published,
   * confirmed, then the others acked: a crash in between leaves copies, which merging ignores).
   * Records another receiver holds at that moment (reading or merging them too) are not seen:
   * the read is low, which {@link Entry#reported} absorbs; merging them later is harmless.
   */
  private Future<CounterRecord> readCounters(Entry entry, boolean compact) {
    String queue = RabbitLayout.countsQueue(entry.channel);
    return admin.run(client -> getAll(client, queue, new ArrayList<>(), COUNTS_READ_LIMIT).compose(messages -> {
      List<CounterRecord> records = new ArrayList<>();
      boolean allReadable = true;
      for (RabbitMQMessage message : messages) {
        CounterRecord record = parseCounters(message);
        if (record == null) {
          allReadable = false;
        } else {
          records.add(record);
        }
      }
      CounterRecord merged = CounterRecord.mergeAll(records);
      if (!compact || records.size() < 2 || !allReadable) {
        return requeueAll(client, messages).map(merged);
      }
      long lastTag = messages.get(messages.size() - 1).envelope().getDeliveryTag();
      return publisher.publish("", queue, RabbitLayout.stateProperties(), Buffer.buffer(merged.toJson().encode()))
          .compose(published -> client.basicAck(lastTag, true))
          .map(merged)
          .recover(failure -> requeueAll(client, messages).transform(requeued -> Future.failedFuture(failure)));
    }));
  }

  private static CounterRecord parseCounters(RabbitMQMessage message) {
    try {
      return CounterRecord.fromJson(new JsonObject(message.body()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------ queue reading

  /** Puts back every message got on this admin step (one basic.nack, multiple, requeue). */
  static Future<Void> requeueAll(RabbitLink.Ops client, List<RabbitMQMessage> messages) {
    return messages.isEmpty() ? Future.succeededFuture()
        : client.basicNack(messages.get(messages.size() - 1).envelope().getDeliveryTag(), true, true);
  }

  /** Gets (unacked) up to {@code limit} messages of a queue, in batches of basic.gets. */
  static Future<List<RabbitMQMessage>> getAll(RabbitLink.Ops client, String queue,
      List<RabbitMQMessage> messages, int limit) {
    int wanted = Math.min(GET_BATCH, limit - messages.size());
    return client.basicGet(queue, wanted).compose(got -> {
      messages.addAll(got);
      RabbitMQMessage last = got.isEmpty() ? null : got.get(got.size() - 1);
      boolean empty = last == null || got.size() < wanted
          || (last.messageCount() != null && last.messageCount() == 0);
      return empty || messages.size() >= limit ? Future.succeededFuture(messages)
          : getAll(client, queue, messages, limit);
    });
  }
}
