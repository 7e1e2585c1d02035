package io.cwm.stream;

import io.cwm.config.ChannelSpec;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.TokenState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This process's view of the channel tokens, which live in the buffer backend so that every
 * receiver agrees (spec §6.7, Java column). One per process, shared by every event loop.
 *
 * <p>Checks answer from a cached {@link TokenState}; a state older than {@link #MAX_AGE_MS} is
 * refreshed in the background, and a token that matches nothing re-reads the state before it is
 * refused, so a rotation made through another receiver is honoured here at once. Concurrent
 * reads of one channel share one backend call, so a flood of wrong tokens costs at most one read
 * per wrong token (one small hash read on Redis), never more. When the backend cannot be read the
 * last known state stands; with none, the check fails (the caller answers 503).
 */
public final class TokenGuard {
  static final long MAX_AGE_MS = 1000;
  /** What an unknown channel's token is compared with: the digest of no token (not valid hex). */
  private static final TokenState NO_CHANNEL = new TokenState("z".repeat(64), null, 0, "z".repeat(64), 0);

  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Future<TokenState>> loading = new ConcurrentHashMap<>();

  private record Cached(TokenState state, long loadedAt) {}

  /** What a presented token is for a channel; {@code hash} identifies it for expiry checks. */
  public record Check(TokenState.Match match, String hash) {
    public boolean ok() {
      return match != TokenState.Match.NONE;
    }
  }

  public TokenGuard(Clock clock) {
    this.clock = clock;
  }

  /** Checks {@code token} for {@code channel} (null channel or empty token: NONE). */
  public Future<Check> check(MessageBuffer buffer, ChannelSpec channel, String token) {
    if (channel == null || token == null || token.isEmpty()) {
      return Future.succeededFuture(new Check(TokenState.Match.NONE, null));
    }
    return checkHash(buffer, channel, TokenState.hash(token));
  }

  /**
   * The check of a token presented for a channel that does not exist: always NONE, reached the
   * way a wrong token for {@code decoy} (a real channel) is, so that an unknown channel cannot be
   * told from a known one by the answer or its timing: the token is hashed, compared in constant
   * time (with a digest no token has), and the decoy's state is read again from the backend, as
   * for a wrong token. A backend that cannot be read fails the check as it would for a real channel
   * whose state was never read. Empty token: NONE at once, as in {@link #check}.
   */
  public Future<Check> checkUnknown(MessageBuffer buffer, ChannelSpec decoy, String token) {
    if (decoy == null || token == null || token.isEmpty()) {
      return Future.succeededFuture(new Check(TokenState.Match.NONE, null));
    }
    String hash = TokenState.hash(token);
    Cached cached = cache.get(decoy.name());
    if (cached == null) {
      return load(buffer, decoy).map(state -> new Check(NO_CHANNEL.match(hash, clock.millis()), hash));
    }
    if (clock.millis() - cached.loadedAt > MAX_AGE_MS) {
      load(buffer, decoy);
    }
    NO_CHANNEL.match(hash, clock.millis()); // the cached compare a wrong token for a real channel makes
    return load(buffer, decoy).map(state -> new Check(NO_CHANNEL.match(hash, clock.millis()), hash))
        .recover(failure -> Future.succeededFuture(new Check(TokenState.Match.NONE, hash)));
  }

  private Future<Check> checkHash(MessageBuffer buffer, ChannelSpec channel, String hash) {
    long now = clock.millis();
    Cached cached = cache.get(channel.name());
    if (cached == null) {
      return load(buffer, channel).map(state -> new Check(state.match(hash, clock.millis()), hash));
    }
    if (now - cached.loadedAt > MAX_AGE_MS) {
      load(buffer, channel); // background; this answer uses what is known
    }
    TokenState.Match match = cached.state.match(hash, now);
    if (match == TokenState.Match.NONE) {
      return load(buffer, channel).map(state -> new Check(state.match(hash, clock.millis()), hash))
          .recover(failure -> Future.succeededFuture(new Check(TokenState.Match.NONE, hash)));
    }
    return Future.succeededFuture(new Check(match, hash));
  }

  /** The channel among {@code channels} that {@code token} opens, or null (for /connect/ack). */
  public Future<ChannelSpec> channelFor(MessageBuffer buffer, Map<String, ChannelSpec> channels, String token) {
    if (token == null || token.isEmpty() || channels.isEmpty()) {
      return Future.succeededFuture(null);
    }
    String hash = TokenState.hash(token);
    long now = clock.millis();
    for (ChannelSpec channel : channels.values()) { // the usual case: a cached match, no backend read
      Cached cached = cache.get(channel.name());
      if (cached != null && cached.state.match(hash, now) != TokenState.Match.NONE) {
        if (now - cached.loadedAt > MAX_AGE_MS) {
          load(buffer, channel);
        }
        return Future.succeededFuture(channel);
      }
    }
    Future<ChannelSpec> found = Future.succeededFuture(null);
    for (ChannelSpec channel : channels.values()) {
      found = found.compose(before -> before != null ? Future.succeededFuture(before)
          : checkHash(buffer, channel, hash).map(check -> check.ok() ? channel : null)
              .recover(failure -> Future.succeededFuture(null)));
    }
    return found;
  }

  /**
   * Whether a session that authenticated with {@code hash} may stay open now, by the cached state
   * (refreshed in the background when old). Unknown channel state: yes (nothing to go by).
   */
  public boolean stillValid(MessageBuffer buffer, ChannelSpec channel, String hash) {
    Cached cached = cache.get(channel.name());
    if (cached == null) {
      return true;
    }
    long now = clock.millis();
    if (now - cached.loadedAt > MAX_AGE_MS) {
      load(buffer, channel);
    }
    return cached.state.stillValid(hash, now);
  }

  /** The state after a rotation through this process: used at once, before any refresh. */
  public void remember(ChannelSpec channel, TokenState state) {
    cache.put(channel.name(), new Cached(state, clock.millis()));
  }

  /** The last known state of a channel, or null. */
  public TokenState known(String channel) {
    Cached cached = cache.get(channel);
    return cached == null ? null : cached.state;
  }

  private Future<TokenState> load(MessageBuffer buffer, ChannelSpec channel) {
    String name = channel.name();
    Promise<TokenState> promise = Promise.promise();
    Future<TokenState> running = loading.putIfAbsent(name, promise.future());
    if (running != null) {
      return running;
    }
    buffer.tokenState(channel).onComplete(done -> {
      loading.remove(name, promise.future());
      if (done.succeeded()) {
        // a read that started before a rotation made here must not undo it
        Cached kept = cache.merge(name, new Cached(done.result(), clock.millis()),
            (old, fresh) -> fresh.state.rotatedAtMillis() >= old.state.rotatedAtMillis() ? fresh
                : new Cached(old.state, fresh.loadedAt));
        promise.complete(kept.state);
        return;
      }
      Cached last = cache.get(name);
      if (last != null) {
        promise.complete(last.state);
      } else {
        promise.fail(done.cause());
      }
    });
    return promise.future();
  }
}
