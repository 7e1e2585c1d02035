package io.cwm.net;

import java.util.Arrays;
import java.util.List;

/**
 * What kind of address an IP literal is, from the explicit CIDR lists of security-notes §4.2
 * (loopback; link-local, multicast and reserved; private, CGNAT and documentation ranges). One
 * place for every outbound-address rule: connections.json hosts, SSRF checks.
 */
public enum AddressClass {
  LOOPBACK,
  /** Link-local, multicast, unspecified and reserved: never a legitimate target. */
  SPECIAL,
  /** Private, CGNAT, documentation and benchmarking ranges, IPv6 ULA and transition prefixes. */
  PRIVATE,
  PUBLIC;

  private static final List<IpAddresses.Range> LOOPBACK_RANGES = ranges("127.0.0.0/8", "::1/128");
  private static final List<IpAddresses.Range> SPECIAL_RANGES = ranges("0.0.0.0/8", "169.254.0.0/16",
      "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "::/128", "fe80::/10", "ff00::/8");
  private static final List<IpAddresses.Range> PRIVATE_RANGES = ranges("10.0.0.0/8", "100.64.0.0/10",
      "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
      "198.51.100.0/24", "203.0.113.0/24", "fc00::/7", "64:ff9b::/96", "100::/64", "2001::/23",
      "2001:db8::/32");

  /** The class of an address as returned by {@link IpAddresses#parse}. */
  public static AddressClass of(byte[] address) {
    if (in(LOOPBACK_RANGES, address)) {
      return LOOPBACK;
    }
    if (in(SPECIAL_RANGES, address)) {
      return SPECIAL;
    }
    return in(PRIVATE_RANGES, address) ? PRIVATE : PUBLIC;
  }

  private static boolean in(List<IpAddresses.Range> ranges, byte[] address) {
    for (IpAddresses.Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static List<IpAddresses.Range> ranges(String... cidrs) {
    return Arrays.stream(cidrs).map(IpAddresses::parseRange).toList();
  }
}
