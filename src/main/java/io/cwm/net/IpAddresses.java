package io.cwm.net;

import java.util.Arrays;
import java.util.Locale;

/**
 * IP literals and CIDR ranges, parsed by hand so that nothing here can ever trigger a DNS lookup
 * ({@code InetAddress.getByName} resolves anything that is not a literal, and accepts legacy
 * forms such as {@code 127.1}).
 *
 * <p>IPv4 is strict dotted-quad (no leading zeros); IPv6 is the RFC 4291 text form, optionally
 * ending in a dotted quad. An IPv4-mapped IPv6 address
 * ({@code ::ffff:1.2.3.4}) is returned as the IPv4 address, so it matches IPv4 entries.
 */
public final class IpAddresses {
  private IpAddresses() {}

  /** An address range: {@code network/prefix} (an exact address has the full prefix). */
  public record Range(byte[] network, int prefix) {
    public boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int fullBytes = prefix / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Range range && prefix == range.prefix
          && Arrays.equals(network, range.network);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
      return format(network) + "/" + prefix;
    }
  }

  /** Parses an exact address or a CIDR range; null when it is neither. Host bits are masked. */
  public static Range parseRange(String text) {
    if (text == null) {
      return null;
    }
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] address = parse(addressPart);
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String prefixText = trimmed.substring(slash + 1);
      if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(Character::isDigit)) {
        return null;
      }
      prefix = Integer.parseInt(prefixText);
      // "::ffff:10.0.0.0/104" is parsed as IPv4: shift an IPv6-sized prefix down
      if (address.length == 4 && addressPart.indexOf(':') >= 0) {
        prefix -= 96;
      }
      if (prefix < 0 || prefix > bits) {
        return null;
      }
    }
    return new Range(mask(address, prefix), prefix);
  }

  /** Parses an IP literal into 4 or 16 bytes; null when the text is not a literal. */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    if (text.indexOf(':') >= 0) {
      byte[] v6 = parseV6(text);
      return v6 == null ? null : unmapV4(v6);
    }
    return parseV4(text);
  }

  public static byte[] parseV4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] result = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < part.length(); j++) {
        char c = part.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255) {
        return null;
      }
      result[i] = (byte) value;
    }
    return result;
  }

  private static byte[] parseV6(String text) {
    String s = text;
    byte[] embeddedV4 = null;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.', lastColon) > lastColon) {
      embeddedV4 = parseV4(s.substring(lastColon + 1));
      if (embeddedV4 == null) {
        return null;
      }
      // the dotted quad takes the place of the last two groups
      s = s.substring(0, lastColon + 1) + "0:0";
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    String[] head = groups(doubleColon >= 0 ? s.substring(0, doubleColon) : s);
    String[] tail = doubleColon >= 0 ? groups(s.substring(doubleColon + 2)) : new String[0];
    if (head == null || tail == null) {
      return null;
    }
    int count = head.length + tail.length;
    if (doubleColon < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] result = new byte[16];
    for (int i = 0; i < head.length; i++) {
      if (!putGroup(result, i, head[i])) {
        return null;
      }
    }
    for (int i = 0; i < tail.length; i++) {
      if (!putGroup(result, 8 - tail.length + i, tail[i])) {
        return null;
      }
    }
    if (embeddedV4 != null) {
      System.arraycopy(embeddedV4, 0, result, 12, 4);
    }
    return result;
  }

  private static String[] groups(String text) {
    if (text.isEmpty()) {
      return new String[0];
    }
    String[] groups = text.split(":", -1);
    for (String group : groups) {
      if (group.isEmpty() || group.length() > 4) {
        return null;
      }
    }
    return groups;
  }

  private static boolean putGroup(byte[] target, int index, String group) {
    int value = 0;
    for (int i = 0; i < group.length(); i++) {
      int digit = Character.digit(group.charAt(i), 16);
      if (digit < 0) {
        return false;
      }
      value = value * 16 + digit;
    }
    target[index * 2] = (byte) (value >> 8);
    target[index * 2 + 1] = (byte) value;
    return true;
  }

  private static byte[] unmapV4(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return v6;
      }
    }
    if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
      return v6;
    }
    return Arrays.copyOfRange(v6, 12, 16);
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] result = address.clone();
    for (int i = 0; i < result.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      result[i] = (byte) (result[i] & ((0xff << (8 - keep)) & 0xff));
    }
    return result;
  }

  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  public static String format(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
          + (address[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[i * 2] & 0xff) << 8) | (address[i * 2 + 1] & 0xff);
    }
    // longest run of at least two zero groups (the first one on a tie) becomes "::"
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString().toLowerCase(Locale.ROOT);
  }
}
