package io.cwm.module.activemq;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The SEND frame's headers and body for one webhook.
 *
 * <p>Body: a JSON object, array or scalar as compact UTF-8 JSON ({@code content-type:
 * application/json}), a string payload as its UTF-8 text ({@code text/plain;charset=utf-8}, as
 * Python's {@code str}), a blob as its raw bytes ({@code application/octet-stream}; Python sends
 * {@code b'…'} text). The client adds {@code content-length}.
 *
 * <p>Headers: every request header (lower-case names) except the ones that would change how the
 * frame is framed or handled: STOMP's own ({@code content-length}, {@code content-type},
 * {@code destination}, {@code receipt}, {@code transaction}, …) and the ones ActiveMQ reads on a
 * SEND ({@code persistent}, {@code priority}, {@code expires}, {@code reply-to},
 * {@code correlation-id}, {@code type}, {@code amq-msg-type}, …). Python forwards them all, so an
 * HTTP {@code Expires} or {@code Content-Length} header reaches the broker as a STOMP control
 * header. Then {@code destination}, {@code content-type} and {@code persistent:true} (Python sends
 * no {@code persistent}, so ActiveMQ Classic keeps its messages in memory only). The client
 * escapes values as STOMP 1.2 says ({@code \\}, {@code \n}, {@code \r}, {@code :}).
 */
final class StompMessage {
  static final String JSON = "application/json";
  static final String TEXT = "text/plain;charset=utf-8";
  static final String BYTES = "application/octet-stream";
  /** Request headers never copied into the SEND frame (lower case). */
  static final Set<String> RESERVED = Set.of(
      // STOMP 1.2 frame headers
      "content-length", "content-type", "destination", "receipt", "receipt-id", "transaction", "id", "ack",
      "subscription", "message-id", "accept-version", "heart-beat", "login", "passcode", "version", "session",
      "server",
      // read by ActiveMQ on a SEND
      "persistent", "priority", "expires", "reply-to", "correlation-id", "type", "amq-msg-type",
      "jmsxgroupid", "jmsxgroupseq", "jmsxuserid", "original-destination");

  private StompMessage() {}

  /** The body of one payload (see the class comment). */
  static Buffer body(Object payload) {
    if (payload instanceof Buffer bytes) {
      return bytes;
    }
    if (payload instanceof String text) {
      return Buffer.buffer(text);
    }
    return Json.encodeToBuffer(payload);
  }

  static String contentType(Object payload) {
    if (payload instanceof Buffer) {
      return BYTES;
    }
    return payload instanceof String ? TEXT : JSON;
  }

  /** The SEND frame's headers for one webhook to {@code destination} (a new map the caller may change). */
  static Map<String, String> headers(Map<String, String> requestHeaders, String destination, Object payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (requestHeaders != null) {
      requestHeaders.forEach((name, value) -> {
        if (name != null && !name.isEmpty() && value != null && !RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          headers.put(name, value);
        }
      });
    }
    headers.put("destination", destination);
    headers.put("content-type", contentType(payload));
    headers.put("persistent", "true");
    return headers;
  }
}
