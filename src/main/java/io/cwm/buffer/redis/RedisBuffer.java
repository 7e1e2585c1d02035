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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook Connect buffer on Redis (spec §5.2, semantics §4.12). Everything a message is — the
 * stream entry, its lease, delivery count, delayed retry, dead letter, the sequence counter and
 * the statistics — lives in Redis, so every receiver on the same Redis sees the same state and any
 * of them can ack, nack or release what another leased. The channel's token state is there too
 * (hash {@link RedisKeys#channel}), so a rotation holds on every receiver and across restarts.
 *
 * <p>Each operation is one Lua script (see the {@code .lua} files next to this class), so it is
 * atomic across receivers; time comes from the Java clock, not from Redis. Layout: Python's
 * stream per webhook queue with fields {@code message_id}, {@code data}, {@code expires_at}, read
 * through Python's consumer group (consumer {@value #CONSUMER}), Python's meta hash and channel
 * DLQ sorted set; the rest under {@code webhook_connect:j:} ({@link RedisKeys}). The leases in
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
  /** Consumer of every Java receiver in Python's group; leases, not the PEL, say who holds what. */
  static final String CONSUMER = "cwm_java";
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  /** Long-lived pipelined connections (Redis runs one command at a time anyway). */
  private static final int PIPELINES = 2;
  private static final long PING_TIMEOUT_MILLIS = 2000;
  private static final int RECLAIM_BATCH = 500;
  private static final int SCAN_COUNT = 1000;
  /** Dead letters read per round trip when replaying or deleting (each holds a whole envelope). */
  private static final int DEAD_LETTER_PAGE = 64;
  /** Compare-and-set attempts of a token change before giving up (only concurrent changes retry). */
  private static final int TOKEN_ATTEMPTS = 16;
  /** Fields of the token hash, in the order token.lua takes them. */
  private static final List<String> TOKEN_FIELDS =
      List.of("current", "previous", "previous_expires_at", "config", "rotated_at");
  /** Envelope JSON after the sequence number, as Python stores it. */
  private static final String ENVELOPE_TAIL = ",\"delivery_count\":0,\"state\":\"pending\"}";
  private static final int SEQUENCE_BYTES = ",\"sequence\":0".length();
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
  private static final LuaScript REPLAY = LuaScript.load("replay");
  private static final LuaScript TOKEN = LuaScript.load("token");
  private static final List<LuaScript> SCRIPTS =
      List.of(PUBLISH, LEASE, ACK, NACK, RELEASE, RECLAIM, STATS, REPLAY, TOKEN);

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
  private final Map<String, Registered> channels = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A channel opened here: its common script keys and the streams it reads. */
  private record Registered(String name, List<String> keys, String ownerPrefix, List<String> streams) {
    Registered withStreams(Collection<String> more) {
      Set<String> all = new LinkedHashSet<>(streams);
      all.addAll(more);
      return new Registered(name, keys, ownerPrefix, List.copyOf(all));
    }
  }

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
      channels.merge(spec.name(), new Registered(spec.name(), RedisKeys.channelKeys(spec.name()),
          RedisKeys.ownerPrefix(spec.name()), streams), (old, fresh) -> old.withStreams(streams));
    }
    Set<String> names = specs.stream().map(ChannelSpec::name).collect(Collectors.toSet());
    return Future.all(SCRIPTS.stream().map(script -> script.preload(redis)).toList())
        .compose(loaded -> heartbeat())
        .compose(alive -> Future.all(specs.stream().map(this::prepareQueues).toList()))
        .compose(prepared -> Future.all(specs.stream().map(this::alignToken).toList()))
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
    Registered channel = channels.get(spec.name());
    ChannelSpec.Queue queue = spec.queue(envelope.webhookId());
    if (channel == null || queue == null) {
      return Future.failedFuture(new BufferException(Reason.UNKNOWN_CHANNEL,
          "no queue for webhook " + envelope.webhookId() + " on channel " + spec.name()));
    }
    // the sequence is stamped inside the script: send the JSON up to it and after it
    JsonObject json = envelope.toJson();
    json.remove("sequence");
    json.remove("delivery_count");
    json.remove("state");
    String encoded = json.encode();
    Buffer head = Buffer.buffer(encoded.substring(0, encoded.length() - 1));
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
    return PUBLISH.run(redis, keys(channel, List.of(stream)), args).recover(this::unavailable)
        .compose(reply -> {
          if (reply.type() == ResponseType.NUMBER) { // -1: full
            return Future.failedFuture(new BufferException(Reason.QUEUE_FULL, "queue of webhook "
                + queue.webhookId() + " on channel " + spec.name() + " holds max_queue_size "
                + queue.maxQueueSize() + " messages"));
          }
          return Future.succeededFuture(envelope.withSequence(reply.get(0).toLong()));
        });
  }

  @Override
  public Future<List<Envelope>> lease(ChannelSpec spec, String owner, int max, long leaseMillis) {
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    if (max <= 0) {
      return Future.succeededFuture(List.of());
    }
    List<String> streams = rotated(channel.streams());
    List<String> keys = new ArrayList<>(1 + streams.size());
    keys.add(channel.ownerPrefix() + owner);
    keys.addAll(streams);
    Instant now = clock.instant();
    List<Object> args = commonArgs(channel, now);
    args.add(owner);
    args.add((long) max);
    args.add(now.toEpochMilli() + leaseMillis);
    args.add((long) spec.maxDeliveries());
    args.add(CONSUMER);
    return LEASE.run(redis, keys(channel, keys), args).recover(this::unavailable).map(reply -> {
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
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    List<Object> args = commonArgs(channel);
    args.add(messageId);
    return ACK.run(redis, channel.keys(), args).recover(this::unavailable)
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<NackOutcome> nack(ChannelSpec spec, String messageId, boolean retry) {
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
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
  }

  @Override
  public Future<Integer> release(ChannelSpec spec, String owner) {
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    List<Object> args = commonArgs(channel);
    args.add(owner);
    return RELEASE.run(redis, keys(channel, List.of(channel.ownerPrefix() + owner)), args)
        .recover(this::unavailable).map(Response::toInteger);
  }

  @Override
  public Future<Integer> reclaimExpiredLeases(ChannelSpec spec) {
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    return reclaimBatches(channel, 0).recover(this::unavailable);
  }

  /**
   * Leases past their deadline, a batch at a time, and (in the first batch) every lease held by a
   * receiver process whose liveness key has expired (reclaim.lua).
   */
  private Future<Integer> reclaimBatches(Registered channel, int soFar) {
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
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    List<String> streams = channel.streams();
    return STATS.run(redis, keys(channel, streams), commonArgs(channel)).recover(this::unavailable)
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
  }

  /** Stream keys end in {@code :{webhook_id}}; webhook ids cannot contain ':'. */
  private static String webhookOf(String stream) {
    return stream.substring(stream.lastIndexOf(':') + 1);
  }

  /**
   * Newest first. Reads members written by us and by Python ({@code reason} is then derived from
   * Python's error text). Extra item fields: {@code error}, {@code delivery_count}.
   */
  @Override
  public Future<List<JsonObject>> deadLetters(ChannelSpec spec, int limit) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return redis.send(Request.cmd(Command.ZREVRANGE).arg(RedisKeys.deadLetters(spec.name()))
            .arg(0).arg(limit - 1))
        .recover(this::unavailable).map(reply -> {
          List<JsonObject> items = new ArrayList<>();
          for (Response member : reply) {
            try {
              items.add(deadLetterItem(new JsonObject(member.toString())));
            } catch (RuntimeException e) {
              LOG.warn("Unreadable dead letter skipped [channel: {}]", spec.name());
            }
          }
          return items;
        });
  }

  private static JsonObject deadLetterItem(JsonObject member) {
    JsonObject entry = member.getJsonObject("data", new JsonObject());
    String data = entry.getString("data", "");
    JsonObject envelope = data.isEmpty() ? null : new JsonObject(data);
    if (envelope != null && member.getValue("delivery_count") instanceof Number deliveries) {
      envelope.put("delivery_count", deliveries.intValue());
    }
    String error = member.getString("error");
    String reason = member.getString("reason",
        "Permanent failure".equals(error) ? "rejected" : "failed");
    String webhookId = member.getString("webhook_id",
        envelope == null ? null : envelope.getString("webhook_id"));
    return new JsonObject()
        .put("message_id", entry.getString("message_id"))
        .put("webhook_id", webhookId)
        .put("reason", reason)
        .put("dead_lettered_at", member.getString("failed_at"))
        .put("error", error)
        .put("delivery_count", member.getValue("delivery_count"))
        .put("envelope", envelope);
  }

  @Override
  public Future<Boolean> ping() {
    return redis.send(Request.cmd(Command.PING))
        .timeout(PING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .map(pong -> true)
        .otherwise(false);
  }

  /** ARGV[1..7] of every script: now (ms), now (ISO), owner-set prefix, group, held-set prefix, liveness prefix, process. */
  private List<Object> commonArgs(Registered channel) {
    return commonArgs(channel, clock.instant());
  }

  private List<Object> commonArgs(Registered channel, Instant now) {
    List<Object> args = new ArrayList<>(20);
    args.add(String.valueOf(now.toEpochMilli()));
    args.add(Envelope.format(now));
    args.add(channel.ownerPrefix());
    args.add(RedisKeys.GROUP);
    args.add(RedisKeys.heldPrefix(channel.name()));
    args.add(RedisKeys.ALIVE_PREFIX);
    args.add(process);
    return args;
  }

  private static List<String> keys(Registered channel, List<String> more) {
    List<String> keys = new ArrayList<>(channel.keys().size() + more.size());
    keys.addAll(channel.keys());
    keys.addAll(more);
    return keys;
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

  /**
   * Oldest dead letter first (by failure time; at equal milliseconds in no set order), members
   * written by Python included when their envelope is readable. Each message moves by one script
   * (replay.lua), so a dead letter replayed or deleted meanwhile by another receiver is skipped,
   * never doubled. Stops at the first one whose webhook queue holds max_queue_size entries and
   * returns what was replayed until then; dead letters of a webhook that does not feed the
   * channel (any more) are skipped. Reads the DLQ in pages by rank: dead letters removed by
   * another receiver during the walk may shift one past it (it stays a dead letter).
   */
  @Override
  public Future<List<String>> replayDeadLetters(ChannelSpec spec, List<String> messageIds) {
    Registered channel = channels.get(spec.name());
    if (channel == null) {
      return unknown(spec);
    }
    Set<String> wanted = messageIds == null ? null : new HashSet<>(messageIds);
    if (wanted != null && wanted.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return replayFrom(spec, channel, wanted, 0, new LinkedHashSet<>())
        .<List<String>>map(List::copyOf)
        .onSuccess(replayed -> LOG.info("Dead letters replayed [channel: {}, count: {}]", spec.name(), replayed.size()))
        .recover(this::unavailable);
  }

  /** Replays from rank {@code offset} of the DLQ on; the ranks before hold what was left there. */
  private Future<Set<String>> replayFrom(ChannelSpec spec, Registered channel, Set<String> wanted, long offset,
      Set<String> replayed) {
    return redis.send(Request.cmd(Command.ZRANGE).arg(RedisKeys.deadLetters(spec.name()))
        .arg(offset).arg(offset + DEAD_LETTER_PAGE - 1)).compose(page -> {
          List<String> members = new ArrayList<>(page.size());
          page.forEach(member -> members.add(member.toString()));
          return replayPage(spec, channel, wanted, members, 0, 0, replayed).compose(left -> {
            if (left < 0 || members.size() < DEAD_LETTER_PAGE
                || (wanted != null && replayed.size() == wanted.size())) {
              return Future.succeededFuture(replayed);
            }
            return replayFrom(spec, channel, wanted, offset + left, replayed);
          });
        });
  }

  /** Replays members[from..]; answers how many it left in the DLQ, or -1 when a queue was full. */
  private Future<Integer> replayPage(ChannelSpec spec, Registered channel, Set<String> wanted, List<String> members,
      int from, int left, Set<String> replayed) {
    if (from == members.size()) {
      return Future.succeededFuture(left);
    }
    String member = members.get(from);
    DeadLetter dead = DeadLetter.parse(member);
    if (dead == null) {
      LOG.warn("Unreadable dead letter not replayed [channel: {}]", spec.name());
      return replayPage(spec, channel, wanted, members, from + 1, left + 1, replayed);
    }
    if (replayed.contains(dead.messageId())) { // a second member of the message: it is queued already
      return redis.send(Request.cmd(Command.ZREM).arg(RedisKeys.deadLetters(spec.name())).arg(member))
          .compose(removed -> replayPage(spec, channel, wanted, members, from + 1, left, replayed));
    }
    ChannelSpec.Queue queue = spec.queue(dead.webhookId());
    if ((wanted != null && !wanted.contains(dead.messageId())) || queue == null) {
      return replayPage(spec, channel, wanted, members, from + 1, left + 1, replayed);
    }
    Instant now = clock.instant();
    String expiresAt = Envelope.format(now.plusSeconds(queue.ttlSeconds()));
    String data = dead.envelope().copy()
        .put("expires_at", expiresAt)
        .put("delivery_count", 0)
        .put("state", "pending")
        .encode();
    List<Object> args = commonArgs(channel, now);
    args.add((long) queue.maxQueueSize());
    args.add(member);
    args.add(dead.messageId());
    args.add(data);
    args.add(expiresAt);
    String stream = RedisKeys.stream(spec.name(), queue.webhookId());
    return REPLAY.run(redis, keys(channel, List.of(stream)), args).compose(reply -> switch (reply.toString()) {
      case "full" -> Future.succeededFuture(-1);
      case "replayed" -> {
        LOG.debug("Dead letter replayed [channel: {}, message_id: {}]", spec.name(), dead.messageId());
        replayed.add(dead.messageId());
        yield replayPage(spec, channel, wanted, members, from + 1, left, replayed);
      }
      default -> replayPage(spec, channel, wanted, members, from + 1, left, replayed); // gone meanwhile
    });
  }

  /** A DLQ member (ours or Python's) with a readable envelope. */
  private record DeadLetter(String messageId, String webhookId, JsonObject envelope) {
    static DeadLetter parse(String member) {
      try {
        JsonObject json = new JsonObject(member);
        JsonObject entry = json.getJsonObject("data");
        JsonObject envelope = new JsonObject(entry.getString("data"));
        String messageId = entry.getString("message_id", envelope.getString("message_id"));
        String webhookId = json.getString("webhook_id", envelope.getString("webhook_id"));
        return messageId == null || messageId.isEmpty() || webhookId == null ? null
            : new DeadLetter(messageId, webhookId, envelope);
      } catch (RuntimeException e) {
        return null;
      }
    }

    /** The message id of a member without reading its envelope further than needed; null if unreadable. */
    static String messageIdOf(String member) {
      try {
        JsonObject entry = new JsonObject(member).getJsonObject("data");
        String messageId = entry.getString("message_id");
        return messageId != null && !messageId.isEmpty() ? messageId
            : new JsonObject(entry.getString("data")).getString("message_id");
      } catch (RuntimeException e) {
        return null;
      }
    }
  }

  /** Removes every DLQ member of the message (ZSCAN: no order needed, robust to concurrent changes). */
  @Override
  public Future<Boolean> deleteDeadLetter(ChannelSpec spec, String messageId) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    return deleteFrom(RedisKeys.deadLetters(spec.name()), messageId, "0", false)
        .onSuccess(deleted -> {
          if (deleted) {
            LOG.info("Dead letter deleted [channel: {}, message_id: {}]", spec.name(), messageId);
          }
        })
        .recover(this::unavailable);
  }

  private Future<Boolean> deleteFrom(String key, String messageId, String cursor, boolean deleted) {
    return redis.send(Request.cmd(Command.ZSCAN).arg(key).arg(cursor).arg("COUNT").arg(DEAD_LETTER_PAGE))
        .compose(reply -> {
          List<Future<Response>> removals = new ArrayList<>();
          Response pairs = reply.get(1);
          for (int i = 0; i < pairs.size(); i += 2) { // member, score, member, score, ...
            String member = pairs.get(i).toString();
            if (messageId.equals(DeadLetter.messageIdOf(member))) {
              removals.add(redis.send(Request.cmd(Command.ZREM).arg(key).arg(member)));
            }
          }
          String next = reply.get(0).toString();
          return Future.all(removals).compose(done -> {
            boolean any = deleted || removals.stream().anyMatch(removal -> removal.result().toInteger() > 0);
            return "0".equals(next) ? Future.succeededFuture(any) : deleteFrom(key, messageId, next, any);
          });
        });
  }

  @Override
  public Future<TokenState> tokenState(ChannelSpec spec) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    // open() created it; a missing hash (flushed Redis) is created again from the configured token
    return readToken(spec).compose(read -> read.state() != null ? Future.succeededFuture(read.state())
        : alignToken(spec)).recover(this::unavailable);
  }

  @Override
  public Future<TokenState> rotateToken(ChannelSpec spec, String newTokenHash, long graceMillis) {
    if (!channels.containsKey(spec.name())) {
      return unknown(spec);
    }
    return changeToken(spec, state -> (state == null ? TokenState.initial(spec.token()) : state)
        .rotatedTo(newTokenHash, graceMillis, clock.millis()), TOKEN_ATTEMPTS)
        .map(change -> {
          LOG.info("Channel token rotated [channel: {}]", spec.name());
          return change.after();
        })
        .recover(this::unavailable);
  }

  private Future<TokenState> alignToken(ChannelSpec spec) {
    return changeToken(spec, state -> state == null ? TokenState.initial(spec.token())
        : state.alignedWith(spec.token(), clock.millis()), TOKEN_ATTEMPTS).map(change -> {
          if (change.before() != null && !change.before().currentHash().equals(change.after().currentHash())) {
            LOG.info("Configured channel token changed: now current, the previous one valid for {} s [channel: {}]",
                TokenState.CONFIG_CHANGE_GRACE_SECONDS, spec.name());
          }
          return change.after();
        });
  }

  /** A token state as written over the one it replaced (equal when nothing changed). */
  private record TokenChange(TokenState before, TokenState after) {}

  /** The token hash as read: its raw fields ('' when absent) and the state (null when there is none). */
  private record ReadToken(List<String> fields, TokenState state) {}

  private Future<ReadToken> readToken(ChannelSpec spec) {
    Request request = Request.cmd(Command.HMGET).arg(RedisKeys.channel(spec.name()));
    TOKEN_FIELDS.forEach(request::arg);
    return redis.send(request).map(reply -> {
      List<String> fields = new ArrayList<>(TOKEN_FIELDS.size());
      for (int i = 0; i < TOKEN_FIELDS.size(); i++) {
        Response value = reply.get(i);
        fields.add(value == null ? "" : value.toString());
      }
      TokenState state = fields.get(0).isEmpty() ? null : new TokenState(fields.get(0),
          fields.get(1).isEmpty() ? null : fields.get(1), parseLong(fields.get(2)), fields.get(3),
          parseLong(fields.get(4)));
      return new ReadToken(fields, state);
    });
  }

  /**
   * Reads the state, applies {@code change} (null in: no state yet) and writes the result by
   * compare-and-set on the fields read (token.lua); reads again when another receiver wrote in
   * between, so concurrent changes apply one after the other.
   */
  private Future<TokenChange> changeToken(ChannelSpec spec, UnaryOperator<TokenState> change, int attempts) {
    Registered channel = channels.get(spec.name());
    return readToken(spec).compose(read -> {
      TokenState next = change.apply(read.state());
      if (next.equals(read.state())) {
        return Future.succeededFuture(new TokenChange(read.state(), next));
      }
      List<Object> args = commonArgs(channel);
      args.addAll(read.fields());
      args.add(next.currentHash());
      args.add(next.previousHash() == null ? "" : next.previousHash());
      args.add(String.valueOf(next.previousExpiresAtMillis()));
      args.add(next.configHash());
      args.add(String.valueOf(next.rotatedAtMillis()));
      return TOKEN.run(redis, keys(channel, List.of(RedisKeys.channel(spec.name()))), args).compose(written -> {
        if (written.toInteger() == 1) {
          return Future.succeededFuture(new TokenChange(read.state(), next));
        }
        if (attempts <= 1) {
          return Future.failedFuture(new BufferException(Reason.UNAVAILABLE,
              "token state of channel " + spec.name() + " kept changing"));
        }
        return changeToken(spec, change, attempts - 1);
      });
    });
  }

  private static long parseLong(String text) {
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
