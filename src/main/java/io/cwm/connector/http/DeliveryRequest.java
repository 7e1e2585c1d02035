package io.cwm.connector.http;

import io.cwm.connector.Delivery;
import io.cwm.connector.Target;
import io.cwm.net.TargetUrl;
import io.cwm.webhook.CredentialCleaner;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headers and body of a delivery request (spec §8.10 item 3), in this order: the target's
 * headers, {@code X-Original-<name>} per envelope header, {@code Content-Type} (unless the target
 * sets exactly {@code Content-Type}), {@code X-Webhook-Message-ID}, {@code X-Webhook-ID},
 * {@code X-Webhook-Attempt}, then {@code Accept: *}{@code /*} unless the target sets an Accept
 * header (any case): some frameworks answer 406 without one. A later header replaces an earlier
 * one of the same name (case insensitive), so none is ever sent twice. No {@code Accept-Encoding}
 * is added and the body is never compressed.
 *
 * <p>A delivery with a raw body (issue 16) sends those bytes with the original {@code Content-Type}
 * and also repeats the original headers under their own names, so the provider's signature
 * headers reach the target as the provider sent them ({@link #forwardOriginals}). A target with
 * {@code sign} gets the Standard Webhooks headers last ({@link StandardWebhooks}). A delivery with trace
 * context (issue 19) sends it as the W3C {@code traceparent} header, unless the target sets one.
 *
 * <p>Never sent: a header whose name is not an HTTP token or whose value holds a control
 * character (CR, LF, NUL, ... — header injection); original hop-by-hop headers; target
 * {@code Content-Length}/{@code Transfer-Encoding} (the client frames the body itself).
 */
final class DeliveryRequest {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryRequest.class);
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
      "trailer", "trailers", "upgrade");
  private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding");
  /** Original headers a raw-body delivery does not repeat under their own names (see {@link #forwardOriginals}). */
  private static final Set<String> NOT_FORWARDED = Set.of("host", "expect", "content-type",
      "x-webhook-message-id", "x-webhook-id", "x-webhook-attempt");
  static final String ORIGINAL_PREFIX = "X-Original-";

  private DeliveryRequest() {}

  /** Headers of attempt {@code attempt} (1-based), of a delivery without re-signing. */
  static MultiMap headers(Target target, TargetUrl url, Delivery delivery, int attempt) {
    return headers(target, url, delivery, attempt, null, 0);
  }

  /**
   * Headers of attempt {@code attempt} (1-based). With a raw body the original headers also go
   * under their own names ({@link #forwardOriginals}) and {@code Content-Type} is the original's.
   * With the target's {@code sign}, the Standard Webhooks headers of {@code body} at
   * {@code epochSeconds} come last.
   */
  static MultiMap headers(Target target, TargetUrl url, Delivery delivery, int attempt, Buffer body,
      long epochSeconds) {
    MultiMap headers = HttpHeaders.headers();
    for (Map.Entry<String, String> header : target.headers().entrySet()) {
      String name = header.getKey();
      if (name != null && FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
        LOG.debug("[message_id: {}] target header {} not sent: the client frames the body", delivery.messageId(), name);
        continue;
      }
      put(headers, name, header.getValue(), delivery);
    }
    for (Map.Entry<String, Object> original : delivery.headers()) {
      String name = original.getKey();
      String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || lower.startsWith("proxy-")) {
        continue;
      }
      Object value = original.getValue();
      if (value == null || value instanceof Map || value instanceof Iterable) {
        continue;
      }
      put(headers, ORIGINAL_PREFIX + name, value.toString(), delivery);
    }
    boolean raw = delivery.rawBody() != null;
    if (raw) {
      forwardOriginals(headers, target, delivery);
    }
    Object originalType = raw ? original(delivery, "content-type") : null;
    if (originalType instanceof String type && !hasControlCharacter(type)) {
      headers.set("Content-Type", type); // the bytes are the original's: so is their type
    } else if (!raw && !target.headers().containsKey("Content-Type")) {
      headers.set("Content-Type", "application/json");
    }
    put(headers, "X-Webhook-Message-ID", delivery.messageId(), delivery);
    if (delivery.webhookId() != null) {
      put(headers, "X-Webhook-ID", delivery.webhookId(), delivery);
    }
    headers.set("X-Webhook-Attempt", Integer.toString(attempt));
    if (!headers.contains("Accept")) { // some frameworks answer 406 without one
      headers.set("Accept", "*/*");
    }
    if (url.basicAuth() != null && !targetSets(target, "authorization")) { // the URL's, not a forwarded one
      headers.set("Authorization", url.basicAuth());
    }
    if (delivery.traceparent() != null && !targetSets(target, "traceparent")) {
      // issue 19: the local app's server span joins the webhook's trace (the connector's delivery span
      // is its parent); it replaces the provider's own traceparent a raw-body delivery forwarded
      headers.set("traceparent", delivery.traceparent());
    }
    if (target.sign() != null && body != null) {
      StandardWebhooks.sign(headers, target.sign().key(), delivery.messageId(), epochSeconds, body);
    }
    return headers;
  }

  /**
   * A raw-body delivery carries the original headers under their own names too (as ngrok and the
   * Stripe CLI forward them), so a local app finds {@code Stripe-Signature} or
   * {@code X-Hub-Signature-256} where its provider's library looks. Not forwarded: hop-by-hop and
   * proxy headers, {@code host}, the framing ({@code content-length}, {@code transfer-encoding}),
   * {@code expect}, a header the target sets itself (in any case: the target's value wins) and a
   * value masked by credential cleanup ({@value CredentialCleaner#MASK} is no credential).
   */
  private static void forwardOriginals(MultiMap headers, Target target, Delivery delivery) {
    for (Map.Entry<String, Object> original : delivery.headers()) {
      String name = original.getKey();
      String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || FRAMING.contains(lower) || NOT_FORWARDED.contains(lower)
          || lower.startsWith("proxy-") || targetSets(target, lower)) {
        continue;
      }
      if (original.getValue() instanceof String value && !CredentialCleaner.MASK.equals(value)) {
        put(headers, name, value, delivery);
      }
    }
  }

  private static boolean targetSets(Target target, String lowerName) {
    for (String name : target.headers().keySet()) {
      if (name.toLowerCase(Locale.ROOT).equals(lowerName)) {
        return true;
      }
    }
    return false;
  }

  /** An envelope header by lower-case name (as stored), or null. */
  private static Object original(Delivery delivery, String lowerName) {
    Object value = delivery.headers().getValue(lowerName);
    if (value != null) {
      return value;
    }
    for (Map.Entry<String, Object> header : delivery.headers()) { // a writer that kept the case
      if (header.getKey().equalsIgnoreCase(lowerName)) {
        return header.getValue();
      }
    }
    return null;
  }

  /** The request body: the raw body when the receiver kept one, else the payload ({@link #body(Object)}). */
  static Buffer body(Delivery delivery) {
    return delivery.rawBody() != null ? Buffer.buffer(delivery.rawBody()) : body(delivery.payload());
  }

  /**
   * The body: a string payload as itself, anything else as JSON text — objects, arrays and also
   * numbers, booleans and null ({@code 123}, {@code true}, {@code null}).
   */
  static Buffer body(Object payload) {
    if (payload instanceof String text) {
      return Buffer.buffer(text);
    }
    return Buffer.buffer(Json.encode(payload));
  }

  private static void put(MultiMap headers, String name, String value, Delivery delivery) {
    if (name == null || !TOKEN.matcher(name).matches()) {
      LOG.debug("[message_id: {}] header not sent: its name is not an HTTP token", delivery.messageId());
      return;
    }
    if (value == null || hasControlCharacter(value)) {
      LOG.debug("[message_id: {}] header {} not sent: its value holds a control character", delivery.messageId(), name);
      return;
    }
    headers.set(name, value);
  }

  private static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
