package io.cwm.validate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Constant-time comparison of secrets (over their UTF-8 bytes). */
public final class ConstantTime {
  private ConstantTime() {}

  /**
   * True when both are non-null and equal. The time taken depends only on the lengths, never on
   * where the first difference is.
   */
  public static boolean equals(String expected, String actual) {
    if (expected == null || actual == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
  }
}
