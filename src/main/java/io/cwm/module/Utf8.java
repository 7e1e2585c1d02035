package io.cwm.module;

/** Text sizes as a server counts them: the UTF-8 length of a string, without encoding it. */
public final class Utf8 {
  private Utf8() {}

  /**
   * The number of bytes {@code text} takes in UTF-8; an unpaired surrogate counts as the 3 bytes
   * of the replacement character it is encoded as.
   */
  public static int length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
