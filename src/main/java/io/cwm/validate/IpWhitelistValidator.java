package io.cwm.validate;

import io.cwm.net.IpAddresses;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Client IP allow-list (spec §5.10). Entries of {@code ip_whitelist} and of the entry's top-level
 * {@code trusted_proxies} may be exact addresses or CIDR ranges, IPv4 or IPv6; an entry that is
 * neither is a config error, never silently dropped. Failures answer 403, with the spec's detail
 * texts.
 *
 * <p>Client IP: the TCP peer; only when the peer is a trusted proxy, the first
 * {@code X-Forwarded-For} element, else {@code X-Real-IP} (CR, LF and NUL removed). Forwarding
 * headers from any other peer are ignored. A comma-separated string is accepted for either list
 * so that a whole list can come from one {@code {$VAR}}.
 */
public final class IpWhitelistValidator implements Validator {
  /** Longest client-supplied text echoed back in a message. */
  private static final int MAX_ECHO = 100;

  private final List<IpAddresses.Range> allowed;
  private final List<IpAddresses.Range> trustedProxies;

  private IpWhitelistValidator(List<IpAddresses.Range> allowed, List<IpAddresses.Range> trustedProxies) {
    this.allowed = allowed;
    this.trustedProxies = trustedProxies;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    List<IpAddresses.Range> allowed = ranges(block, "ip_whitelist");
    if (allowed.isEmpty()) {
      throw new ConfigException("", "IP whitelist contains no valid IP addresses");
    }
    Object proxies = entry == null ? null : entry.getValue("trusted_proxies");
    List<IpAddresses.Range> trusted =
        ValidatorFactory.isEmpty(proxies) ? List.of() : ranges(proxies, "trusted_proxies");
    return new IpWhitelistValidator(List.copyOf(allowed), List.copyOf(trusted));
  }

  /** Parses a list (or comma-separated string) of addresses and ranges; blank items are skipped. */
  private static List<IpAddresses.Range> ranges(Object value, String name) {
    List<Object> items = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(items::add);
    } else if (value instanceof String text) {
      items.addAll(List.of(text.split(",")));
    } else {
      throw new ConfigException("", name + " must be a list of IP addresses or CIDR ranges");
    }
    List<IpAddresses.Range> ranges = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (Object item : items) {
      if (item instanceof String text && text.isBlank()) {
        continue;
      }
      IpAddresses.Range range = item instanceof String text ? IpAddresses.parseRange(text) : null;
      if (range == null) {
        invalid.add(String.valueOf(item));
      } else {
        ranges.add(range);
      }
    }
    if (!invalid.isEmpty()) {
      throw new ConfigException("", name + " contains entries that are neither an IP address nor a CIDR range: "
          + String.join(", ", invalid));
    }
    return ranges;
  }

  @Override
  public String key() {
    return "ip_whitelist";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String peer = request.peerIp();
    if (peer == null || peer.isBlank()) {
      return fail("Could not determine client IP");
    }
    byte[] peerAddress = IpAddresses.parse(withoutZone(peer.strip()));
    String client = peer.strip();
    if (peerAddress != null && matches(trustedProxies, peerAddress)) {
      client = forwardedClient(request, client);
    }
    byte[] address = IpAddresses.parse(withoutZone(client));
    if (address == null) {
      return fail("Invalid IP address format: " + echo(client));
    }
    String normalised = IpAddresses.format(address);
    return matches(allowed, address)
        ? Future.succeededFuture()
        : fail("IP " + normalised + " not in whitelist");
  }

  /** First X-Forwarded-For element, else X-Real-IP, else the peer itself. */
  private static String forwardedClient(WebhookRequest request, String peer) {
    String forwarded = clean(request.header("x-forwarded-for"));
    if (!forwarded.isEmpty()) {
      String first = forwarded.split(",", -1)[0].strip();
      if (!first.isEmpty()) {
        return first;
      }
    }
    String realIp = clean(request.header("x-real-ip"));
    return realIp.isEmpty() ? peer : realIp;
  }

  private static String clean(String header) {
    if (header == null) {
      return "";
    }
    return header.replace("\r", "").replace("\n", "").replace("\0", "").strip();
  }

  /** Drops an IPv6 zone id ({@code fe80::1%eth0}): it does not take part in matching. */
  private static String withoutZone(String ip) {
    int percent = ip.indexOf('%');
    return percent > 0 && ip.indexOf(':') >= 0 ? ip.substring(0, percent) : ip;
  }

  private static boolean matches(List<IpAddresses.Range> ranges, byte[] address) {
    for (IpAddresses.Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static String echo(String text) {
    return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(new CwmException(FailureCode.FORBIDDEN, message));
  }
}
