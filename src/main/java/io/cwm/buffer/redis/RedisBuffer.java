package io.cwm.buffer.redis;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.TokenState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageBuffer} on Redis (spec §5.2, semantics §4.12). Everything a message is — the
 * stream entry, its lease, delivery count, delayed retry, dead letter, the sequence counter and
 * the statistics — lives in Redis, so every receiver on the same Redis sees the same state and any
 * of them can ack, nack or release what another leased. The channel's token state is there too
 * ({@link RedisTokens}), so a rotation holds on every receiver and across restarts; listing,
 * replay and delete of dead letters are {@link RedisDeadLetters}'.
 *
 * <p>Each operation is one Lua script (see the {@code .lua} files next to this class), so it is
 * atomic across receivers; time comes from the Java clock, not from Redis. Layout (shared with
 * Python receivers, see {@link RedisKeys}): a stream per webhook queue with fields
 * {@code message_id}, {@code data}, {@code expires_at}, read through the shared consumer group
 * (consumer {@value #CONSUMER}), a meta hash per queue and a DLQ sorted set per channel; the rest
 * under {@code webhook_connect:j:}. The leases in
 * the {@code inflight} hash are the truth about what is in flight: an entry stays pending in the
 * group until it is acked or dead-lettered and is then XACKed and XDELed, never trimmed, so the
 * stream length is exactly ready + in flight + waiting for a retry. Release uses a per-owner set
 * of message ids and lease expiry a deadline index, so neither scans the in-flight hash.
 *
 * <p>Each instance is one receiver process: it refreshes its liveness key
 * ({@link RedisKeys#alive}) every {@value #HEARTBEAT_MILLIS} ms with a
 * {@value #LIVENESS_TTL_MILLIS} ms TTL, and its leases record it; the reclaim that every receiver
 * runs each second requeues the leases of a process whose key has expired (killed: nothing was
 * released), so they come back within about ten seconds rather than after their ack timeout.
 */
public final class RedisBuffer implements MessageBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBuffer.class);
  /** Consumer of every Java receiver in the shared group; leases, not the PEL, say who holds what. */
  static final String CONSUMER = "cwm_java";
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  /** Long-lived pipelined connections (Redis runs one command at a time anyway). */
  private static final int PIPELINES = 2;
  private static final long PING_TIMEOUT_MILLIS = 2000;
  private static final int RECLAIM_BATCH = 500;
  private static final int SCAN_COUNT = 1000;
  /** Envelope JSON after the sequence number, in the stored shape every receiver reads. */
  private static final String ENVELOPE_TAIL = ",\"delivery_count\":0,\"state\":\"pending\"}";
  private static final int SEQUENCE_BYTES = ",\"sequence\":0".length();
  /** What publish.lua answers in place of a sequence for a duplicate. */
  private static final long DUPLICATE = -2;
  /** Redelivery delays after 1..7 deliveries; the 7th (60 s cap) applies beyond. */
  private static final List<Object> RETRY_DELAYS = IntStream.rangeClosed(1, 7)
      .mapToObj(deliveries -> (Object) ChannelSpec.retryDelayMillis(deliveries)).toList();

  private static final LuaScript PUBLISH = LuaScript.load("publish");
  private static final LuaScript LEASE = LuaScript.load("lease");
  private static final LuaScript ACK = LuaScript.load("ack");
  private static final LuaScript NACK = LuaScript.load("nack");
  private static final LuaScript RELEASE = LuaScript.load("release");
  private static final LuaScript RECLAIM = LuaScript.load("reclaim");
  private static final LuaScript STATS = LuaScript.load("stats");
  private static final List<LuaScript> SCRIPTS =
      List.of(PUBLISH, LEASE, ACK, NACK, RELEASE, RECLAIM, STATS, RedisDeadLetters.REPLAY, RedisTokens.TOKEN);

  /** How often this process refreshes its liveness key, and how long the key lives. */
  static final long HEARTBEAT_MILLIS = 3000;
  static final long LIVENESS_TTL_MILLIS = 10_000;

  private final Vertx vertx;
  private final Clock clock;
  private final Redis redis;
  /** This receiver process: its leases carry it, its liveness key is named after it. */
  private final String process = "p" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
  private final long heartbeatMillis;
  private final long livenessTtlMillis;
  private long heartbeatTimer = -1;
  private final Map<String, RedisChannel> channels = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RedisDeadLetters deadLetters;
  private final RedisTokens tokens;

  public RedisBuffer(Vertx vertx, String redisUrl, Clock clock) {
    this(vertx, redisUrl, clock, HEARTBEAT_MILLIS, LIVENESS_TTL_MILLIS);
  }

  /** With another liveness timing (tests). */
  RedisBuffer(Vertx vertx, String redisUrl, Clock clock, long heartbeatMillis, long livenessTtlMillis) {
    this.vertx = vertx;
    this.clock = clock;
    this.heartbeatMillis = heartbeatMillis;
    this.livenessTtlMillis = livenessTtlMillis;
    this.redis = new PipelinedRedis(Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(redisUrl)
        .setMaxPoolSize(PIPELINES + 2)
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(65_536)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
            .setTcpKeepAlive(true)
            .setTcpNoDelay(true))), PIPELINES);
    this.deadLetters = new RedisDeadLetters(redis, clock, process);
    this.tokens = new RedisTokens(redis, clock, process);
  }

  /**
   * Registers the channels (also when Redis is down, so that publish reports UNAVAILABLE rather
   * than UNKNOWN_CHANNEL), then loads the scripts, creates the group on every queue's stream,
   * writes the meta hashes, creates or aligns each channel's token state ({@link TokenState#initial},
   * {@link TokenState#alignedWith}; compare-and-set, so receivers starting together agree) and adds
   * streams of the channels found in Redis that the config no longer names (their messages are
   * still delivered). May be called again with more channels.
   */
  @Override
  public Future<Void> open(Collection<ChannelSpec> specs) {
    for (ChannelSpec spec : specs) {
      List<String> streams = spec.queues().keySet().stream()
          .map(webhookId -> RedisKeys.stream(spec.name(), webhookId)).toList();
      channels.merge(spec.name(), RedisChannel.of(spec.name(), streams), (old, fresh) -> old.withStreams(streams));
    }
    Set<String> names = specs.stream().map(ChannelSpec::name).collect(Collectors.toSet());
    return Future.all(SCRIPTS.stream().map(script -> script.preload(redis)).toList())
        .compose(loaded -> heartbeat())
        .compose(alive -> Future.all(specs.stream().map(this::prepareQueues).toList()))
        .compose(prepared -> Future.all(specs.stream().map(spec -> tokens.align(spec, channels.get(spec.name())))
            .toList()))
        .compose(aligned -> discoverStreams("0", names))
        .onSuccess(v -> LOG.info("Redis buffer open [channels: {}]", names))
        .recover(this::unavailable);
  }

  private Future<Void> prepareQueues(ChannelSpec spec) {
    String createdAt = Envelope.format(clock.instant());
    List<Future<?>> steps = new ArrayList<>();
    for (ChannelSpec.Queue queue : spec.queues().values()) {
      String stream = RedisKeys.stream(spec.name(), queue.webhookId());
      String meta = RedisKeys.meta(spec.name(), queue.webhookId());
      steps.add(redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(RedisKeys.GROUP)
              .arg("0").arg("MKSTREAM"))
          .recover(failure -> failure.getMessage() != null && failure.getMessage().startsWith("BUSYGROUP")
              ? Future.succeededFuture() : Future.failedFuture(failure)));
      steps.add(redis.send(Request.cmd(Command.HSET).arg(meta).arg("ttl_seconds")
          .arg(String.valueOf(queue.ttlSeconds()))));
      steps.add(redis.send(Request.cmd(Command.HSETNX).arg(meta).arg("created_at").arg(createdAt)));
    }
    return Future.all(steps).mapEmpty();
  }

  /** SCAN for streams {@code webhook_connect:stream:{channel}:{webhook_id}} of the given channels. */
  private Future<Void> discoverStreams(String cursor, Set<String> names) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(RedisKeys.STREAM_PREFIX + "*")
        .arg("COUNT").arg(SCAN_COUNT).arg("TYPE").arg("stream")).compose(reply -> {
          for (Response key : reply.get(1)) {
            String rest = key.toString().substring(RedisKeys.STREAM_PREFIX.length());
            int colon = rest.lastIndexOf(':');
            String channel = colon > 0 ? rest.substring(0, colon) : null;
            if (channel != null && names.contains(channel)) {
              channels.computeIfPresent(channel, (name, old) -> old.withStreams(List.of(key.toString())));
            }
          }
          String next = reply.get(0).toString();
          return "0".equals(next) ? Future.succeededFuture() : discoverStreams(next, names);
        });
  }

  /** This process's id, as its leases and liveness key carry it. */
  String process() {
    return process;
  }

  /**
   * Writes this process's liveness key (expiring after {@code livenessTtlMillis}) and, the first
   * time, starts refreshing it every {@code heartbeatMillis}: while it exists no other receiver
   * touches the leases of this process before their ack timeout.
   */
  private Future<Void> heartbeat() {
    synchronized (this) {
      if (heartbeatTimer < 0 && !closed.get()) {
        heartbeatTimer = vertx.setPeriodic(heartbeatMillis, id -> writeAlive()
            .onFailure(failure -> LOG.debug("Redis buffer liveness not written: {}", failure.toString())));
      }
    }
    return writeAlive();
  }

  private Future<Void> writeAlive() {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.alive(process)).arg(Envelope.format(clock.instant()))
        .arg("PX").arg(livenessTtlMillis)).mapEmpty();
  }

  /**
   * Stops the liveness key and deletes it, so other receivers requeue at once whatever this
   * process still holds (its sessions were released already on a clean shutdown).
   */
  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    synchronized (this) {
      vertx.cancelTimer(heartbeatTimer);
    }
    return redis.send(Request.cmd(Command.DEL).arg(RedisKeys.alive(process)))
        .timeout(PING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .transform(deleted -> redis.close());
  }

  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope) {
    return publish(spec, envelope, envelope.storedHead());
  }

  /** The sequence is stamped inside the script: the JSON goes up to it ({@code storedHead}) and after it. */
  @Override
  public Future<Envelope> publish(ChannelSpec spec, Envelope envelope, byte[] storedHead) {
    RedisChannel channel = channels.get(spec.name());
    ChannelSpec.Queue queue = spec.queue(envelope.webhookId());
    if (channel == null || queue == null) {
      return Future.failedFuture(new BufferException(Reason.UNKNOWN_CHANNEL,
          "no queue for webhook " + envelope.webhookId() + " on channel " + spec.name()));
    }
    Buffer head = Buffer.buffer(storedHead);
    if (head.length() + SEQUENCE_BYTES + ENVELOPE_TAIL.length() > ChannelSpec.MAX_MESSAGE_BYTES) {
      return Future.failedFuture(new BufferException(Reason.TOO_LARGE,
          "message larger than " + ChannelSpec.MAX_MESSAGE_BYTES + " bytes"));
    }
    String stream = RedisKeys.stream(spec.name(), queue.webhookId());
    List<Object> args = commonArgs(channel);
    args.add((long) queue.maxQueueSize());
    args.add(head);
    args.add(ENVELOPE_TAIL);
    args.add(envelope.messageId());
    args.add(envelope.expiresAt() == null ? "" : envelope.expiresAt());
    args.add(envelope.extras().orderingKey() == null ? "" : envelope.extras().orderingKey());
    String dedupKey = envelope.extras().dedupKey();
    List<String> keys;
    if (dedupKey != null && queue.deduplicates()) {
      keys = List.of(stream, RedisKeys.dedup(spec.name(), queue.webhookId(), dedupKey));
      args.add(queue.dedupWindowSeconds() * 1000);
    } else {
      keys = List.of(stream);
    }
    return PUBLISH.run(redis, channel.keysWith(keys), args).recover(this::unavailable)
        .compose(reply -> {
          if (reply.type() == ResponseType.NUMBER) { // -1: full
            return Future.failedFuture(new BufferException(Reason.QUEUE_FULL, "queue of webhook "
                + queue.webhookId() + " on channel " + spec.name() + " holds max_queue_size "
                + queue.maxQueueSize() + " messages"));
          }
          long sequence = reply.get(0).toLong();
          if (sequence == DUPLICATE) {
            // the record is written by the script that stored the first message: it is stored
            return Future.succeededFuture(MessageBuffer.duplicateOf(envelope, reply.get(1).toString()));
          }
          return Future.succeededFuture(envelope.withSequence(sequence));
        });
  }

  @Override
  public Future<List<Envelope>> lease(ChannelSpec spec, String owner, int max, long leaseMillis) {
    return withChannel(spec, channel -> {
      if (max <= 0) {
        return Future.succeededFuture(List.of());
      }
      List<String> streams = rotated(channel.streams());
      List<String> keys = new ArrayList<>(1 + streams.size());
      keys.add(channel.ownerPrefix() + owner);
      keys.addAll(streams);
      Instant now = clock.instant();
      List<Object> args = channel.scriptArgs(now, process);
      args.add(owner);
      args.add((long) max);
      args.add(now.toEpochMilli() + leaseMillis);
      args.add((long) spec.maxDeliveries());
      args.add(CONSUMER);
      return LEASE.run(redis, channel.keysWith(keys), args).recover(this::unavailable).map(reply -> {
        List<Envelope> leased = new ArrayList<>(reply.size() / 3);
        for (int i = 0; i + 2 < reply.size(); i += 3) {
          String messageId = reply.get(i).toString();
          try {
            leased.add(Envelope.fromJson(new JsonObject(reply.get(i + 1).toString()))
                .withDeliveryCount(reply.get(i + 2).toInteger()));
          } catch (RuntimeException e) {
            LOG.error("Unreadable envelope, dead-lettered [channel: {}, message_id: {}]", spec.name(), messageId);
            nack(spec, messageId, false);
          }
        }
        return leased;
      });
    });
  }

  /** Streams in a rotated order per call, so no queue of the channel is always read first. */
  private List<String> rotated(List<String> streams) {
    if (streams.size() < 2) {
      return streams;
    }
    int start = Math.floorMod(rotation.getAndIncrement(), streams.size());
    List<String> order = new ArrayList<>(streams.subList(start, streams.size()));
    order.addAll(streams.subList(0, start));
    return order;
  }

  @Override
  public Future<Boolean> ack(ChannelSpec spec, String messageId) {
    return withChannel(spec, channel -> {
      List<Object> args = commonArgs(channel);
      args.add(messageId);
      return ACK.run(redis, channel.keys(), args).recover(this::unavailable)
          .map(reply -> reply.toInteger() == 1);
    });
  }

  @Override
  public Future<NackOutcome> nack(ChannelSpec spec, String messageId, boolean retry) {
    return withChannel(spec, channel -> {
      List<Object> args = commonArgs(channel);
      args.add(messageId);
      args.add(retry ? "1" : "0");
      args.add((long) spec.maxDeliveries());
      args.addAll(RETRY_DELAYS);
      return NACK.run(redis, channel.keys(), args).recover(this::unavailable)
          .map(reply -> switch (reply.toString()) {
            case "requeued" -> NackOutcome.REQUEUED;
            case "dead_lettered" -> NackOutcome.DEAD_LETTERED;
            default -> NackOutcome.NOT_IN_FLIGHT;
          });
    });
  }

  @Override
  public Future<Integer> release(ChannelSpec spec, String owner, Set<String> uncounted) {
    return withChannel(spec, channel -> {
      List<Object> args = commonArgs(channel);
      args.add(owner);
      args.addAll(uncounted);
      return RELEASE.run(redis, channel.keysWith(List.of(channel.ownerPrefix() + owner)), args)
          .recover(this::unavailable).map(Response::toInteger);
    });
  }

  @Override
  public Future<Integer> reclaimExpiredLeases(ChannelSpec spec) {
    return withChannel(spec, channel -> {
      return reclaimBatches(channel, 0).recover(this::unavailable);
    });
  }

  /**
   * Leases past their deadline, a batch at a time, and (in the first batch) every lease held by a
   * receiver process whose liveness key has expired (reclaim.lua).
   */
  private Future<Integer> reclaimBatches(RedisChannel channel, int soFar) {
    List<Object> args = commonArgs(channel);
    args.add((long) RECLAIM_BATCH);
    return RECLAIM.run(redis, channel.keys(), args).compose(reply -> {
      int reclaimed = reply.get(0).toInteger();
      int orphaned = reply.get(1).toInteger();
      if (orphaned > 0) {
        LOG.info("[channel: {}] {} lease(s) of a receiver process that stopped (no liveness for {} s) requeued",
            channel.name(), orphaned, livenessTtlMillis / 1000);
      }
      int total = soFar + reclaimed + orphaned;
      return reclaimed < RECLAIM_BATCH ? Future.succeededFuture(total) : reclaimBatches(channel, total);
    });
  }

  @Override
  public Future<String> leaseOwner(ChannelSpec spec, String messageId) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    return redis.send(Request.cmd(Command.HGET).arg(RedisKeys.inFlight(spec.name())).arg(messageId))
        .recover(this::unavailable)
        .map(lease -> lease == null ? null : new JsonObject(lease.toString()).getString("owner"));
  }

  @Override
  public Future<ChannelStats> stats(ChannelSpec spec) {
    return withChannel(spec, channel -> {
      List<String> streams = channel.streams();
      return STATS.run(redis, channel.keysWith(streams), commonArgs(channel)).recover(this::unavailable)
          .map(reply -> {
            Map<String, Long> pending = new TreeMap<>();
            spec.queues().keySet().forEach(webhookId -> pending.put(webhookId, 0L));
            long queued = 0;
            for (int i = 0; i < streams.size(); i++) {
              long depth = reply.get(4 + i).toLong();
              pending.merge(webhookOf(streams.get(i)), depth, Long::sum);
              queued += depth;
            }
            return new ChannelStats(spec.name(), queued, reply.get(0).toLong(), reply.get(1).toLong(),
                reply.get(2).toLong(), reply.get(3).toLong(), Collections.unmodifiableMap(pending));
          });
    });
  }

  /** Stream keys end in {@code :{webhook_id}}; webhook ids cannot contain ':'. */
  private static String webhookOf(String stream) {
    return stream.substring(stream.lastIndexOf(':') + 1);
  }

  @Override
  public Future<List<JsonObject>> deadLetters(ChannelSpec spec, int limit) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    return deadLetters.list(spec.name(), limit).recover(this::unavailable);
  }

  @Override
  public Future<Boolean> ping() {
    return redis.send(Request.cmd(Command.PING))
        .timeout(PING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .map(pong -> true)
        .otherwise(false);
  }

  /** The common script arguments ({@link RedisChannel#scriptArgs}) at the clock's now. */
  private List<Object> commonArgs(RedisChannel channel) {
    return channel.scriptArgs(clock.instant(), process);
  }

  /** Runs {@code operation} on the channel's keys, or fails with UNKNOWN_CHANNEL for a channel not set up. */
  private <T> Future<T> withChannel(ChannelSpec spec, Function<RedisChannel, Future<T>> operation) {
    RedisChannel channel = channels.get(spec.name());
    return channel == null ? unknown(spec) : operation.apply(channel);
  }

  private static <T> Future<T> unknown(ChannelSpec spec) {
    return Future.failedFuture(new BufferException(Reason.UNKNOWN_CHANNEL, "unknown channel " + spec.name()));
  }

  private <T> Future<T> unavailable(Throwable cause) {
    if (cause instanceof BufferException) {
      return Future.failedFuture(cause);
    }
    LOG.warn("Redis buffer call failed: {}", cause.toString());
    return Future.failedFuture(new BufferException(Reason.UNAVAILABLE, "message buffer unavailable"));
  }

  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec spec, List<String> messageIds) {
    return withChannel(spec, channel -> {
      return deadLetters.replay(spec, channel, messageIds).recover(this::unavailable);
    });
  }

  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec spec, String messageId) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    return deadLetters.delete(spec.name(), messageId).recover(this::unavailable);
  }

  @Override
  public Future<TokenState> tokenState(ChannelSpec spec) {
    return withChannel(spec, channel -> {
      return tokens.read(spec, channel).recover(this::unavailable);
    });
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec spec, String newTokenHash, long graceMillis) {
    return withChannel(spec, channel -> {
      return tokens.rotate(spec, channel, newTokenHash, graceMillis).recover(this::unavailable);
    });
  }
}
