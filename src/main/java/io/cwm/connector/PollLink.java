package io.cwm.connector;

import io.cwm.retry.RetryCurve;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-poll (spec §3.5): {@code GET .../poll?timeout=30&max_messages=n} in a loop, 200 with
 * messages or 204 when none came in time; established with the first answer. Polls only while
 * the connector has room ({@code room}), so messages are not pulled faster than they are
 * delivered. Acks go by POST with the answer's connection id.
 *
 * <p>Polls are spaced by the delays of {@code pause} while acks fail (non-2xx or not sent) or the
 * last answer held only messages the connector already has, and again at once after an ack
 * succeeds: a receiver that cannot take acks and hands the same message back on every poll is not
 * polled in a hot loop.
 *
 * <p>An answer body longer than {@code max_message_bytes} (by its {@code Content-Length}, or as it
 * arrives) fails the poll like any other poll failure: the link ends and the connector reconnects.
 */
final class PollLink extends PostedAckLink {
  private static final Logger LOG = LoggerFactory.getLogger(PollLink.class);
  static final int POLL_TIMEOUT_SECONDS = 30;
  private static final long ROOM_WAIT_MS = 50;

  private final Vertx vertx;
  private final HttpClient client;
  private final Endpoints endpoints;
  private final String token;
  private final String connectorId;
  private final IntSupplier room;
  private final AckPoster acks;
  private final RetryCurve pause;
  /** The longest answer body taken (max_message_bytes). */
  private final int maxAnswerBytes;
  /** Polls spaced by {@link #pause} since the last ack that succeeded. */
  private int slowPolls;
  private volatile boolean closed;
  /** The last ack or nack failed, and none succeeded since. */
  private boolean acksFailing;
  /** The last answer held messages, all of them already in hand. */
  private boolean onlyKnownMessages;
  private boolean warnedSlowing;

  /**
   * @param pause spacing of polls while acks fail or the receiver hands back known messages
   * @param maxAnswerBytes max_message_bytes: the longest answer body taken
   */
  PollLink(Vertx vertx, HttpClient client, Endpoints endpoints, String token, String connectorId, IntSupplier room,
      RetryCurve pause, int maxAnswerBytes, Listener listener) {
    super(listener);
    this.vertx = vertx;
    this.client = client;
    this.endpoints = endpoints;
    this.token = token;
    this.connectorId = connectorId;
    this.room = room;
    this.pause = pause;
    this.maxAnswerBytes = maxAnswerBytes;
    this.acks = new AckPoster(vertx, client, endpoints, token, this::settled);
  }

  /** The final result of one ack or nack. */
  private void settled(boolean succeeded) {
    if (succeeded) {
      if (acksFailing) {
        LOG.info("acks go through again: polling at once");
      }
      acksFailing = false;
      warnedSlowing = false;
      slowPolls = 0;
    } else {
      acksFailing = true;
    }
  }

  @Override
  Future<Void> open() {
    Promise<Void> established = Promise.promise();
    pollOnce(established);
    return established.future();
  }

  private void pollOnce(Promise<Void> established) {
    if (closed) {
      ended.tryComplete();
      return;
    }
    if (acksFailing || onlyKnownMessages) {
      onlyKnownMessages = false;
      long wait = Math.max(1, pause.delayMillis(slowPolls));
      if (slowPolls < Integer.MAX_VALUE) {
        slowPolls++;
      }
      String why = acksFailing ? "acks are not accepted" : "the receiver handed back only messages already in hand";
      if (!warnedSlowing) {
        warnedSlowing = true;
        LOG.warn("{}: slowing down polling (next poll in {} ms, longer each time until an ack succeeds)", why, wait);
      } else {
        LOG.debug("{}: next poll in {} ms", why, wait);
      }
      vertx.setTimer(wait, id -> poll(established));
      return;
    }
    poll(established);
  }

  private void poll(Promise<Void> established) {
    if (closed) {
      ended.tryComplete();
      return;
    }
    int max = Math.min(100, room.getAsInt());
    if (max <= 0 && established.future().isComplete()) {
      vertx.setTimer(ROOM_WAIT_MS, id -> poll(established));
      return;
    }
    RequestOptions options = endpoints.request(HttpMethod.GET, endpoints.streamPath() + "/poll?timeout="
            + POLL_TIMEOUT_SECONDS + "&max_messages=" + Math.max(1, max))
        .putHeader("Authorization", "Bearer " + token)
        .setTimeout((POLL_TIMEOUT_SECONDS + 5) * 1000L);
    if (connectorId != null) {
      options.putHeader("X-Connector-ID", connectorId);
    }
    client.request(options)
        .compose(request -> request.send())
        .compose(response -> boundedBody(response, maxAnswerBytes).map(body -> {
          int status = response.statusCode();
          String id = response.getHeader("X-Connection-ID");
          if (id != null && !id.equals(connectionId) && (status == 200 || status == 204)) {
            connectionId = id;
            acks.connectionId(id);
          }
          features(response.getHeader("X-Connect-Features"));
          if (status == 401 || status == 403 || status == 404) {
            throw new Refused(status, "poll refused with HTTP " + status);
          }
          if (status != 200 && status != 204) {
            throw new IllegalStateException("poll answered HTTP " + status);
          }
          established.tryComplete();
          if (!closed) {
            listener.onAlive();
          }
          if (status == 200) {
            onBatch(body.toJsonObject());
          }
          return status;
        }))
        .onSuccess(status -> pollOnce(established))
        .onFailure(failure -> {
          if (failure instanceof DecodeException) {
            failure = new IllegalStateException("poll answer is not JSON");
          }
          established.tryFail(failure);
          ended.tryFail(failure);
        });
  }

  /**
   * The body of {@code response}, or a failure as soon as it is known to be longer than {@code max}
   * bytes (its Content-Length, or what arrived so far): the request is reset and nothing more is
   * buffered.
   */
  private static Future<Buffer> boundedBody(HttpClientResponse response, int max) {
    String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && declaredLength(declared) > max) {
      response.request().reset();
      return Future.failedFuture(tooLarge(max, "Content-Length " + declared.trim()));
    }
    Promise<Buffer> whole = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      if (whole.future().isComplete()) {
        return;
      }
      if ((long) body.length() + chunk.length() > max) {
        whole.tryFail(tooLarge(max, null));
        response.request().reset();
        return;
      }
      body.appendBuffer(chunk);
    });
    response.exceptionHandler(whole::tryFail);
    response.endHandler(done -> whole.tryComplete(body));
    return whole.future();
  }

  private static long declaredLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1; // not a length: the bytes as they arrive decide
    }
  }

  /** @param declared the Content-Length that gave it away, or null when the bytes did */
  private static IllegalStateException tooLarge(int max, String declared) {
    return new IllegalStateException("poll answer longer than max_message_bytes (" + max + " bytes)"
        + (declared == null ? "" : ": " + declared));
  }

  private void onBatch(JsonObject answer) {
    if (answer.getValue("connection_id") instanceof String id && !id.equals(connectionId)) {
      connectionId = id;
      acks.connectionId(id);
    }
    JsonArray messages = answer.getValue("messages") instanceof JsonArray array ? array : new JsonArray();
    boolean anyNew = false;
    for (Object item : messages) {
      Delivery delivery = item instanceof JsonObject frame ? parseWebhook(frame) : null;
      if (delivery == null) {
        LOG.warn("polled message without a usable message_id dropped");
      } else if (closed) {
        acks.nack(delivery.messageId(), true); // arrived after we stopped: straight back to the channel
      } else {
        anyNew |= listener.onMessage(delivery);
      }
    }
    onlyKnownMessages = !messages.isEmpty() && !anyNew && !closed;
  }

  @Override
  AckPoster acks() {
    return acks;
  }

  @Override
  void close(int code, String reason) {
    closed = true;
    ended.tryComplete(); // a poll in progress is left to time out; its messages return by lease expiry
  }
}
