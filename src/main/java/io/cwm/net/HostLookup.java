package io.cwm.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves an outbound target's host to the addresses an SSRF check looks at (and the request
 * then connects to, so a second lookup cannot swap them).
 */
public final class HostLookup {
  private HostLookup() {}

  /**
   * The host's addresses in {@link IpAddresses} form (IPv4-mapped IPv6 as 4 bytes, so it is
   * classified as IPv4); an IP literal without a lookup. Fails with UnknownHostException.
   */
  public static Future<List<byte[]>> resolve(Vertx vertx, String host) {
    byte[] literal = IpAddresses.parse(host);
    if (literal != null) {
      return Future.succeededFuture(List.of(literal));
    }
    // the system resolver (hosts file, search domains) as every local client uses; it blocks
    return vertx.executeBlocking(() -> {
      List<byte[]> addresses = new ArrayList<>();
      for (InetAddress address : InetAddress.getAllByName(host)) {
        addresses.add(IpAddresses.parse(IpAddresses.format(address.getAddress())));
      }
      if (addresses.isEmpty()) {
        throw new UnknownHostException(host);
      }
      return addresses;
    }, false);
  }
}
