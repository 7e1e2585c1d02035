package io.cwm.stream.edge;

import io.cwm.buffer.MessageBuffer;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.BiConsumer;
import io.cwm.stream.TokenGuard;

/**
 * Which channel a request of this edge may use: the token presented is checked through the
 * process's {@link TokenGuard} against the channel's token state in the buffer. A refusal fails
 * the routing context (the router's failure handler answers).
 *
 * <p>An unknown channel is answered exactly like a wrong token (same status, same body, the same
 * backend read before the answer, see {@link TokenGuard#checkUnknown}: a real channel serves as
 * the decoy), so channel names cannot be enumerated without a token.
 */
final class ChannelAccess {
  private final Map<String, ChannelSpec> channels;
  private final TokenGuard tokens;
  private final MessageBuffer buffer;
  /** A real channel whose token state an unknown channel's check reads (null: no channels at all). */
  private final ChannelSpec decoy;

  ChannelAccess(Map<String, ChannelSpec> channels, TokenGuard tokens, MessageBuffer buffer) {
    this.channels = channels;
    this.tokens = tokens;
    this.buffer = buffer;
    this.decoy = channels.isEmpty() ? null : channels.values().iterator().next();
  }

  boolean noChannels() {
    return channels.isEmpty();
  }

  /**
   * Checks {@code token} for the channel named in the path; on success runs {@code accepted} with
   * the channel and the token's digest, else fails the context with {@code refusal} and
   * {@code invalid} (or 503 when the token state cannot be read at all).
   */
  void authenticate(RoutingContext context, String token, FailureCode refusal, String invalid,
      BiConsumer<ChannelSpec, String> accepted) {
    String channelName = context.pathParam("channel");
    ChannelSpec channel = channelName == null ? null : channels.get(channelName);
    Future<TokenGuard.Check> check = channel != null ? tokens.check(buffer, channel, token)
        : tokens.checkUnknown(buffer, decoy, token);
    check.onComplete(done -> {
      if (done.failed()) {
        context.fail(new CwmException(FailureCode.UNAVAILABLE, "Webhook Connect buffer unavailable", 5));
      } else if (channel == null || !done.result().ok()) {
        context.fail(new CwmException(refusal, invalid));
      } else {
        accepted.accept(channel, done.result().hash());
      }
    });
  }

  /** The channel {@code token} is valid for (/connect/ack names none), or null. */
  Future<ChannelSpec> channelFor(String token) {
    return tokens.channelFor(buffer, channels, token);
  }

  /** Whether a stream that authenticated with the token of digest {@code tokenHash} may go on. */
  boolean stillValid(ChannelSpec channel, String tokenHash) {
    return tokens.stillValid(buffer, channel, tokenHash);
  }
}
