package io.cwm.buffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The channel tokens every receiver on one backend agrees on (spec §6.7, Java column). Tokens
 * are kept as SHA-256 hex digests only, so a backend dump does not reveal them.
 *
 * <p>{@code configHash} is the digest of the {@code channel_token} the state was last aligned
 * with: the configured token is only the initial one. When a start-up finds a different configured
 * token, that token becomes current and the old current one stays valid for
 * {@link #CONFIG_CHANGE_GRACE_SECONDS}.
 *
 * @param currentHash digest of the current token
 * @param previousHash digest of the token replaced by the last rotation, or null
 * @param previousExpiresAtMillis when the previous token stops working (epoch millis; 0 if none)
 * @param configHash digest of the configured token this state was aligned with
 * @param rotatedAtMillis when the last rotation (or config change) happened; 0 if never
 */
public record TokenState(String currentHash, String previousHash, long previousExpiresAtMillis,
    String configHash, long rotatedAtMillis) {

  public static final long CONFIG_CHANGE_GRACE_SECONDS = 3600;

  /** What a presented token matches. */
  public enum Match { CURRENT, PREVIOUS, NONE }

  /** The state of a channel seen for the first time: the configured token is current. */
  public static TokenState initial(String configuredToken) {
    String hash = hash(configuredToken);
    return new TokenState(hash, null, 0, hash, 0);
  }

  /**
   * The state after start-up with {@code configuredToken}: unchanged when it is the token this
   * state was aligned with, else the configured token becomes current and the current one gets
   * the default grace.
   */
  public TokenState alignedWith(String configuredToken, long nowMillis) {
    String hash = hash(configuredToken);
    if (hash.equals(configHash)) {
      return this;
    }
    if (hash.equals(currentHash)) {
      return new TokenState(currentHash, previousHash, previousExpiresAtMillis, hash, rotatedAtMillis);
    }
    return new TokenState(hash, currentHash, nowMillis + CONFIG_CHANGE_GRACE_SECONDS * 1000, hash, nowMillis);
  }

  /** The state after a rotation to {@code newTokenHash}; only one previous token is kept. */
  public TokenState rotatedTo(String newTokenHash, long graceMillis, long nowMillis) {
    return new TokenState(newTokenHash, currentHash, nowMillis + graceMillis, configHash, nowMillis);
  }

  /** Constant-time match of a presented token's digest. */
  public Match match(String presentedHash, long nowMillis) {
    boolean current = equal(currentHash, presentedHash);
    boolean previous = previousHash != null && nowMillis < previousExpiresAtMillis
        && equal(previousHash, presentedHash);
    return current ? Match.CURRENT : previous ? Match.PREVIOUS : Match.NONE;
  }

  /** Whether a session that authenticated with {@code hash} may stay open at {@code nowMillis}. */
  public boolean stillValid(String hash, long nowMillis) {
    return match(hash, nowMillis) != Match.NONE;
  }

  private static boolean equal(String expected, String presented) {
    return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }

  /** SHA-256 hex of a token. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
