package io.cwm.stream.edge;

import io.cwm.app.AppContext;
import io.cwm.buffer.BufferClient;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.cwm.stream.StreamClient;
import io.cwm.stream.StreamFailure;
import io.cwm.stream.StreamService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming API on the public port (spec §3): WebSocket, SSE and long-poll streams, acks by
 * POST, and the channel status. This edge holds the sockets; StreamVerticle decides what goes
 * where.
 */
public final class ConnectRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectRoutes.class);
  private static final int STALE_HEARTBEATS = 3;

  /** How often this edge looks for streams whose token's grace has ended. */
  static final long TOKEN_SWEEP_MS = 1000;

  private final Vertx vertx;
  private final Map<String, ChannelSpec> channels;
  private final StreamService streams;
  private final BufferClient buffer;
  private final TokenGuard tokens;
  private final Set<String> trustedProxies;
  /** A real channel whose token state an unknown channel's check reads (null: no channels at all). */
  private final ChannelSpec decoy;
  /** The WebSocket and SSE streams of this edge (one event loop, no locking). */
  private final Set<EdgeStream> live = new HashSet<>();

  private ConnectRoutes(Vertx vertx, AppContext app) {
    this.vertx = vertx;
    this.channels = app.config().channels();
    this.streams = new StreamClient(vertx);
    this.buffer = new BufferClient(vertx);
    this.tokens = app.tokenGuard();
    this.trustedProxies = app.settings().trustedProxyIps();
    this.decoy = channels.isEmpty() ? null : channels.values().iterator().next();
  }

  /** @param body reads the small JSON bodies of acks (limit and budget of the edge) */
  public static void mount(Vertx vertx, Router router, AppContext app, Handler<RoutingContext> body) {
    ConnectRoutes routes = new ConnectRoutes(vertx, app);
    if (!routes.channels.isEmpty()) {
      vertx.setPeriodic(TOKEN_SWEEP_MS, id -> routes.sweepExpiredTokens());
    }
    router.get("/connect/stream/:channel").handler(routes::webSocket);
    router.get("/connect/stream/:channel/sse").handler(routes::sse);
    router.get("/connect/stream/:channel/poll").handler(routes::poll);
    router.post("/connect/ack").handler(body).handler(routes::ack);
    router.get("/connect/status/:channel").handler(routes::status);
  }

  /** Streams (WebSocket, SSE) open on this process's edge; for leak checks and metrics. */
  public static int liveStreams() {
    return EdgeStream.LIVE.get();
  }

  /** Closes (4001 {@code Token expired}) the streams whose token stopped being valid. */
  private void sweepExpiredTokens() {
    for (EdgeStream stream : List.copyOf(live)) {
      if (!tokens.stillValid(buffer, stream.channel, stream.tokenHash)) {
        LOG.info("[channel: {}, connection_id: {}] token no longer valid (rotation grace over): closed",
            stream.channel.name(), stream.connectionId);
        stream.tokenExpired();
      }
    }
  }

  /**
   * Checks the token presented for the channel named {@code channelName}; on success runs
   * {@code accepted} with the channel and the token's digest, else answers {@code status} with
   * {@code invalid} (or 503 when the token state cannot be read at all).
   *
   * <p>An unknown channel is answered exactly like a wrong token (same status, same body, the same
   * backend read before the answer, see {@link TokenGuard#checkUnknown}), so channel names cannot
   * be enumerated without a token.
   */
  private void authenticate(RoutingContext context, String channelName, String token, FailureCode refusal,
      String invalid, BiConsumer<ChannelSpec, String> accepted) {
    ChannelSpec channel = channelName == null ? null : channels.get(channelName);
    Future<TokenGuard.Check> check = channel != null ? tokens.check(buffer, channel, token)
        : tokens.checkUnknown(buffer, decoy, token);
    check.onComplete(done -> {
      if (done.failed()) {
        context.fail(new CwmException(FailureCode.UNAVAILABLE, "Webhook Connect buffer unavailable", 5));
      } else if (channel == null || !done.result().ok()) {
        context.fail(new CwmException(refusal, invalid));
      } else {
        accepted.accept(channel, done.result().hash());
      }
    });
  }

  private String remoteIp(HttpServerRequest request) {
    return ClientIp.resolve(request, trustedProxies);
  }

  // ---------------------------------------------------------------- WebSocket

  private void webSocket(RoutingContext context) {
    HttpServerRequest request = context.request();
    String channelName = context.pathParam("channel");
    String token = ChannelTokens.extract(request, false);
    request.pause(); // the upgrade may follow an asynchronous token check
    // refused before the upgrade, so the Python connector backs off (spec §3.2)
    authenticate(context, channelName, token, FailureCode.FORBIDDEN, "Invalid channel token", (channel, tokenHash) -> {
      if (request.getParam("token") != null && request.getHeader("Authorization") == null) {
        LOG.warn("[channel: {}] token passed in the query string: it ends up in access logs; use the Authorization header",
            channelName);
      }
      String connectorId = header(request, "X-Connector-Id", null);
      String remoteIp = remoteIp(request);
      request.toWebSocket()
          .onSuccess(socket -> new WebSocketSession(channel, socket, Frames.connectionId("wsc"), connectorId, remoteIp,
              tokenHash).open())
          .onFailure(failure -> context.fail(CwmException.badRequest("WebSocket upgrade required")));
    });
  }

  /** One accepted WebSocket connection on this edge. */
  private final class WebSocketSession extends EdgeStream {
    private final ServerWebSocket socket;
    private long lastClientHeartbeat = System.currentTimeMillis();

    WebSocketSession(ChannelSpec channel, ServerWebSocket socket, String connectionId, String connectorId,
        String remoteIp, String tokenHash) {
      super(ConnectRoutes.this.vertx, ConnectRoutes.this.streams, channel, connectionId,
          connectorId == null ? "ws_" + connectionId.substring(4, 12) : connectorId, "websocket", remoteIp, tokenHash,
          live);
      this.socket = socket;
    }

    void open() {
      if (socket.isClosed()) {
        return; // the client left during the upgrade: nothing started, nothing to give back
      }
      socket.closeHandler(gone -> end());
      socket.exceptionHandler(failure -> LOG.debug("[connection_id: {}] socket error: {}", connectionId, failure.toString()));
      socket.textMessageHandler(this::onText);
      socket.binaryMessageHandler(binary ->
          LOG.warn("[connection_id: {}] binary frame ignored ({} bytes)", connectionId, binary.length()));
      start();
    }

    @Override
    protected void writeConnected() {
      socket.writeTextMessage(Frames.connected(connectionId, channel.name()).encode());
    }

    @Override
    protected void writeWebhook(Envelope envelope) {
      socket.writeTextMessage(envelope.webhookFrame().encode());
    }

    @Override
    protected void refuse(boolean full) {
      socket.close((short) (full ? 4003 : 1011), full ? "Max connections reached" : "Internal error");
    }

    @Override
    protected void closeByServer(int code, String reason) {
      socket.close((short) code, reason);
    }

    @Override
    protected void onHeartbeat(long interval) {
      if (socket.isClosed()) {
        return; // its close handler is about to end the stream
      }
      if (System.currentTimeMillis() - lastClientHeartbeat > STALE_HEARTBEATS * interval) {
        LOG.info("[channel: {}, connection_id: {}] no heartbeat for {} s: evicted", channel.name(), connectionId,
            STALE_HEARTBEATS * interval / 1000);
        socket.close((short) 4000, "Stale connection");
        end();
        return;
      }
      if (!socket.writeQueueFull()) {
        socket.writeTextMessage(Frames.heartbeat().encode());
      }
    }

    private void onText(String text) {
      JsonObject frame;
      try {
        Object parsed = io.vertx.core.json.Json.decodeValue(text);
        if (!(parsed instanceof JsonObject object)) {
          throw new IllegalArgumentException("not an object");
        }
        frame = object;
      } catch (RuntimeException bad) {
        LOG.warn("[connection_id: {}] malformed frame ignored", connectionId);
        return;
      }
      String type = frame.getValue("type") instanceof String value ? value : "";
      switch (type) {
        case "ack", "nack" -> {
          if (!(frame.getValue("message_id") instanceof String messageId) || messageId.isEmpty()) {
            LOG.warn("[connection_id: {}] {} without message_id ignored", connectionId, type);
            return;
          }
          boolean ack = type.equals("ack");
          streams.settle(channel.name(), connectionId, messageId, ack, !ack && Frames.truthy(frame, "retry"));
        }
        case "heartbeat" -> {
          lastClientHeartbeat = System.currentTimeMillis();
          streams.heartbeat(channel.name(), connectionId);
        }
        default -> LOG.debug("[connection_id: {}] unknown frame type ignored", connectionId);
      }
    }
  }

  // ---------------------------------------------------------------- SSE

  private void sse(RoutingContext context) {
    HttpServerRequest request = context.request();
    String token = ChannelTokens.extract(request, true);
    if (token.isEmpty()) {
      context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Missing authorization token"));
      return;
    }
    authenticate(context, context.pathParam("channel"), token, FailureCode.UNAUTHORIZED, "Invalid channel token",
        (channel, tokenHash) -> {
      HttpServerResponse response = context.response()
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          .putHeader(HttpHeaders.CONNECTION, "keep-alive")
          .putHeader("X-Accel-Buffering", "no");
      new SseSession(channel, response, header(request, "X-Connector-Id", "sse_default"), remoteIp(request), tokenHash)
          .open();
    });
  }

  /** One SSE stream on this edge. */
  private final class SseSession extends EdgeStream {
    private final HttpServerResponse response;

    SseSession(ChannelSpec channel, HttpServerResponse response, String connectorId, String remoteIp,
        String tokenHash) {
      super(ConnectRoutes.this.vertx, ConnectRoutes.this.streams, channel, Frames.connectionId("sse"), connectorId, "sse",
          remoteIp, tokenHash, live);
      this.response = response;
    }

    void open() {
      response.closeHandler(gone -> end());
      start();
    }

    @Override
    protected void writeConnected() {
      // first event, and only for an accepted stream: a refused one gets just the error (spec §3.3)
      response.write(Frames.sse("connected", new JsonObject().put("connection_id", connectionId)
          .put("channel", channel.name())));
    }

    @Override
    protected void writeWebhook(Envelope envelope) {
      response.write(Frames.sse("webhook", envelope.webhookFrame()));
    }

    @Override
    protected void onHeartbeat(long interval) {
      response.write(Frames.sse("heartbeat", new JsonObject().put("timestamp", Frames.now())));
      streams.heartbeat(channel.name(), connectionId);
    }

    @Override
    protected void closeByServer(int code, String reason) {
      if (!response.ended()) {
        response.end(Frames.sse("error", new JsonObject().put("error", reason).put("code", code)));
      }
    }

    @Override
    protected void refuse(boolean full) {
      response.end(Frames.sse("error", new JsonObject()
          .put("error", full ? "max_connections_reached" : "Internal server error")));
    }
  }

  // ---------------------------------------------------------------- long-poll

  private void poll(RoutingContext context) {
    HttpServerRequest request = context.request();
    JsonArray problems = new JsonArray();
    int timeout = intParam(request, "timeout", 30, 1, 60, problems);
    int maxMessages = intParam(request, "max_messages", 10, 1, 100, problems);
    if (!problems.isEmpty()) {
      unprocessable(context, problems);
      return;
    }
    String token = ChannelTokens.extract(request, true);
    if (token.isEmpty()) {
      context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Missing authorization token"));
      return;
    }
    authenticate(context, context.pathParam("channel"), token, FailureCode.UNAUTHORIZED, "Invalid channel token",
        (channel, tokenHash) -> poll(context, channel, timeout, maxMessages));
  }

  private void poll(RoutingContext context, ChannelSpec channel, int timeout, int maxMessages) {
    HttpServerRequest request = context.request();
    String connectorId = header(request, "X-Connector-Id", "poll_default");
    // one session per (channel, connector): a later poll may ack what an earlier one received
    String connectionId = "poll_" + connectorId.replaceAll("[^A-Za-z0-9._-]", "_") + "_" + channel.name();
    // a client that leaves mid-wait must not be handed messages it will never see; the cancel
    // names this poll, so it cannot end a newer poll of the same session
    String pollId = Frames.connectionId("p");
    context.response().closeHandler(gone -> streams.cancelPoll(channel.name(), connectionId, pollId));
    streams.poll(channel.name(), connectionId, connectorId, maxMessages, timeout * 1000L, remoteIp(request), pollId)
        .onSuccess(messages -> {
          if (context.response().closed()) {
            // leased just as the client left: back to the channel (counts as a delivery attempt)
            messages.forEach(envelope -> streams.settleAny(channel.name(), connectionId, envelope.messageId(), false,
                true));
            return;
          }
          if (messages.isEmpty()) {
            context.response().setStatusCode(204).end();
            return;
          }
          JsonArray frames = new JsonArray();
          messages.forEach(envelope -> frames.add(envelope.webhookFrame()));
          context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(new JsonObject().put("messages", frames).put("connection_id", connectionId)
                  .put("channel", channel.name()).put("timestamp", Frames.now()).encode());
        })
        .onFailure(failure -> {
          context.fail(StreamFailure.is(failure, StreamFailure.Reason.FULL) ? failure
              : new CwmException(FailureCode.INTERNAL, "Internal server error"));
        });
  }

  // ---------------------------------------------------------------- ack

  private void ack(RoutingContext context) {
    HttpServerRequest request = context.request();
    JsonObject body = bodyObject(context);
    JsonArray problems = new JsonArray();
    String messageId = firstNonEmpty(request.getParam("message_id"), body.getString("message_id"));
    String status = firstNonEmpty(request.getParam("status"), body.getValue("status") instanceof String s ? s : null);
    String retryText = firstNonEmpty(request.getParam("retry"),
        body.containsKey("retry") ? String.valueOf(body.getValue("retry")) : null);
    String connectionId = request.getHeader("X-Connection-ID");
    String token = ChannelTokens.fromHeader(request);
    if (messageId == null) {
      problems.add(missing("query", "message_id"));
    }
    Boolean retry = retryText == null ? Boolean.TRUE : parseBoolean(retryText);
    if (retry == null) {
      problems.add(new JsonObject().put("loc", new JsonArray().add("query").add("retry"))
          .put("msg", "value could not be parsed to a boolean").put("type", "type_error.bool"));
    }
    if (connectionId == null) {
      problems.add(missing("header", "x-connection-id"));
    }
    if (token == null) {
      problems.add(missing("header", "authorization"));
    }
    if (!problems.isEmpty()) {
      unprocessable(context, problems);
      return;
    }
    boolean settle = retry;
    tokens.channelFor(buffer, channels, token).onComplete(found -> {
      if (found.failed() || found.result() == null) { // checked before anything about the connection is revealed
        context.fail(new CwmException(FailureCode.UNAUTHORIZED, "Invalid token"));
        return;
      }
      ack(context, found.result(), messageId, status, connectionId, settle);
    });
  }

  private void ack(RoutingContext context, ChannelSpec channel, String messageId, String status, String connectionId,
      boolean retry) {
    boolean isAck = status == null || status.equals("ack");
    streams.settleAny(channel.name(), connectionId, messageId, isAck, retry)
        .onSuccess(settled -> {
          if (settled) {
            context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("status", "ok").put("message_id", messageId).encode());
          } else {
            context.fail(new CwmException(FailureCode.NOT_FOUND, "Message not in flight"));
          }
        })
        .onFailure(failure -> context.fail(new CwmException(FailureCode.INTERNAL, "Failed to process acknowledgment")));
  }

  // ---------------------------------------------------------------- status

  private void status(RoutingContext context) {
    String token = ChannelTokens.fromHeader(context.request());
    if (token == null) {
      unprocessable(context, new JsonArray().add(missing("header", "authorization")));
      return;
    }
    authenticate(context, context.pathParam("channel"), token, FailureCode.UNAUTHORIZED, "Invalid token",
        (channel, tokenHash) -> status(context, channel));
  }

  private void status(RoutingContext context, ChannelSpec channel) {
    buffer.stats(channel)
        .compose(stats -> streams.count(channel.name()).map(count -> stats.toJson(count)))
        .onSuccess(stats -> context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("channel", channel.name()).put("connected", true).put("stats", stats)
                .put("server_time", Frames.now()).encode()))
        .onFailure(context::fail);
  }

  // ---------------------------------------------------------------- helpers

  private static String header(HttpServerRequest request, String name, String fallback) {
    String value = request.getHeader(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int intParam(HttpServerRequest request, String name, int fallback, int min, int max,
      JsonArray problems) {
    String text = request.getParam(name);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problems.add(new JsonObject().put("loc", new JsonArray().add("query").add(name))
        .put("msg", "ensure this value is between " + min + " and " + max).put("type", "value_error.number"));
    return fallback;
  }

  private static JsonObject missing(String where, String name) {
    return new JsonObject().put("loc", new JsonArray().add(where).add(name)).put("msg", "field required")
        .put("type", "value_error.missing");
  }

  private static void unprocessable(RoutingContext context, JsonArray problems) {
    context.fail(CwmException.unprocessable(problems));
  }

  private static Boolean parseBoolean(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> Boolean.TRUE;
      case "false", "0", "no", "off" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static JsonObject bodyObject(RoutingContext context) {
    try {
      JsonObject body = context.body() == null ? null : context.body().asJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }

  private static String firstNonEmpty(String first, String second) {
    if (first != null && !first.isEmpty()) {
      return first;
    }
    return second == null || second.isEmpty() ? null : second;
  }
}
