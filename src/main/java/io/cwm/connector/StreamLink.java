package io.cwm.connector;

import io.cwm.trace.Tracing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One connection of the connector to the receiver's streaming API (spec §3), whatever the
 * protocol. {@link #open()} completes once the connection is established (WebSocket 101, SSE
 * 200, first poll answered) or fails ({@link Refused} for 401/403/404); {@link #ended()}
 * completes when it is over, for any reason. Frames go to the {@link Listener} on the
 * connector's event loop.
 */
abstract class StreamLink {

  /** What the link reports. */
  interface Listener {
    /**
     * A {@code webhook} frame with a message id. Returns false when the connector already has
     * that message (being delivered, or delivered a moment ago): a receiver handing back what it
     * just handed out.
     */
    boolean onMessage(Delivery delivery);

    /** Anything that proves the receiver alive (heartbeat, connected, a frame, a poll answer). */
    void onAlive();

    /** Issue 16: the receiver said it takes flow requests ({@link #flow}); told once per link. */
    default void onFlowSupported() {
    }
  }

  /** The receiver refused the connection (bad token, unknown channel): HTTP status or close code. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  protected final Listener listener;
  protected final Promise<Void> ended = Promise.promise();
  /** The connection id the receiver gave (from {@code connected} or a poll answer), or null. */
  protected volatile String connectionId;
  /** Issue 16: the receiver advertised {@code flow} (ours does; a Python receiver does not). */
  private volatile boolean flowSupported;

  StreamLink(Listener listener) {
    this.listener = listener;
  }

  abstract Future<Void> open();

  abstract void ack(String messageId);

  abstract void nack(String messageId, boolean retry);

  /**
   * Issue 16, only when {@link #flowSupported}: asks the receiver to hold this session to
   * {@code maxInFlight} messages (0: paused, and every message the session holds is handed back
   * with its delivery given back; null: the channel's window again). {@code circuits} is the report
   * of the open circuits for the receiver's admin view.
   */
  abstract void flow(Integer maxInFlight, JsonArray circuits);

  boolean flowSupported() {
    return flowSupported;
  }

  /** The receiver advertised {@code features} (a {@code connected} frame or event, a poll header). */
  protected void features(Object features) {
    boolean flow = features instanceof JsonArray array ? array.contains("flow")
        : features instanceof String text && java.util.Arrays.asList(text.split("\\s*,\\s*")).contains("flow");
    if (flow && !flowSupported) {
      flowSupported = true;
      listener.onFlowSupported();
    }
  }

  /** Ends the connection (WebSocket close code and reason; other protocols end the request). */
  abstract void close(int code, String reason);

  final Future<Void> ended() {
    return ended.future();
  }

  /** Why it ended, for the log: the close code/reason or the error. */
  String endReason() {
    return ended.future().failed() ? ended.future().cause().getMessage() : "closed";
  }

  /**
   * The delivery of a {@code webhook} frame (spec §3.2), or null when it has no usable message
   * id (dropped: nothing can ack it). Unknown fields are ignored.
   */
  static Delivery parseWebhook(JsonObject frame) {
    if (!(frame.getValue("message_id") instanceof String messageId) || messageId.isEmpty()) {
      return null;
    }
    String webhookId = frame.getValue("webhook_id") instanceof String id && !id.isEmpty() ? id : null;
    JsonObject headers = frame.getValue("headers") instanceof JsonObject object ? object : new JsonObject();
    int count = frame.getValue("delivery_count") instanceof Number number ? number.intValue() : 0;
    String traceparent = frame.getValue("traceparent") instanceof String text && Tracing.isTraceparent(text)
        ? text : null;
    return new Delivery(messageId, webhookId, headers, frame.getValue("payload"), count, rawBody(frame), traceparent);
  }

  /** The frame's {@code raw_body} (base64), or null when absent or not base64 (the payload is delivered then). */
  static byte[] rawBody(JsonObject frame) {
    if (!(frame.getValue("raw_body") instanceof String text)) {
      return null;
    }
    try {
      return java.util.Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }
}
