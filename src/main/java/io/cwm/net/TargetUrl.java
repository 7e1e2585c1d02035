package io.cwm.net;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A target URL taken apart by hand: {@code java.net.URI} gives no host for names with an
 * underscore (common for container service names), and the pieces we need are few.
 *
 * @param ssl https
 * @param host host without brackets (IPv6 literals) or trailing dot, lower case
 * @param port explicit port or the scheme's default
 * @param requestUri path and query as written ({@code /} when empty); the fragment is dropped
 * @param hostHeader value of the Host header: host (bracketed when IPv6), {@code :port} unless default
 * @param basicAuth {@code Basic ...} credentials from {@code user:password@} in the URL (as aiohttp
 *     sends them), or null
 */
public record TargetUrl(boolean ssl, String host, int port, String requestUri, String hostHeader, String basicAuth) {

  /** A URL that cannot be used; the message says why (without the URL: it may hold secrets). */
  public static final class InvalidUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidUrlException(String message) {
      super(message);
    }
  }

  public static TargetUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new InvalidUrlException("url is required");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        throw new InvalidUrlException("url must not contain spaces or control characters");
      }
    }
    int schemeEnd = url.indexOf("://");
    if (schemeEnd <= 0) {
      throw new InvalidUrlException("url must start with http:// or https://");
    }
    String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    boolean ssl;
    if (scheme.equals("https")) {
      ssl = true;
    } else if (scheme.equals("http")) {
      ssl = false;
    } else {
      throw new InvalidUrlException("url scheme '" + scheme + "' is not allowed (http or https only)");
    }
    String rest = url.substring(schemeEnd + 3);
    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    int pathStart = indexOfAny(rest, "/?");
    String authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
    String requestUri = pathStart < 0 ? "/" : rest.substring(pathStart);
    if (requestUri.startsWith("?")) {
      requestUri = "/" + requestUri;
    }
    String basicAuth = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      basicAuth = basicAuth(authority.substring(0, at));
      authority = authority.substring(at + 1);
    }
    String host;
    String portText = null;
    boolean ipv6 = authority.startsWith("[");
    if (ipv6) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new InvalidUrlException("url has an unterminated IPv6 host");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new InvalidUrlException("url has an invalid authority");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    host = host.toLowerCase(Locale.ROOT);
    if (!ipv6 && host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw new InvalidUrlException("url has no host");
    }
    int defaultPort = ssl ? 443 : 80;
    int port = defaultPort;
    if (portText != null && !portText.isEmpty()) {
      if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new InvalidUrlException("url has an invalid port");
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw new InvalidUrlException("url port must be between 1 and 65535");
      }
    }
    String hostPart = ipv6 ? "[" + host + "]" : host;
    String hostHeader = port == defaultPort ? hostPart : hostPart + ":" + port;
    return new TargetUrl(ssl, host, port, requestUri, hostHeader, basicAuth);
  }

  private static String basicAuth(String userInfo) {
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
    String password = colon < 0 ? "" : userInfo.substring(colon + 1);
    try {
      String credentials = URLDecoder.decode(user.replace("+", "%2B"), StandardCharsets.UTF_8) + ":"
          + URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8);
      return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new InvalidUrlException("url has invalid percent-encoding in its user info");
    }
  }

  /** scheme://host:port without path or query (those may carry tokens): safe to log. */
  public String forLog() {
    return (ssl ? "https://" : "http://") + hostHeader;
  }

  private static int indexOfAny(String text, String characters) {
    for (int i = 0; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
