package io.cwm.validate;

import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The checks of the {@code provider} presets that {@link HmacValidator} does not cover: Slack,
 * Paddle, Linear, GitLab and Twilio. Each one is built for one secret ({@link ProviderPresets}
 * combines several). 401 messages name headers and never a secret.
 */
final class ProviderValidators {
  private ProviderValidators() {}

  /** Slack: {@code X-Slack-Signature: v0=<hex>} of HMAC-SHA256 over {@code v0:<X-Slack-Request-Timestamp>:<body>}. */
  static Validator slack(String secret, long tolerance, Clock clock) {
    return new TimedHmac(secret, tolerance, clock) {
      @Override
      Parsed parse(WebhookRequest request) {
        String signature = require(request, "X-Slack-Signature");
        String timestamp = require(request, "X-Slack-Request-Timestamp");
        checkTime(unix(timestamp, "X-Slack-Request-Timestamp"));
        if (!signature.startsWith("v0=") || !isHex(signature.substring(3))) {
          throw CwmException.unauthorized("Invalid X-Slack-Signature header (expected v0=<hex>)");
        }
        return new Parsed("v0:" + timestamp + ":", List.of(signature.substring(3).toLowerCase(Locale.ROOT)));
      }
    };
  }

  /** Paddle Billing: {@code Paddle-Signature: ts=<unix>;h1=<hex>[;h1=...]}, HMAC-SHA256 over {@code <ts>:<body>}. */
  static Validator paddle(String secret, long tolerance, Clock clock) {
    return new TimedHmac(secret, tolerance, clock) {
      @Override
      Parsed parse(WebhookRequest request) {
        String header = require(request, "Paddle-Signature");
        String ts = null;
        List<String> candidates = new ArrayList<>();
        for (String part : header.split(";")) {
          int equals = part.indexOf('=');
          if (equals <= 0) {
            continue;
          }
          String name = part.substring(0, equals).trim();
          String value = part.substring(equals + 1).trim();
          if (name.equals("ts")) {
            ts = value;
          } else if (name.equals("h1") && isHex(value)) {
            candidates.add(value.toLowerCase(Locale.ROOT));
          }
        }
        if (ts == null || candidates.isEmpty()) {
          throw CwmException.unauthorized("Invalid Paddle-Signature header (expected ts=<timestamp>;h1=<signature>)");
        }
        checkTime(unix(ts, "Paddle-Signature ts"));
        return new Parsed(ts + ":", candidates);
      }
    };
  }

  /**
   * Linear: {@code Linear-Signature: <hex>} of HMAC-SHA256 over the body; the body's
   * {@code webhookTimestamp} (unix milliseconds) must be within the tolerance, checked once the
   * signature matched.
   */
  static Validator linear(String secret, long tolerance, Clock clock) {
    return new TimedHmac(secret, tolerance, clock) {
      @Override
      Parsed parse(WebhookRequest request) {
        String signature = require(request, "Linear-Signature");
        if (!isHex(signature)) {
          throw CwmException.unauthorized("Invalid Linear-Signature header (must be hexadecimal)");
        }
        return new Parsed("", List.of(signature.toLowerCase(Locale.ROOT)));
      }

      @Override
      void afterMatch(WebhookRequest request) {
        Object json;
        try {
          json = request.json();
        } catch (CwmException notJson) {
          json = null;
        }
        if (!(json instanceof JsonObject object) || !(object.getValue("webhookTimestamp") instanceof Number millis)) {
          throw CwmException.unauthorized("Linear webhook body has no webhookTimestamp");
        }
        checkTime(Math.floorDiv(millis.longValue(), 1000L));
      }
    };
  }

  /** GitLab: {@code X-Gitlab-Token} equal to the secret (constant time); decided from the head alone. */
  static Validator gitlab(String secret) {
    return new Validator() {
      @Override
      public String key() {
        return "provider";
      }

      @Override
      public Future<Void> validate(WebhookRequest request) {
        String received = request.header("x-gitlab-token");
        if (received == null) {
          return Future.failedFuture(CwmException.unauthorized("Missing X-Gitlab-Token header"));
        }
        return ConstantTime.equals(secret, received) ? Future.succeededFuture()
            : Future.failedFuture(CwmException.unauthorized("Invalid X-Gitlab-Token header"));
      }
    };
  }

  /**
   * Twilio: {@code X-Twilio-Signature} = base64 HMAC-SHA1 (key: the auth token) of the URL Twilio
   * called, followed for a form body by each parameter sorted by name as name+value. A request
   * whose query has {@code bodySHA256} (Twilio's JSON bodies) signs the URL alone, and the hex
   * SHA-256 of the body must equal that parameter. The URL is {@code configured} (plus the request's
   * query when it has none; plus {@code bodySHA256} when it has a query without it), or else rebuilt from the request's Host (or X-Forwarded-Host) and path,
   * with https and http tried. As Twilio's own libraries do, the URL is also tried with the default
   * port added or removed.
   */
  static Validator twilio(String authToken, String configured) {
    return new Twilio(authToken, configured);
  }

  /** A body HMAC-SHA256 whose header (and timestamp) is checked from the head. */
  private abstract static class TimedHmac implements BodySignature {
    private final SecretKeySpec key;
    private final long tolerance;
    private final Clock clock;

    TimedHmac(String secret, long tolerance, Clock clock) {
      this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
      this.tolerance = tolerance;
      this.clock = clock;
    }

    /** The text signed before the body, and the hex candidates (lower case). */
    record Parsed(String prefix, List<String> candidates) {}

    /** Parses the head; throws the 401 when a header is missing or malformed, or the timestamp is stale. */
    abstract Parsed parse(WebhookRequest request);

    /** A check that needs the verified body (Linear's timestamp); throws the 401. */
    void afterMatch(WebhookRequest request) {}

    @Override
    public String key() {
      return "provider";
    }

    @Override
    public void checkHead(WebhookRequest head) {
      parse(head);
    }

    @Override
    public Future<Void> validate(WebhookRequest request) {
      try {
        Parsed parsed = parse(request);
        Mac mac = mac("HmacSHA256", key);
        mac.update(parsed.prefix().getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().formatHex(mac.doFinal(request.body().getBytes()));
        boolean any = false;
        for (String candidate : parsed.candidates()) {
          any |= ConstantTime.equals(expected, candidate);
        }
        if (!any) {
          throw CwmException.unauthorized("Invalid webhook signature");
        }
        afterMatch(request);
        return Future.succeededFuture();
      } catch (CwmException refused) {
        return Future.failedFuture(refused);
      }
    }

    void checkTime(long signedAt) {
      long now = clock.instant().getEpochSecond();
      if (Math.abs(now - signedAt) > tolerance) {
        throw CwmException.unauthorized("Webhook timestamp outside the tolerance window (" + tolerance + " s)");
      }
    }
  }

  private static final class Twilio implements BodySignature {
    private final SecretKeySpec key;
    private final String configured;

    Twilio(String authToken, String configured) {
      this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
      this.configured = configured;
    }

    @Override
    public String key() {
      return "provider";
    }

    @Override
    public void checkHead(WebhookRequest head) {
      signature(head);
    }

    private static byte[] signature(WebhookRequest request) {
      String header = require(request, "X-Twilio-Signature");
      try {
        return Base64.getDecoder().decode(header.strip());
      } catch (IllegalArgumentException e) {
        throw CwmException.unauthorized("Invalid X-Twilio-Signature header (must be base64)");
      }
    }

    @Override
    public Future<Void> validate(WebhookRequest request) {
      try {
        byte[] received = signature(request);
        byte[] body = request.body().getBytes();
        String bodyHash = request.queryParam("bodySHA256");
        String params = "";
        if (bodyHash != null) {
          String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
          if (!ConstantTime.equals(actual, bodyHash.toLowerCase(Locale.ROOT))) {
            throw CwmException.unauthorized("Invalid X-Twilio-Signature (bodySHA256 does not match the body)");
          }
        } else {
          params = formParams(body);
        }
        boolean any = false;
        for (String url : urls(request)) {
          Mac mac = mac("HmacSHA1", key);
          byte[] expected = mac.doFinal((url + params).getBytes(StandardCharsets.UTF_8));
          any |= MessageDigest.isEqual(expected, received);
        }
        return any ? Future.succeededFuture()
            : Future.failedFuture(CwmException.unauthorized("Invalid X-Twilio-Signature"));
      } catch (CwmException refused) {
        return Future.failedFuture(refused);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The form parameters sorted by name (then value) as name+value, or "" for a body that is not a form. */
    private static String formParams(byte[] body) {
      String text = new String(body, StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        return "";
      }
      List<String[]> pairs = new ArrayList<>();
      for (String pair : text.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        try {
          pairs.add(new String[] {URLDecoder.decode(name, StandardCharsets.UTF_8),
              URLDecoder.decode(value, StandardCharsets.UTF_8)});
        } catch (IllegalArgumentException e) {
          return ""; // not a form body: the URL alone is signed
        }
      }
      pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
      StringBuilder out = new StringBuilder();
      for (String[] pair : pairs) {
        out.append(pair[0]).append(pair[1]);
      }
      return out.toString();
    }

    /** The URLs Twilio may have signed for this request. */
    private List<String> urls(WebhookRequest request) {
      List<String> bases = new ArrayList<>();
      String query = query(request.query());
      if (configured != null) {
        String url = configured.contains("?") || query.isEmpty() ? configured : configured + "?" + query;
        String bodyHash = request.queryParam("bodySHA256");
        if (bodyHash != null && !url.contains("bodySHA256=")) { // Twilio appends it to the configured URL
          url += "&bodySHA256=" + URLEncoder.encode(bodyHash, StandardCharsets.UTF_8);
        }
        bases.add(url);
      } else {
        String host = first(request.header("x-forwarded-host"));
        if (host == null) {
          host = request.header("host");
        }
        if (host == null) {
          return List.of();
        }
        String path = request.path() + (query.isEmpty() ? "" : "?" + query);
        bases.add("https://" + host + path);
        bases.add("http://" + host + path);
      }
      Set<String> urls = new LinkedHashSet<>();
      for (String base : bases) {
        urls.add(base);
        urls.addAll(portVariants(base));
      }
      return List.copyOf(urls);
    }

    /** The URL with its default port removed, or added when it has none (twilio-node's rule). */
    private static List<String> portVariants(String url) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        return List.of();
      }
      if (uri.getRawAuthority() == null || uri.getHost() == null) {
        return List.of();
      }
      int port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      String authority = uri.getRawAuthority();
      String rest = url.substring(url.indexOf(authority) + authority.length());
      String prefix = uri.getScheme() + "://";
      if (uri.getPort() == -1) {
        return List.of(prefix + authority + ":" + port + rest);
      }
      if (uri.getPort() == port) {
        return List.of(prefix + authority.substring(0, authority.lastIndexOf(':')) + rest);
      }
      return List.of();
    }

    private static String query(Map<String, List<String>> query) {
      StringBuilder out = new StringBuilder();
      for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
        for (String value : parameter.getValue()) {
          if (out.length() > 0) {
            out.append('&');
          }
          out.append(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8)).append('=')
              .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
      }
      return out.toString();
    }

    private static String first(String header) {
      if (header == null || header.isBlank()) {
        return null;
      }
      int comma = header.indexOf(',');
      return (comma < 0 ? header : header.substring(0, comma)).strip();
    }
  }

  static String require(WebhookRequest request, String header) {
    String value = request.header(header.toLowerCase(Locale.ROOT));
    if (value == null || value.isBlank()) {
      throw CwmException.unauthorized("Missing " + header + " header");
    }
    return value.strip();
  }

  static long unix(String text, String what) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw CwmException.unauthorized("Invalid " + what + " (must be unix seconds)");
    }
  }

  static boolean isHex(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static Mac mac(String algorithm, SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
