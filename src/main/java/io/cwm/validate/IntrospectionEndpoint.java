package io.cwm.validate;

import io.cwm.net.IpAddresses;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SSRF check of {@code oauth2.introspection_endpoint} (security-notes §4.1), done once at load:
 * http/https only, a host is required, no localhost spelling, no IP literal in a loopback,
 * private, link-local or otherwise special range (the explicit CIDR list of security-notes §4.2,
 * CGNAT included), no cloud metadata name, no numeric host in a non-canonical form
 * ({@code 0177.0.0.1}, {@code 2130706433}, {@code 0x7f.1}) and otherwise a syntactically valid DNS
 * name (so percent-encoded hosts fail). Names are not resolved.
 *
 * <p>{@code ALLOW_LOCALHOST_FOR_TESTS=true} lets loopback through (and only loopback), for tests
 * against a local stub server.
 */
final class IntrospectionEndpoint {
  private static final Set<String> LOCALHOST = Set.of("localhost", "127.0.0.1", "0.0.0.0", "::1",
      "127.1", "127.0.1", "127.000.000.001", "0177.0.0.1", "0x7f.0.0.1", "2130706433", "0x7f000001",
      "localhost.localdomain", "ip6-localhost", "ip6-loopback");
  private static final Set<String> METADATA = Set.of("metadata.google.internal", "169.254.169.254",
      "metadata", "instance-data", "instance-data.ecs", "ecs-metadata", "100.100.100.200",
      "metadata.azure.com", "192.0.0.192");
  private static final List<IpAddresses.Range> LOOPBACK = ranges("127.0.0.0/8", "::1/128");
  private static final List<IpAddresses.Range> BLOCKED = ranges(
      "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
      "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
      "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
      "::/128", "::1/128", "64:ff9b::/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7",
      "fe80::/10", "ff00::/8");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private IntrospectionEndpoint() {}

  private static List<IpAddresses.Range> ranges(String... cidrs) {
    return java.util.Arrays.stream(cidrs).map(IpAddresses::parseRange).toList();
  }

  /** Why {@code url} may not be called, or null when it may. */
  static String problem(String url, boolean allowLoopback) {
    String text = url.strip();
    if (text.isEmpty() || text.length() > 8192) {
      return "URL must be a non-empty string of at most 8192 characters";
    }
    if (text.indexOf('\0') >= 0 || text.toLowerCase(Locale.ROOT).contains("%00")) {
      return "URL must not contain NUL";
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "invalid URL format";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "URL scheme '" + scheme + "' is not allowed. Only http:// and https:// are permitted.";
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return "URL must include a valid hostname";
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return hostProblem(host, allowLoopback);
  }

  private static String hostProblem(String host, boolean allowLoopback) {
    byte[] address = IpAddresses.parse(host);
    if (address != null) {
      if (allowLoopback && contains(LOOPBACK, address)) {
        return null;
      }
      if (METADATA.contains(IpAddresses.format(address))) {
        return "access to a metadata service is not allowed (SSRF prevention)";
      }
      return contains(BLOCKED, address)
          ? "access to private/loopback/reserved IP '" + host + "' is not allowed (SSRF prevention)"
          : null;
    }
    if (LOCALHOST.contains(host) || host.endsWith(".localhost")) {
      return allowLoopback ? null : "access to localhost is not allowed (SSRF prevention)";
    }
    if (METADATA.contains(host) || (host.contains("metadata")
        && (host.contains("internal") || host.contains("azure") || host.contains("google")))) {
      return "access to a metadata service is not allowed (SSRF prevention)";
    }
    String[] labels = host.split("\\.", -1);
    if (java.util.Arrays.stream(labels).allMatch(label -> NUMERIC_LABEL.matcher(label).matches())) {
      // 2130706433, 0x7f000001, 0177.0.0.1, 127.1 ...: numeric hosts must be canonical dotted quads
      return "numeric host '" + host + "' is not a canonical IP address (SSRF prevention)";
    }
    if (host.length() > 253
        || !java.util.Arrays.stream(labels).allMatch(label -> DNS_LABEL.matcher(label).matches())) {
      return "host is not a valid DNS name";
    }
    return null;
  }

  private static boolean contains(List<IpAddresses.Range> ranges, byte[] address) {
    return ranges.stream().anyMatch(range -> range.contains(address));
  }
}
