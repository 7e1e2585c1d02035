package io.cwm.validate;

import io.cwm.net.IpAddresses;
import static io.cwm.validate.Requests.assertFails;
import static io.cwm.validate.Requests.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class IpWhitelistValidatorTest {
  private static Validator validator(String list) {
    return validator(list, null);
  }

  private static Validator validator(String list, String trustedProxies) {
    String entry = "{\"ip_whitelist\":" + list
        + (trustedProxies == null ? "" : ",\"trusted_proxies\":" + trustedProxies) + "}";
    return Requests.build("ip_whitelist", entry, Requests.context());
  }

  private static void assertForbidden(String detail, Future<Void> outcome) {
    assertFails(FailureCode.FORBIDDEN, detail, outcome);
  }

  @Test
  void exactIpv4PassesAndOthersAreForbidden() {
    Validator ip = validator("[\"203.0.113.7\",\"198.51.100.1\"]");
    assertPasses(ip.validate(Requests.post().peer("203.0.113.7").build()));
    assertForbidden("IP 203.0.113.8 not in whitelist", ip.validate(Requests.post().peer("203.0.113.8").build()));
  }

  @Test
  void cidrRangesWork() {
    // divergence: Python silently drops CIDR entries (weakness 12)
    Validator ip = validator("[\"10.1.0.0/16\",\"192.0.2.128/25\",\"2001:db8:abcd::/48\"]");
    assertPasses(ip.validate(Requests.post().peer("10.1.255.254").build()));
    assertPasses(ip.validate(Requests.post().peer("192.0.2.200").build()));
    assertPasses(ip.validate(Requests.post().peer("2001:db8:abcd:12::1").build()));
    assertForbidden("IP 10.2.0.1 not in whitelist", ip.validate(Requests.post().peer("10.2.0.1").build()));
    assertForbidden("IP 192.0.2.127 not in whitelist", ip.validate(Requests.post().peer("192.0.2.127").build()));
    assertForbidden("IP 2001:db8:abce::1 not in whitelist",
        ip.validate(Requests.post().peer("2001:db8:abce::1").build()));
  }

  @Test
  void ipv6IsComparedAndReportedNormalised() {
    Validator ip = validator("[\"2001:DB8:0:0:0:0:0:1\"]");
    assertPasses(ip.validate(Requests.post().peer("2001:db8::1").build()));
    assertPasses(ip.validate(Requests.post().peer("2001:0db8:0000::0001").build()));
    assertForbidden("IP 2001:db8::2 not in whitelist",
        ip.validate(Requests.post().peer("2001:0DB8:0000:0000:0000:0000:0000:0002").build()));
    assertForbidden("IP fe80::1 not in whitelist", ip.validate(Requests.post().peer("fe80::1%eth0").build()));
  }

  @Test
  void ipv4MappedIpv6MatchesIpv4Entries() {
    Validator ip = validator("[\"203.0.113.7\",\"10.0.0.0/8\"]");
    assertPasses(ip.validate(Requests.post().peer("::ffff:203.0.113.7").build()));
    assertPasses(ip.validate(Requests.post().peer("::FFFF:a00:1").build()));
    assertForbidden("IP 198.51.100.1 not in whitelist",
        ip.validate(Requests.post().peer("::ffff:198.51.100.1").build()));
  }

  @Test
  void forwardedHeadersFromUntrustedPeersAreIgnored() {
    Validator ip = validator("[\"203.0.113.5\"]");
    assertForbidden("IP 198.51.100.9 not in whitelist", ip.validate(Requests.post().peer("198.51.100.9")
        .header("X-Forwarded-For", "203.0.113.5").header("X-Real-IP", "203.0.113.5").build()));
    Validator withProxies = validator("[\"203.0.113.5\"]", "[\"10.0.0.1\"]");
    assertForbidden("IP 198.51.100.9 not in whitelist", withProxies.validate(Requests.post()
        .peer("198.51.100.9").header("X-Forwarded-For", "203.0.113.5").build()));
  }

  @Test
  void trustedProxyForwardsTheFirstXForwardedForElement() {
    Validator ip = validator("[\"203.0.113.5\"]", "[\"10.0.0.5\",\"172.16.0.0/12\"]");
    assertPasses(ip.validate(Requests.post().peer("10.0.0.5")
        .header("X-Forwarded-For", " 203.0.113.5 , 10.9.9.9").build()));
    assertPasses(ip.validate(Requests.post().peer("172.20.1.2")
        .header("X-Forwarded-For", "203.0.113.5").build()));
    assertForbidden("IP 10.9.9.9 not in whitelist", ip.validate(Requests.post().peer("10.0.0.5")
        .header("X-Forwarded-For", "10.9.9.9, 203.0.113.5").build()));
    // CR, LF and NUL are removed before the header is read
    assertPasses(ip.validate(Requests.post().peer("10.0.0.5")
        .header("X-Forwarded-For", "\r\n203.0.\u00001\r13.5, 1.2.3.4").build()));
  }

  @Test
  void trustedProxyFallsBackToXRealIpThenToItself() {
    Validator ip = validator("[\"203.0.113.5\"]", "[\"10.0.0.5\"]");
    assertPasses(ip.validate(Requests.post().peer("10.0.0.5").header("X-Real-IP", "203.0.113.5").build()));
    assertPasses(ip.validate(Requests.post().peer("10.0.0.5")
        .header("X-Forwarded-For", " , 1.2.3.4").header("X-Real-IP", "203.0.113.5").build()));
    assertForbidden("IP 10.0.0.5 not in whitelist", ip.validate(Requests.post().peer("10.0.0.5").build()));
  }

  @Test
  void unparseableClientAddressesAreRefusedWithoutDnsLookups() {
    Validator ip = validator("[\"203.0.113.5\"]", "[\"10.0.0.5\"]");
    for (String bad : new String[] {"not-an-ip", "localhost", "example.com", "127.1", "010.0.0.1",
        "0x7f.0.0.1", "2130706433", "1.2.3.4.5", "256.1.1.1", "1::2::3", "203.0.113.5/32"}) {
      assertForbidden("Invalid IP address format: " + bad, ip.validate(Requests.post().peer("10.0.0.5")
          .header("X-Forwarded-For", bad).build()));
    }
    assertForbidden("Could not determine client IP", ip.validate(Requests.post().peer(null).build()));
    assertForbidden("Could not determine client IP", ip.validate(Requests.post().peer("").build()));
  }

  @Test
  void commaSeparatedStringFromSubstitutionIsAccepted() {
    Validator ip = validator("\"203.0.113.0/24, 2001:db8::/32\"");
    assertPasses(ip.validate(Requests.post().peer("203.0.113.99").build()));
    assertPasses(ip.validate(Requests.post().peer("2001:db8::5").build()));
  }

  @Test
  void emptyListMeansNoCheck() {
    assertNull(IpWhitelistValidator.fromConfig(new JsonArray(), new JsonObject(), Requests.context()));
  }

  @Test
  void invalidEntriesAreNamedAtLoad() {
    assertEquals("ip_whitelist: ip_whitelist contains entries that are neither an IP address nor a "
        + "CIDR range: bogus, 1.2.3.4/33, 5, 10.0.0.0/", Requests.configProblem(
            "{\"ip_whitelist\":[\"10.0.0.0/8\",\"bogus\",\"1.2.3.4/33\",5,\"10.0.0.0/\"]}"));
    assertEquals("ip_whitelist: trusted_proxies contains entries that are neither an IP address nor a "
        + "CIDR range: proxy.internal", Requests.configProblem(
            "{\"ip_whitelist\":[\"10.0.0.0/8\"],\"trusted_proxies\":[\"proxy.internal\"]}"));
    assertEquals("ip_whitelist: IP whitelist contains no valid IP addresses",
        Requests.configProblem("{\"ip_whitelist\":[\"\",\" \"]}"));
    assertEquals("ip_whitelist: ip_whitelist must be a list of IP addresses or CIDR ranges",
        Requests.configProblem("{\"ip_whitelist\":{\"ip\":\"1.2.3.4\"}}"));
  }

  @Test
  void literalParsingAndFormatting() {
    assertEquals("2001:db8::1:0:0:1", IpAddresses.format(IpAddresses.parse("2001:db8:0:0:1:0:0:1")));
    assertEquals("::", IpAddresses.format(IpAddresses.parse("0:0:0:0:0:0:0:0")));
    assertEquals("1::", IpAddresses.format(IpAddresses.parse("1:0:0:0:0:0:0:0")));
    assertEquals("::1", IpAddresses.format(IpAddresses.parse("0:0:0:0:0:0:0:1")));
    assertEquals("1:0:2::", IpAddresses.format(IpAddresses.parse("1:0:2:0:0:0:0:0")));
    assertEquals("127.0.0.1", IpAddresses.format(IpAddresses.parse("::ffff:7f00:1")));
    assertEquals("::7f00:1", IpAddresses.format(IpAddresses.parse("::127.0.0.1")));
    assertNotNull(IpAddresses.parse("1:2:3:4:5:6:7:8"));
    for (String bad : new String[] {"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "12345::", ":1::", "1:",
        "::ffff:1.2.3", "::1.2.3.04", "1.2.3", "1.2.3.", " 1.2.3.4", "01.2.3.4", "1.2.3.4%x", ""}) {
      assertNull(IpAddresses.parse(bad), bad);
    }
    assertEquals("10.0.0.0/8", IpAddresses.parseRange("10.1.2.3/8").toString());
    assertEquals("10.0.0.0/8", IpAddresses.parseRange("::ffff:10.1.2.3/104").toString());
    assertNull(IpAddresses.parseRange("::ffff:10.1.2.3/95"));
    assertNull(IpAddresses.parseRange("2001:db8::/129"));
  }
}
