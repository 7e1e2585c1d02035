package io.cwm.buffer.redis;

import io.cwm.buffer.BufferException;
import io.cwm.buffer.BufferException.Reason;
import io.cwm.buffer.TokenState;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel tokens on Redis: one hash per channel ({@link RedisKeys#channel}) holding the
 * {@link TokenState} fields, changed only by compare-and-set on the fields read (token.lua), so
 * receivers starting or rotating at once apply their changes one after the other. Failures are
 * the caller's to map.
 */
final class RedisTokens {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTokens.class);
  static final LuaScript TOKEN = LuaScript.load("token");
  /** Compare-and-set attempts of a token change before giving up (only concurrent changes retry). */
  private static final int TOKEN_ATTEMPTS = 16;
  /** Fields of the token hash, in the order token.lua takes them. */
  private static final List<String> TOKEN_FIELDS =
      List.of("current", "previous", "previous_expires_at", "config", "rotated_at");

  private final Redis redis;
  private final Clock clock;
  private final String process;

  RedisTokens(Redis redis, Clock clock, String process) {
    this.redis = redis;
    this.clock = clock;
    this.process = process;
  }

  /**
   * The channel's token state. The buffer's open created it; a missing hash (a flushed Redis) is
   * created again from the configured token.
   */
  Future<TokenState> read(ChannelSpec spec, RedisChannel channel) {
    return readToken(spec).compose(read -> read.state() != null ? Future.succeededFuture(read.state())
        : align(spec, channel));
  }

  /** Makes {@code newTokenHash} current; the current one stays valid for {@code graceMillis}. */
  Future<TokenState> rotate(ChannelSpec spec, RedisChannel channel, String newTokenHash, long graceMillis) {
    return changeToken(spec, channel, state -> (state == null ? TokenState.initial(spec.token()) : state)
        .rotatedTo(newTokenHash, graceMillis, clock.millis()), TOKEN_ATTEMPTS)
        .map(change -> {
          LOG.info("Channel token rotated [channel: {}]", spec.name());
          return change.after();
        });
  }

  /**
   * Creates the state from the configured token ({@link TokenState#initial}) or aligns it with a
   * changed one ({@link TokenState#alignedWith}).
   */
  Future<TokenState> align(ChannelSpec spec, RedisChannel channel) {
    return changeToken(spec, channel, state -> state == null ? TokenState.initial(spec.token())
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
  private Future<TokenChange> changeToken(ChannelSpec spec, RedisChannel channel, UnaryOperator<TokenState> change,
      int attempts) {
    return readToken(spec).compose(read -> {
      TokenState next = change.apply(read.state());
      if (next.equals(read.state())) {
        return Future.succeededFuture(new TokenChange(read.state(), next));
      }
      List<Object> args = channel.scriptArgs(clock.instant(), process);
      args.addAll(read.fields());
      args.add(next.currentHash());
      args.add(next.previousHash() == null ? "" : next.previousHash());
      args.add(String.valueOf(next.previousExpiresAtMillis()));
      args.add(next.configHash());
      args.add(String.valueOf(next.rotatedAtMillis()));
      return TOKEN.run(redis, channel.keysWith(List.of(RedisKeys.channel(spec.name()))), args).compose(written -> {
        if (written.toInteger() == 1) {
          return Future.succeededFuture(new TokenChange(read.state(), next));
        }
        if (attempts <= 1) {
          return Future.failedFuture(new BufferException(Reason.UNAVAILABLE,
              "token state of channel " + spec.name() + " kept changing"));
        }
        return changeToken(spec, channel, change, attempts - 1);
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
