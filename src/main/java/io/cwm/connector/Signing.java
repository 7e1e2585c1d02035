package io.cwm.connector;

import java.util.Arrays;

/**
 * A target's re-signing ({@code "sign"} in connector.json): the connector adds a
 * <a href="https://www.standardwebhooks.com">Standard Webhooks</a> signature of the body it sends
 * ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}), made with the
 * target's secret. The key never appears in {@link #toString} (configs are printed and logged).
 *
 * @param key the HMAC-SHA256 key: the base64-decoded part of {@code whsec_<base64>}
 */
public record Signing(byte[] key) {
  /** The prefix of a Standard Webhooks secret. */
  public static final String SECRET_PREFIX = "whsec_";

  public Signing {
    key = key.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Signing signing && java.security.MessageDigest.isEqual(key, signing.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "Signing[standard-webhooks, key=***]";
  }
}
