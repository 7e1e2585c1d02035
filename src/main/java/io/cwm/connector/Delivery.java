package io.cwm.connector;

import io.vertx.core.json.JsonObject;

/**
 * One {@code webhook} message received from the receiver (spec §3.2 frame), to be delivered
 * locally.
 *
 * @param messageId never null or empty (frames without one are dropped before this)
 * @param webhookId may be null (then the message is nacked without retry)
 * @param headers the original request headers as stored (lower-case names), never null
 * @param payload JSON value: object, array, string, number, boolean or null
 * @param deliveryCount the receiver's delivery count if it sent one, else 0
 * @param rawBody the exact request body the receiver kept ({@code raw_body} of the frame, a Java
 *     receiver with {@code raw_body} on), or null (a Python receiver, {@code raw_body: false})
 * @param traceparent the W3C trace context the frame carried ({@code traceparent}: the receiver's
 *     delivery attempt, issue 19), or null; sent to an HTTP target as its {@code traceparent} header
 */
public record Delivery(String messageId, String webhookId, JsonObject headers, Object payload, int deliveryCount,
    byte[] rawBody, String traceparent) {

  /** A delivery without trace context. */
  public Delivery(String messageId, String webhookId, JsonObject headers, Object payload, int deliveryCount,
      byte[] rawBody) {
    this(messageId, webhookId, headers, payload, deliveryCount, rawBody, null);
  }

  /** This delivery with another W3C {@code traceparent} (the connector's own delivery span). */
  public Delivery withTraceparent(String value) {
    return new Delivery(messageId, webhookId, headers, payload, deliveryCount, rawBody, value);
  }

  /** A delivery without a raw body. */
  public Delivery(String messageId, String webhookId, JsonObject headers, Object payload, int deliveryCount) {
    this(messageId, webhookId, headers, payload, deliveryCount, null);
  }
}
