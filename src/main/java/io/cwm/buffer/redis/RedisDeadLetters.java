package io.cwm.buffer.redis;

import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of a channel on Redis: the channel's DLQ sorted set ({@link RedisKeys#deadLetters},
 * scored by failure time) of the layout shared with Python receivers, which add members too (here
 * the nack and lease scripts add them). Lists them, replays them to their webhook's stream one
 * script run each (replay.lua) and deletes them, whichever receiver wrote them. Failures are the
 * caller's to map.
 */
final class RedisDeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDeadLetters.class);
  static final LuaScript REPLAY = LuaScript.load("replay");
  /** Dead letters read per round trip when replaying or deleting (each holds a whole envelope). */
  private static final int DEAD_LETTER_PAGE = 64;

  private final Redis redis;
  private final Clock clock;
  private final String process;

  RedisDeadLetters(Redis redis, Clock clock, String process) {
    this.redis = redis;
    this.clock = clock;
    this.process = process;
  }

  /**
   * The admin items of the channel's dead letters, newest first. A member without {@code reason}
   * (written by another receiver) gets one derived from its error text. Extra item fields:
   * {@code error}, {@code delivery_count}.
   */
  Future<List<JsonObject>> list(String channel, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return redis.send(Request.cmd(Command.ZREVRANGE).arg(RedisKeys.deadLetters(channel))
            .arg(0).arg(limit - 1))
        .map(reply -> {
          List<JsonObject> items = new ArrayList<>();
          for (Response member : reply) {
            try {
              items.add(deadLetterItem(new JsonObject(member.toString())));
            } catch (RuntimeException e) {
              LOG.warn("Unreadable dead letter skipped [channel: {}]", channel);
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

  /**
   * Oldest dead letter first (by failure time; at equal milliseconds in no set order), members
   * of any writer included when their envelope is readable. Each message moves by one script
   * (replay.lua), so a dead letter replayed or deleted meanwhile by another receiver is skipped,
   * never doubled. Stops at the first one whose webhook queue holds max_queue_size entries and
   * returns what was replayed until then; dead letters of a webhook that does not feed the
   * channel (any more) are skipped. Reads the DLQ in pages by rank: dead letters removed by
   * another receiver during the walk may shift one past it (it stays a dead letter).
   */
  Future<List<String>> replay(ChannelSpec spec, RedisChannel channel, List<String> messageIds) {
    Set<String> wanted = messageIds == null ? null : new HashSet<>(messageIds);
    if (wanted != null && wanted.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return replayFrom(spec, channel, wanted, 0, new LinkedHashSet<>())
        .<List<String>>map(List::copyOf)
        .onSuccess(replayed -> LOG.info("Dead letters replayed [channel: {}, count: {}]", spec.name(), replayed.size()));
  }

  /** Replays from rank {@code offset} of the DLQ on; the ranks before hold what was left there. */
  private Future<Set<String>> replayFrom(ChannelSpec spec, RedisChannel channel, Set<String> wanted, long offset,
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
  private Future<Integer> replayPage(ChannelSpec spec, RedisChannel channel, Set<String> wanted, List<String> members,
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
    List<Object> args = channel.scriptArgs(now, process);
    args.add((long) queue.maxQueueSize());
    args.add(member);
    args.add(dead.messageId());
    args.add(data);
    args.add(expiresAt);
    args.add(dead.envelope().getValue("ordering_key") instanceof String key ? key : "");
    String stream = RedisKeys.stream(spec.name(), queue.webhookId());
    return REPLAY.run(redis, channel.keysWith(List.of(stream)), args).compose(reply -> switch (reply.toString()) {
      case "full" -> Future.succeededFuture(-1);
      case "replayed" -> {
        LOG.debug("Dead letter replayed [channel: {}, message_id: {}]", spec.name(), dead.messageId());
        replayed.add(dead.messageId());
        yield replayPage(spec, channel, wanted, members, from + 1, left, replayed);
      }
      default -> replayPage(spec, channel, wanted, members, from + 1, left, replayed); // gone meanwhile
    });
  }

  /** A DLQ member (of any writer) with a readable envelope. */
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

  /**
   * Removes every DLQ member of the message (ZSCAN: no order needed, robust to concurrent
   * changes); false when there was none.
   */
  Future<Boolean> delete(String channel, String messageId) {
    return deleteFrom(RedisKeys.deadLetters(channel), messageId, "0", false)
        .onSuccess(deleted -> {
          if (deleted) {
            LOG.info("Dead letter deleted [channel: {}, message_id: {}]", channel, messageId);
          }
        });
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

}
