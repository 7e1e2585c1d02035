package io.cwm.admin;

import io.cwm.buffer.Readiness;
import java.time.Clock;
import io.cwm.buffer.BufferClient;
import io.cwm.bus.ChannelDirectory;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.TokenState;
import io.cwm.stream.TokenGuard;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.stream.StreamClient;
import io.cwm.stream.StreamService;
import io.cwm.http.ClientIp;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of the admin API on one listener instance (spec §6): authentication and the
 * concurrency gate, channel views and stats, token rotation, disconnect, dead letters. Mounted by
 * {@link AdminRoutes}.
 */
final class AdminHandlers {
  public static final String PREFIX = "/admin/webhook-connect";
  static final int MAX_CONCURRENT = 32;
  /** Longest accepted rotation grace: 30 days. */
  static final long MAX_GRACE_SECONDS = 30L * 24 * 3600;
  static final long DEFAULT_GRACE_SECONDS = 3600;
  static final int MAX_REPLAY_IDS = 1000;
  private static final Logger AUDIT = LoggerFactory.getLogger("cwm.audit");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a call to the stream side (counts, clients, disconnect) may take. */
  private static final long STREAM_TIMEOUT_MS = 5000;
  /** Admin requests running now, all event loops of this process. */
  private static final AtomicInteger RUNNING = new AtomicInteger();

  private final AdminRoutes.Deps deps;
  private final Map<String, ChannelSpec> channels;
  private final BufferClient buffer;
  private final StreamService streams;
  private final TokenGuard tokens;
  private final AdminAuth auth;
  private final Readiness readiness;
  private final ChannelDirectory bufferOwners;
  private final ChannelDirectory streamOwners;

  AdminHandlers(AdminRoutes.Deps deps, Vertx vertx) {
    this.deps = deps;
    this.channels = deps.channels();
    this.tokens = deps.tokens();
    this.auth = deps.auth();
    this.readiness = deps.readiness();
    this.buffer = new BufferClient(vertx);
    this.streams = new StreamClient(vertx, STREAM_TIMEOUT_MS);
    this.bufferOwners = ChannelDirectory.buffer(vertx);
    this.streamOwners = ChannelDirectory.stream(vertx);
  }

  // ---------------------------------------------------------------- auth and gate

  void authenticate(RoutingContext context) {
    CwmException refused = auth.check(context.request());
    if (refused != null) {
      context.fail(refused);
      return;
    }
    if (RUNNING.incrementAndGet() > MAX_CONCURRENT) {
      RUNNING.decrementAndGet();
      context.fail(new CwmException(FailureCode.RATE_LIMITED, "Too many admin requests at once; retry shortly", 1));
      return;
    }
    context.addEndHandler(done -> RUNNING.decrementAndGet());
    context.next();
  }

  /** The channel named in the path, or null after a 404. */
  private ChannelSpec channelOr404(RoutingContext context) {
    ChannelSpec channel = channels.get(context.pathParam("channel"));
    if (channel == null) {
      context.fail(new CwmException(FailureCode.NOT_FOUND, "Channel not found"));
    }
    return channel;
  }

  // ---------------------------------------------------------------- health, overview, lists

  void health(RoutingContext context) {
    readiness.bufferUp(buffer)
        .compose(up -> streams.sessions(null)
            .recover(failure -> Future.succeededFuture(0))
            .map(connections -> new JsonObject()
                .put("status", up ? "healthy" : "unhealthy")
                .put("buffer", up)
                .put("channels_count", channels.size())
                .put("connections_count", connections)
                .put("timestamp", now())))
        .onSuccess(body -> json(context, body.getBoolean("buffer") ? 200 : FailureCode.UNAVAILABLE.httpStatus(), body))
        .onFailure(failure -> context.fail(failure));
  }

  void overview(RoutingContext context) {
    Future<Boolean> up = readiness.bufferUp(buffer);
    Future<Integer> total = streams.sessions(null);
    Future<Map<String, Integer>> counts = connectedCounts();
    Future.all(up, total, counts).onSuccess(done -> {
      JsonObject perChannel = new JsonObject();
      channels.values().forEach(channel -> perChannel.put(channel.name(), new JsonObject()
          .put("webhook_id", firstWebhook(channel))
          .put("connected_clients", counts.result().getOrDefault(channel.name(), 0))
          .put("max_connections", channel.maxConnections())
          .put("ttl_seconds", firstQueue(channel).ttlSeconds())));
      json(context, 200, new JsonObject()
          .put("timestamp", now())
          .put("health", new JsonObject().put("buffer", up.result()).put("channels_count", channels.size())
              .put("connections_count", total.result()))
          .put("total_channels", channels.size())
          .put("total_connections", total.result())
          .put("channels", perChannel));
    }).onFailure(failure -> context.fail(failure));
  }

  void channels(RoutingContext context) {
    connectedCounts().onSuccess(counts -> {
      JsonArray list = new JsonArray();
      channels.values().forEach(channel -> list.add(new JsonObject()
          .put("name", channel.name())
          .put("webhook_id", firstWebhook(channel))
          .put("webhook_ids", new JsonArray(new ArrayList<>(new java.util.TreeSet<>(channel.queues().keySet()))))
          .put("created_at", createdAt())
          .put("ttl_seconds", firstQueue(channel).ttlSeconds())
          .put("max_queue_size", firstQueue(channel).maxQueueSize())
          .put("max_connections", channel.maxConnections())
          .put("connected_clients", counts.getOrDefault(channel.name(), 0))
          .put("owner", owner(channel))));
      context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(list.encode());
    }).onFailure(failure -> context.fail(failure));
  }

  private Future<Map<String, Integer>> connectedCounts() {
    Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<?>> all = new ArrayList<>();
    for (ChannelSpec channel : channels.values()) {
      all.add(streams.count(channel.name())
          .onSuccess(count -> counts.put(channel.name(), count)));
    }
    return Future.all(all).map(done -> counts);
  }

  // ---------------------------------------------------------------- one channel

  void channel(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    Future<ChannelStats> stats = buffer.stats(channel);
    Future<Integer> count = streams.count(channel.name());
    Future<List<JsonObject>> clients = streams.clients(channel.name());
    Future<TokenState> token = buffer.tokenState(channel);
    Future.all(stats, count, clients, token).onSuccess(done -> {
      JsonObject statsJson = stats.result().toJson(count.result()).put("webhook_stats", pending(stats.result()));
      TokenState state = token.result();
      boolean graceRunning = state.previousHash() != null && state.previousExpiresAtMillis() > deps.clock().millis();
      json(context, 200, new JsonObject()
          .put("name", channel.name())
          .put("webhook_id", firstWebhook(channel))
          .put("created_at", createdAt())
          .put("config", config(channel))
          .put("stats", statsJson)
          .put("connected_clients", new JsonArray(new ArrayList<>(clients.result())))
          .put("owner", owner(channel))
          .put("token_rotated_at", state.rotatedAtMillis() == 0 ? null : time(state.rotatedAtMillis()))
          .put("previous_token_expires_at", graceRunning ? time(state.previousExpiresAtMillis()) : null));
    }).onFailure(failure -> context.fail(failure));
  }

  /** Which instance of the buffer and of the stream verticle serves the channel in this process. */
  private JsonObject owner(ChannelSpec channel) {
    return new JsonObject()
        .put("buffer_instance", bufferOwners.owner(channel.name()))
        .put("stream_instance", streamOwners.owner(channel.name()));
  }

  private JsonObject config(ChannelSpec channel) {
    ChannelSpec.Queue first = firstQueue(channel);
    JsonObject webhooks = new JsonObject();
    channel.queues().values().forEach(queue -> webhooks.put(queue.webhookId(), new JsonObject()
        .put("ttl_seconds", queue.ttlSeconds()).put("max_queue_size", queue.maxQueueSize())));
    return new JsonObject()
        .put("name", channel.name())
        .put("webhook_id", first.webhookId())
        .put("ttl_seconds", first.ttlSeconds())
        .put("max_queue_size", first.maxQueueSize())
        .put("max_message_size", ChannelSpec.MAX_MESSAGE_BYTES)
        .put("max_in_flight", channel.maxInFlight())
        .put("ack_timeout_seconds", channel.ackTimeoutSeconds())
        .put("max_connections", channel.maxConnections())
        .put("heartbeat_interval_seconds", channel.heartbeatIntervalSeconds())
        .put("max_delivery_attempts", channel.maxDeliveries())
        .put("allowed_ips", null)
        .put("rate_limit_per_second", null)
        .put("webhooks", webhooks)
        .put("created_at", createdAt())
        .put("updated_at", createdAt());
  }

  void stats(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    Future<ChannelStats> stats = buffer.stats(channel);
    Future<Integer> count = streams.count(channel.name());
    Future.all(stats, count)
        .onSuccess(done -> json(context, 200, stats.result().toJson(count.result())))
        .onFailure(failure -> context.fail(failure));
  }

  void webhookStats(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    buffer.stats(channel).onSuccess(stats -> {
      JsonObject webhooks = new JsonObject();
      pending(stats).forEach(entry -> webhooks.put(entry.getKey(), new JsonObject().put("pending", entry.getValue())));
      json(context, 200, new JsonObject().put("channel", channel.name()).put("webhooks", webhooks));
    }).onFailure(failure -> context.fail(failure));
  }

  private static JsonObject pending(ChannelStats stats) {
    JsonObject depths = new JsonObject();
    new java.util.TreeMap<>(stats.pending()).forEach(depths::put);
    return depths;
  }

  // ---------------------------------------------------------------- rotate-token

  void rotate(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    Object body = jsonBody(context);
    if (body == NO_BODY) {
      unprocessable(context, problem(List.of("body"), "field required", "value_error.missing"));
      return;
    }
    if (!(body instanceof JsonObject request)) {
      unprocessable(context, problem(List.of("body"), "value is not a valid dict", "type_error.dict"));
      return;
    }
    Long grace = request.containsKey("grace_period_seconds")
        ? integer(request.getValue("grace_period_seconds")) : Long.valueOf(DEFAULT_GRACE_SECONDS);
    if (grace == null) {
      unprocessable(context, problem(List.of("body", "grace_period_seconds"), "value is not a valid integer",
          "type_error.integer"));
      return;
    }
    if (grace < 0 || grace > MAX_GRACE_SECONDS) {
      context.fail(new CwmException(FailureCode.BAD_REQUEST,
          "grace_period_seconds must be between 0 and " + MAX_GRACE_SECONDS));
      return;
    }
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    String newToken = "ch_tok_" + HexFormat.of().formatHex(random);
    buffer.rotateToken(channel, TokenState.hash(newToken), grace * 1000).onSuccess(state -> {
      tokens.remember(channel, state);
      AUDIT.info("admin rotated the token of channel {} (old token valid {} s more) from {}", channel.name(), grace,
          remoteIp(context));
      json(context, 200, new JsonObject()
          .put("channel", channel.name())
          .put("new_token", newToken)
          .put("old_token_expires_at", time(state.previousExpiresAtMillis()))
          .put("message", "Old token valid for " + grace + " seconds grace period"));
    }).onFailure(failure -> {
      AUDIT.warn("admin token rotation of channel {} failed: {}", channel.name(), failure.getMessage());
      context.fail(new CwmException(FailureCode.INTERNAL, "Failed to rotate token"));
    });
  }

  // ---------------------------------------------------------------- disconnect

  void disconnect(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    String connectionId = context.pathParam("connection");
    streams.disconnect(channel.name(), connectionId).onSuccess(done -> {
      AUDIT.info("admin disconnected connection {} of channel {} from {}", connectionId, channel.name(),
          remoteIp(context));
      json(context, 200, new JsonObject().put("status", "disconnected").put("connection_id", connectionId));
    }).onFailure(context::fail); // a StreamFailure (not found: 404, another channel's: 400) answers as it is
  }

  // ---------------------------------------------------------------- dead letters

  void deadLetters(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    String limitText = context.request().getParam("limit");
    Long limit = limitText == null ? Long.valueOf(100) : integer(limitText);
    if (limit == null) {
      unprocessable(context, problem(List.of("query", "limit"), "value is not a valid integer", "type_error.integer"));
      return;
    }
    if (limit < 1 || limit > 10_000) {
      unprocessable(context, problem(List.of("query", "limit"), "ensure this value is between 1 and 10000",
          "value_error.number"));
      return;
    }
    buffer.deadLetters(channel, limit.intValue()).onSuccess(letters -> {
      JsonArray messages = new JsonArray();
      letters.forEach(letter -> messages.add(deadLetterItem(letter)));
      json(context, 200, new JsonObject().put("channel", channel.name()).put("count", messages.size())
          .put("messages", messages));
    }).onFailure(failure -> context.fail(failure));
  }

  /** The envelope as the admin API lists messages (state {@code dead_lettered}), plus why and when. */
  private static JsonObject deadLetterItem(JsonObject letter) {
    JsonObject item = letter.getValue("envelope") instanceof JsonObject envelope ? envelope.copy()
        : new JsonObject().put("message_id", letter.getString("message_id")).put("webhook_id", letter.getString("webhook_id"));
    item.put("state", "dead_lettered");
    item.put("dead_letter_reason", letter.getString("reason"));
    item.put("failed_at", letter.getValue("dead_lettered_at"));
    if (letter.containsKey("error")) {
      item.put("error", letter.getValue("error"));
    }
    if (!item.containsKey("delivery_count") && letter.containsKey("delivery_count")) {
      item.put("delivery_count", letter.getValue("delivery_count"));
    }
    return item;
  }

  void replay(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    Object body = jsonBody(context);
    if (!(body instanceof JsonObject request)) {
      unprocessable(context, problem(List.of("body"), "a JSON object with \"message_ids\" or \"all\": true is required",
          "value_error.missing"));
      return;
    }
    boolean all = Boolean.TRUE.equals(request.getValue("all"));
    Object ids = request.getValue("message_ids");
    if (all == (ids != null)) {
      unprocessable(context, problem(List.of("body"), "give either \"message_ids\" (a list) or \"all\": true",
          "value_error"));
      return;
    }
    List<String> messageIds = null;
    if (!all) {
      if (!(ids instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_REPLAY_IDS) {
        unprocessable(context, problem(List.of("body", "message_ids"),
            "a list of 1 to " + MAX_REPLAY_IDS + " message ids is required", "value_error.list"));
        return;
      }
      messageIds = new ArrayList<>();
      for (Object id : array) {
        if (!(id instanceof String text) || text.isEmpty() || text.length() > 200) {
          unprocessable(context, problem(List.of("body", "message_ids"), "every message id must be a non-empty string",
              "type_error.str"));
          return;
        }
        messageIds.add(text);
      }
    }
    List<String> asked = messageIds;
    buffer.replayDeadLetters(channel, asked).onSuccess(replayed -> {
      AUDIT.info("admin replayed {} dead letter(s) of channel {} ({}) from {}", replayed.size(), channel.name(),
          asked == null ? "all" : "by id", remoteIp(context));
      List<String> missing = new ArrayList<>();
      if (asked != null) {
        Set<String> done = Set.copyOf(replayed);
        asked.stream().filter(id -> !done.contains(id)).forEach(missing::add);
        if (replayed.isEmpty()) {
          context.fail(new CwmException(FailureCode.NOT_FOUND, "Dead letter not found: " + String.join(", ",
              missing.subList(0, Math.min(missing.size(), 10)))));
          return;
        }
      }
      json(context, 200, new JsonObject()
          .put("channel", channel.name())
          .put("replayed_count", replayed.size())
          .put("replayed", new JsonArray(new ArrayList<>(replayed)))
          .put("not_replayed", new JsonArray(missing)));
    }).onFailure(failure -> context.fail(failure));
  }

  void deleteDeadLetter(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    String messageId = context.pathParam("message");
    buffer.deleteDeadLetter(channel, messageId).onSuccess(deleted -> {
      if (!deleted) {
        context.fail(new CwmException(FailureCode.NOT_FOUND, "Dead letter not found"));
        return;
      }
      AUDIT.info("admin deleted dead letter {} of channel {} from {}", messageId, channel.name(), remoteIp(context));
      json(context, 200, new JsonObject().put("status", "deleted").put("message_id", messageId));
    }).onFailure(failure -> context.fail(failure));
  }

  // ---------------------------------------------------------------- helpers

  private static final Object NO_BODY = new Object();

  /** The parsed body (JsonObject, JsonArray, scalar), {@link #NO_BODY} when empty, null when not JSON. */
  private static Object jsonBody(RoutingContext context) {
    io.vertx.core.buffer.Buffer bytes = context.body() == null ? null : context.body().buffer();
    if (bytes == null || bytes.length() == 0) {
      return NO_BODY;
    }
    try {
      return Json.decodeValue(bytes);
    } catch (DecodeException notJson) {
      return null;
    }
  }

  /** An integer as pydantic's lax mode reads one: whole numbers and numeric strings; null otherwise. */
  static Long integer(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number number && !(value instanceof Float) && !(value instanceof Double)) {
      return number.longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : null;
    }
    if (value instanceof String text) {
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException notInteger) {
        return null;
      }
    }
    return null;
  }

  private static JsonObject problem(List<String> loc, String msg, String type) {
    return new JsonObject().put("loc", new JsonArray(new ArrayList<>(loc))).put("msg", msg).put("type", type);
  }

  private static void unprocessable(RoutingContext context, JsonObject problem) {
    context.fail(CwmException.unprocessable(new JsonArray().add(problem)));
  }

  private String remoteIp(RoutingContext context) {
    return ClientIp.resolve(context.request(), deps.trustedProxies());
  }

  private String createdAt() {
    return time(deps.startedAt());
  }

  private String now() {
    return time(deps.clock().millis());
  }

  private static String time(long millis) {
    return Envelope.format(Instant.ofEpochMilli(millis));
  }

  private static String firstWebhook(ChannelSpec channel) {
    return firstQueue(channel).webhookId();
  }

  /** The channel's first webhook by id: the one {@code webhook_id} the admin answers show. */
  private static ChannelSpec.Queue firstQueue(ChannelSpec channel) {
    return channel.queue(new java.util.TreeSet<>(channel.queues().keySet()).first());
  }

  private static void json(RoutingContext context, int status, JsonObject body) {
    context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
