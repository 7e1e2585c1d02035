package io.cwm.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which addresses an HTTP target may have (security-notes §4): link-local, multicast, reserved,
 * unspecified and cloud metadata addresses never; loopback and private ones only with
 * {@code allow_private_targets}. Used on every resolved address before a request, and on the
 * configured URL at start ({@link #checkUrl}).
 */
public final class TargetAddressPolicy {
  /**
   * Metadata services outside the link-local range (where {@link AddressClass} already says
   * SPECIAL): Alibaba, Oracle, AWS IPv6 IMDS. Refused even when private targets are allowed.
   */
  private static final List<byte[]> METADATA_ADDRESSES = List.of(IpAddresses.parse("100.100.100.200"),
      IpAddresses.parse("192.0.0.192"), IpAddresses.parse("fd00:ec2::254"), IpAddresses.parse("169.254.169.254"));
  private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata",
      "metadata.azure.com", "instance-data", "instance-data.ecs", "ecs-metadata");
  private static final Set<String> LOCALHOST_NAMES = Set.of("localhost", "localhost.localdomain",
      "ip6-localhost", "ip6-loopback");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("0x[0-9a-f]*|[0-9]+");
  // underscores allowed: container service names use them and resolve fine
  private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

  private TargetAddressPolicy() {}

  /** What the connector's messages say about a refused loopback or private target. */
  private static final String CONNECTOR_SETTING = "allow_private_targets is false";

  /** Why a request may not go to {@code address} (4 or 16 bytes), or null when it may. */
  public static String refusal(byte[] address, boolean allowPrivateTargets) {
    return refusal(address, allowPrivateTargets, CONNECTOR_SETTING);
  }

  /**
   * As {@link #refusal(byte[], boolean)}, naming in {@code setting} what would allow a loopback
   * or private target (a module's own relaxation).
   */
  public static String refusal(byte[] address, boolean allowPrivateTargets, String setting) {
    String text = IpAddresses.format(address);
    for (byte[] metadata : METADATA_ADDRESSES) {
      if (Arrays.equals(metadata, address)) {
        return text + " is a cloud metadata address";
      }
    }
    return switch (AddressClass.of(address)) {
      case SPECIAL -> text + " is a link-local, multicast, reserved or unspecified address";
      case LOOPBACK -> allowPrivateTargets ? null
          : text + " is a loopback address and " + setting;
      case PRIVATE -> allowPrivateTargets ? null
          : text + " is a private address and " + setting;
      case PUBLIC -> null;
    };
  }

  /**
   * Start-time check of a target URL: syntax, scheme, and what can be judged without DNS (IP
   * literals, localhost and metadata names, non-canonical numeric hosts). Empty when fine.
   */
  public static List<String> checkUrl(String url, boolean allowPrivateTargets) {
    return checkUrl(url, allowPrivateTargets, CONNECTOR_SETTING);
  }

  /** As {@link #checkUrl(String, boolean)}, naming in refusals what {@code setting} says. */
  public static List<String> checkUrl(String url, boolean allowPrivateTargets, String setting) {
    List<String> problems = new ArrayList<>();
    TargetUrl target;
    try {
      target = TargetUrl.parse(url);
    } catch (TargetUrl.InvalidUrlException e) {
      problems.add(e.getMessage());
      return problems;
    }
    String host = target.host();
    byte[] literal = IpAddresses.parse(host);
    if (literal != null) {
      String refusal = refusal(literal, allowPrivateTargets, setting);
      if (refusal != null) {
        problems.add("target host " + refusal);
      }
      return problems;
    }
    if (host.indexOf(':') >= 0) {
      problems.add("target host '" + host + "' is not a valid IPv6 address");
      return problems;
    }
    if (METADATA_NAMES.contains(host) || (host.contains("metadata")
        && (host.contains("internal") || host.contains("azure") || host.contains("google")))) {
      problems.add("target host " + host + " is a cloud metadata service");
      return problems;
    }
    if (LOCALHOST_NAMES.contains(host) || host.endsWith(".localhost")) {
      if (!allowPrivateTargets) {
        problems.add("target host " + host + " is a loopback name and " + setting);
      }
      return problems;
    }
    String[] labels = host.split("\\.", -1);
    if (Arrays.stream(labels).allMatch(label -> NUMERIC_LABEL.matcher(label).matches())) {
      // 127.1, 2130706433, 0x7f000001, 0177.0.0.1: resolvers read these as addresses in
      // surprising ways; a config must spell an address as a canonical dotted quad
      problems.add("target host " + host + " is a numeric host but not a canonical IP address");
      return problems;
    }
    if (host.length() > 253 || !Arrays.stream(labels).allMatch(label -> HOST_LABEL.matcher(label).matches())) {
      problems.add("target host is not a valid host name");
    }
    return problems;
  }
}
