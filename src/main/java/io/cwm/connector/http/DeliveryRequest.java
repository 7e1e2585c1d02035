package io.cwm.connector.http;

import io.cwm.connector.Delivery;
import io.cwm.connector.Target;
import io.cwm.net.TargetUrl;
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
  static final String ORIGINAL_PREFIX = "X-Original-";

  private DeliveryRequest() {}

  /** Headers of attempt {@code attempt} (1-based). */
  static MultiMap headers(Target target, TargetUrl url, Delivery delivery, int attempt) {
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
    if (!target.headers().containsKey("Content-Type")) {
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
    if (url.basicAuth() != null && !headers.contains("Authorization")) {
      headers.set("Authorization", url.basicAuth());
    }
    return headers;
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
