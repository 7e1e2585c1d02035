package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OAuth 1.0 request signature (spec §5.6, RFC 5849). Config: {@code consumer_key},
 * {@code consumer_secret} (both required), {@code token_secret} (""), {@code signature_method}
 * ({@code HMAC-SHA1} or {@code PLAINTEXT}), {@code verify_timestamp} (true),
 * {@code timestamp_window} (300 s), {@code verify_nonce} (true), and {@code base_url_scheme}
 * ({@code http}; set {@code https} when TLS ends in front of us: it must be the scheme the
 * client signed).
 *
 * <p>The signature base string follows RFC 5849:
 * <ul>
 *   <li>the base string URI is the full RFC 5849 base URI, {@code <scheme>://<Host header><path>}
 *       (host lower-cased, default port dropped), not the path alone;
 *   <li>query parameters are signed; {@code realm} is not;
 *   <li>a body is signed only when it is {@code application/x-www-form-urlencoded}, with every
 *       value;
 *   <li>a missing {@code oauth_timestamp} is refused while {@code verify_timestamp} is on;
 *   <li>the consumer key is compared in constant time.
 * </ul>
 *
 * <p>Nonces live in one process-wide store of at most 100 000 entries, keyed by consumer key and
 * nonce; an entry expires at {@code timestamp + window + 60 s}. A nonce is recorded only after the
 * signature verified, so that unsigned requests can neither burn other clients' nonces nor fill the
 * store.
 */
public final class OAuth1Validator implements Validator {
  static final int MAX_NONCE_LENGTH = 256;
  private static final NonceStore SHARED_NONCES = new NonceStore(NonceStore.MAX_ENTRIES);
  private static final String PREFIX = "OAuth ";
  /** {@code name="value"} pairs of the Authorization header (values may be empty). */
  private static final Pattern PARAM = Pattern.compile("([A-Za-z0-9_]+)=\"([^\"]*)\"");
  private static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z0-9-]{1,32}");
  private static final List<String> REQUIRED =
      List.of("oauth_consumer_key", "oauth_signature_method", "oauth_signature");

  private final String consumerKey;
  private final String signingKey;
  private final String signatureMethod;
  private final boolean verifyTimestamp;
  private final long window;
  private final boolean verifyNonce;
  private final String scheme;
  private final Clock clock;
  private final NonceStore nonces;
  private final ThreadLocal<Mac> macs;

  private OAuth1Validator(JsonObject config, String consumerKey, String consumerSecret,
      ValidatorContext context, NonceStore nonces) {
    this.consumerKey = consumerKey;
    this.signingKey = encode(consumerSecret) + "&" + encode(Coerce.string(config, "token_secret", ""));
    this.signatureMethod = signatureMethod(config);
    this.verifyTimestamp = Coerce.bool(config, "verify_timestamp", true);
    this.window = Coerce.integer(config, "timestamp_window", 300, 1, 86_400);
    this.verifyNonce = Coerce.bool(config, "verify_nonce", true);
    this.scheme = scheme(config);
    this.clock = context.clock();
    this.nonces = nonces;
    SecretKeySpec key = new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(key);
        return mac;
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    return fromConfig(block, entry, context, SHARED_NONCES);
  }

  /** As {@link #fromConfig(Object, JsonObject, ValidatorContext)} with a given nonce store (tests). */
  static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context, NonceStore nonces) {
    // an empty block is not "no check": it could never pass, so it is refused with the message below
    JsonObject config = ValidatorFactory.isEmpty(block) ? new JsonObject() : ValidatorFactory.requireObject(block);
    String consumerKey = Coerce.string(config, "consumer_key", null);
    String consumerSecret = Coerce.string(config, "consumer_secret", null);
    if (consumerKey == null || consumerKey.isBlank() || consumerSecret == null || consumerSecret.isEmpty()) {
      throw new ConfigException("", "OAuth 1.0 consumer credentials not configured");
    }
    return new OAuth1Validator(config, consumerKey, consumerSecret, context, nonces);
  }

  private static String signatureMethod(JsonObject config) {
    String method = Coerce.string(config, "signature_method", "HMAC-SHA1").strip().toUpperCase(Locale.ROOT);
    if (!method.equals("HMAC-SHA1") && !method.equals("PLAINTEXT")) {
      throw new ConfigException("signature_method",
          "Unsupported OAuth 1.0 signature method: " + method + " (use HMAC-SHA1 or PLAINTEXT)");
    }
    return method;
  }

  private static String scheme(JsonObject config) {
    String scheme = Coerce.string(config, "base_url_scheme", "http").strip().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException("base_url_scheme", "must be http or https");
    }
    return scheme;
  }

  @Override
  public String key() {
    return "oauth1";
  }

  /** The signature covers the body's parameters only when the body is a form. */
  @Override
  public boolean needsBody(WebhookRequest head) {
    return isForm(head.header("content-type"));
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    AuthorizationHeader authorization = AuthorizationHeader.read(request, PREFIX, "OAuth 1.0 authentication required");
    if (authorization.problem() != null) {
      return fail(authorization.problem());
    }
    Map<String, String> params = parseHeader(authorization.credentials());
    for (String name : REQUIRED) {
      if (!params.containsKey(name)) {
        return fail("Missing required OAuth 1.0 parameter: " + name);
      }
    }
    if (!ConstantTime.equals(consumerKey, params.get("oauth_consumer_key"))) {
      return fail("Invalid OAuth 1.0 consumer key");
    }
    String method = params.get("oauth_signature_method");
    if (!method.equalsIgnoreCase(signatureMethod)) {
      return fail(METHOD_NAME.matcher(method).matches()
          ? "Invalid OAuth 1.0 signature method: " + method
          : "Invalid OAuth 1.0 signature method");
    }
    long now = clock.instant().getEpochSecond();
    long timestamp = now;
    if (verifyTimestamp) {
      String text = params.get("oauth_timestamp");
      if (text == null) {
        return fail("Missing required OAuth 1.0 parameter: oauth_timestamp");
      }
      try {
        timestamp = Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        return fail("Invalid OAuth 1.0 timestamp");
      }
      long diff = difference(now, timestamp);
      if (diff > window) {
        return fail("OAuth 1.0 timestamp out of window (diff: " + diff + "s, max: " + window + "s)");
      }
    }
    String nonce = params.get("oauth_nonce");
    if (verifyNonce) {
      if (nonce == null) {
        return fail("Missing required OAuth 1.0 parameter: oauth_nonce");
      }
      if (nonce.isBlank() || nonce.length() > MAX_NONCE_LENGTH) {
        return fail("Invalid OAuth 1.0 nonce format");
      }
    }
    String expected;
    if (signatureMethod.equals("PLAINTEXT")) {
      expected = signingKey;
    } else {
      String host = request.header("host");
      if (host == null || host.isBlank()) {
        return fail("Missing Host header");
      }
      List<String> pairs = signedParameters(request, params);
      if (pairs == null) {
        return fail("Invalid OAuth 1.0 signature");
      }
      String baseString = request.method().toUpperCase(Locale.ROOT) + "&"
          + encode(baseUri(host, request.path())) + "&" + encode(String.join("&", pairs));
      expected = Base64.getEncoder().encodeToString(
          macs.get().doFinal(baseString.getBytes(StandardCharsets.UTF_8)));
    }
    if (!ConstantTime.equals(expected, params.get("oauth_signature"))) {
      return fail("Invalid OAuth 1.0 signature");
    }
    if (verifyNonce) {
      switch (nonces.checkAndStore(consumerKey + "\n" + nonce, timestamp + window + 60, now)) {
        case REPLAY:
          return fail("OAuth 1.0 nonce has already been used (replay attack detected)");
        case FULL:
          return fail("Server nonce storage full, please retry later");
        default:
          break;
      }
    }
    return Future.succeededFuture();
  }

  private static long difference(long now, long timestamp) {
    try {
      return Math.abs(Math.subtractExact(now, timestamp));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Header parameters, values percent-decoded; a repeated name keeps its last value. */
  static Map<String, String> parseHeader(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher matcher = PARAM.matcher(text);
    while (matcher.find()) {
      params.put(matcher.group(1), percentDecode(matcher.group(2)));
    }
    return params;
  }

  /** RFC 5849 §3.4.1.2: lower-case scheme and host, default port omitted, path as received. */
  private String baseUri(String host, String path) {
    String authority = host.strip().toLowerCase(Locale.ROOT);
    String defaultPort = scheme.equals("https") ? ":443" : ":80";
    if (authority.endsWith(defaultPort)) {
      authority = authority.substring(0, authority.length() - defaultPort.length());
    }
    return scheme + "://" + authority + (path == null || path.isEmpty() ? "/" : path);
  }

  /**
   * RFC 5849 §3.4.1.3: header parameters (without {@code realm} and {@code oauth_signature}),
   * query parameters and a form body, each name and value encoded, sorted. Null when the form
   * body cannot be decoded.
   */
  private static List<String> signedParameters(WebhookRequest request, Map<String, String> header) {
    List<String[]> pairs = new ArrayList<>();
    header.forEach((name, value) -> {
      if (!name.equals("realm") && !name.equals("oauth_signature")) {
        pairs.add(new String[] {encode(name), encode(value)});
      }
    });
    request.query().forEach((name, values) -> values.forEach(value ->
        pairs.add(new String[] {encode(name), encode(value)})));
    if (isForm(request.header("content-type")) && request.body() != null) {
      try {
        for (String piece : request.body().toString(StandardCharsets.UTF_8).split("&")) {
          if (piece.isEmpty()) {
            continue;
          }
          int equals = piece.indexOf('=');
          String name = equals < 0 ? piece : piece.substring(0, equals);
          String value = equals < 0 ? "" : piece.substring(equals + 1);
          pairs.add(new String[] {encode(URLDecoder.decode(name, StandardCharsets.UTF_8)),
              encode(URLDecoder.decode(value, StandardCharsets.UTF_8))});
        }
      } catch (IllegalArgumentException malformed) {
        return null;
      }
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> joined = new ArrayList<>(pairs.size());
    for (String[] pair : pairs) {
      joined.add(pair[0] + "=" + pair[1]);
    }
    return joined;
  }

  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().equalsIgnoreCase("application/x-www-form-urlencoded");
  }

  /** RFC 3986 percent-encoding of the UTF-8 bytes; only unreserved characters stay as they are. */
  static String encode(String text) {
    StringBuilder result = new StringBuilder(text.length() + 16);
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~';
      if (unreserved) {
        result.append((char) c);
      } else {
        result.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return result.toString();
  }

  /** Percent-decoding: bad escapes stay literal, '+' is not a space. */
  static String percentDecode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
          && Character.digit(text.charAt(i + 2), 16) >= 0) {
        bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }

  /**
   * Seen nonces with their expiry (epoch seconds), bounded. Validators of every webhook share one
   * instance and run on several event loops, hence the lock; expired entries are purged at most
   * once a minute, or at once when the store is full.
   */
  static final class NonceStore {
    static final int MAX_ENTRIES = 100_000;

    enum Outcome { STORED, REPLAY, FULL }

    private final int capacity;
    private final Map<String, Long> expiries = new HashMap<>();
    private long nextPurge = Long.MIN_VALUE;

    NonceStore(int capacity) {
      this.capacity = capacity;
    }

    synchronized Outcome checkAndStore(String key, long expiresAt, long now) {
      if (now >= nextPurge) {
        purge(now);
        nextPurge = now + 60;
      }
      Long expiry = expiries.get(key);
      if (expiry != null && now < expiry) {
        return Outcome.REPLAY;
      }
      if (expiry == null && expiries.size() >= capacity) {
        purge(now);
        if (expiries.size() >= capacity) {
          return Outcome.FULL;
        }
      }
      expiries.put(key, expiresAt);
      return Outcome.STORED;
    }

    synchronized int size() {
      return expiries.size();
    }

    private void purge(long now) {
      for (Iterator<Long> it = expiries.values().iterator(); it.hasNext(); ) {
        if (now >= it.next()) {
          it.remove();
        }
      }
    }
  }
}
