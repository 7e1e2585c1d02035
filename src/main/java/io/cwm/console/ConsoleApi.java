package io.cwm.console;

import io.cwm.buffer.BufferClient;
import io.cwm.buffer.ChannelStats;
import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ClientIp;
import io.cwm.module.log.LogFormatter;
import io.cwm.stream.StreamClient;
import io.cwm.stream.StreamService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of the console's API on one listener instance: the overview (once and live), the
 * channel list, a channel's live tail, the message inspector and its dead-letter action, dead
 * letters a page at a time, the masked configuration. Replay, delete and token rotation are the
 * admin API's own endpoints, which the page calls with the same token.
 */
final class ConsoleApi {
  private static final Logger AUDIT = LoggerFactory.getLogger("cwm.audit");
  /** How long a call to the stream side may take. */
  private static final long STREAM_TIMEOUT_MS = 5000;
  static final int MAX_PAGE = 100;
  /** Dead letters read from the buffer at most for one page or search; beyond, {@code truncated}. */
  static final int MAX_DEAD_LETTERS_READ = 10_000;
  /** Summaries the tail sends when it opens. */
  static final int TAIL_SNAPSHOT = 200;
  static final long TAIL_FLUSH_MS = 250;
  static final int TAIL_BATCH = MessageTrail.TAIL_CAPACITY;
  static final long OVERVIEW_CHECK_MS = 500;
  /** The overview is rebuilt at least this often even with no local change (other receivers, heartbeats). */
  static final long OVERVIEW_REFRESH_MS = 5000;

  private final ConsoleRoutes.Deps deps;
  private final ConsoleRoutes.ChannelIndex channels;
  private final Vertx vertx;
  private final BufferClient buffer;
  private final StreamService streams;
  private volatile ConfigViewCache configView = new ConfigViewCache(0, null);

  /** The masked config of one config version: built again only after a reload. */
  private record ConfigViewCache(long version, JsonObject view) {}

  ConsoleApi(ConsoleRoutes.Deps deps, ConsoleRoutes.ChannelIndex channels, Vertx vertx) {
    this.deps = deps;
    this.channels = channels;
    this.vertx = vertx;
    this.buffer = new BufferClient(vertx);
    this.streams = new StreamClient(vertx, STREAM_TIMEOUT_MS);
  }

  // ---------------------------------------------------------------- session, channels, config

  void session(RoutingContext context) {
    json(context, 200, new JsonObject()
        .put("node", deps.node())
        .put("buffer_backend", deps.bufferBackend())
        .put("admin_port", deps.adminPort())
        .put("channels_count", channels.size())
        .put("reload_available", deps.reloads() != null));
  }

  private JsonObject configView() {
    ConfigViewCache cached = configView;
    long version = deps.config().version();
    if (cached.version() != version) {
      cached = new ConfigViewCache(version, ConfigView.of(deps.config().current()));
      configView = cached;
    }
    return cached.view();
  }

  void channels(RoutingContext context) {
    Paging paging = Paging.of(context);
    if (paging == null) {
      return;
    }
    List<ChannelSpec> matched = channels.search(paging.query());
    JsonArray list = new JsonArray();
    paging.slice(matched).forEach(channel -> list.add(new JsonObject().put("name", channel.name())
        .put("webhook_ids", webhookIds(channel))));
    json(context, 200, new JsonObject().put("total", channels.size()).put("matched", matched.size())
        .put("offset", paging.offset()).put("limit", paging.limit()).put("channels", list));
  }

  void config(RoutingContext context) {
    json(context, 200, configView().copy().put("reload_available", deps.reloads() != null));
  }

  /**
   * The Config page's reload: the same reload as {@code POST /admin/reload-config} (files or etcd
   * read again, validated, put in force unless invalid), behind the console's own token; the
   * reload's answer is the body whatever its status ({@code http_status} says which), so the page
   * shows the validation result. Audited like the other console actions.
   */
  void reload(RoutingContext context) {
    if (deps.reloads() == null) {
      context.fail(new CwmException(FailureCode.NOT_FOUND, "No config reload in this process"));
      return;
    }
    AUDIT.info("console config reload asked from {}", ClientIp.peer(context.request()));
    deps.reloads().reload(true, true, false, "console").onComplete(done -> {
      if (done.failed()) {
        context.fail(done.cause());
        return;
      }
      json(context, 200, done.result().body().copy().put("http_status", done.result().status()));
    });
  }

  // ---------------------------------------------------------------- overview

  void overview(RoutingContext context) {
    Paging paging = Paging.of(context);
    if (paging == null) {
      return;
    }
    overview(paging).onSuccess(body -> json(context, 200, body)).onFailure(context::fail);
  }

  /**
   * The overview, live: sent at once, then whenever it changed; a local change of a shown
   * channel is noticed within {@value #OVERVIEW_CHECK_MS} ms, anything else within
   * {@value #OVERVIEW_REFRESH_MS} ms.
   */
  void overviewStream(RoutingContext context) {
    Paging paging = Paging.of(context);
    if (paging == null) {
      return;
    }
    EventStream stream = new EventStream(vertx, context);
    OverviewWatch watch = new OverviewWatch(stream, paging);
    watch.refresh();
    stream.every(OVERVIEW_CHECK_MS, watch::check);
  }

  private final class OverviewWatch {
    private final EventStream stream;
    private final Paging paging;
    private long versions = -1;
    private long builtAt;
    private boolean building;
    private String lastSent;

    OverviewWatch(EventStream stream, Paging paging) {
      this.stream = stream;
      this.paging = paging;
    }

    void check() {
      long now = deps.clock().millis();
      if (building || stream.congested()) {
        return;
      }
      if (versions() != versions || now - builtAt >= OVERVIEW_REFRESH_MS) {
        refresh();
      }
    }

    void refresh() {
      building = true;
      versions = versions();
      builtAt = deps.clock().millis();
      overview(paging).onComplete(done -> {
        building = false;
        if (done.succeeded()) {
          String encoded = done.result().copy().put("timestamp", (Object) null).encode();
          if (!encoded.equals(lastSent)) {
            lastSent = encoded;
            stream.send("overview", done.result());
          }
        }
      });
    }

    private long versions() {
      long sum = 0;
      for (ChannelSpec channel : paging.slice(channels.search(paging.query()))) {
        sum += deps.trail().version(channel.name());
      }
      return sum;
    }
  }

  private Future<JsonObject> overview(Paging paging) {
    List<ChannelSpec> matched = channels.search(paging.query());
    List<ChannelSpec> page = paging.slice(matched);
    Future<Boolean> up = deps.readiness().bufferUp(buffer).recover(failure -> Future.succeededFuture(false));
    List<Future<JsonObject>> rows = new ArrayList<>();
    for (ChannelSpec channel : page) {
      rows.add(row(channel));
    }
    List<Future<?>> all = new ArrayList<>(rows);
    all.add(up);
    return Future.join(all).transform(done -> {
      JsonArray list = new JsonArray();
      rows.forEach(row -> list.add(row.result()));
      return Future.succeededFuture(new JsonObject()
          .put("timestamp", now())
          .put("node", deps.node())
          .put("buffer", new JsonObject().put("backend", deps.bufferBackend()).put("healthy", up.result()))
          .put("total_channels", channels.size())
          .put("matched", matched.size())
          .put("offset", paging.offset())
          .put("limit", paging.limit())
          .put("channels", list));
    });
  }

  /** One channel's row: the buffer's counts (cluster-wide), this process's activity and connectors. */
  private Future<JsonObject> row(ChannelSpec channel) {
    Future<ChannelStats> stats = buffer.stats(channel);
    Future<List<JsonObject>> clients = streams.clients(channel.name());
    return Future.join(stats, clients).transform(done -> {
      JsonObject activity = deps.trail().activity(channel.name());
      JsonObject row = new JsonObject()
          .put("name", channel.name())
          .put("webhook_ids", webhookIds(channel));
      if (stats.succeeded()) {
        ChannelStats counts = stats.result();
        row.put("queued", counts.queued()).put("in_flight", counts.inFlight()).put("delivered", counts.delivered())
            .put("expired", counts.expired()).put("dead_lettered", counts.deadLettered());
      } else {
        row.put("queued", null).put("in_flight", null).put("delivered", null).put("expired", null)
            .put("dead_lettered", null).put("stats_error", "buffer unavailable");
      }
      row.put("failed", deps.trail().failed(channel.name()));
      row.put("rates", activity.getJsonObject("rates")).put("sparkline", activity.getJsonObject("sparkline"));
      JsonArray connectors = new JsonArray();
      if (clients.succeeded()) {
        clients.result().forEach(client -> connectors.add(new JsonObject()
            .put("connection_id", client.getString("connection_id"))
            .put("connector_id", client.getString("connector_id"))
            .put("protocol", client.getString("protocol"))
            .put("node", client.getString("node", deps.node()))
            .put("connected_at", client.getString("connected_at"))
            .put("last_heartbeat_at", client.getString("last_heartbeat_at"))
            .put("in_flight", client.getValue("in_flight_count"))
            .put("paused", client.getValue("paused"))));
      }
      row.put("connectors", connectors);
      return Future.succeededFuture(row);
    });
  }

  // ---------------------------------------------------------------- live tail

  /** A channel's live tail: the last {@value #TAIL_SNAPSHOT} messages, then every change in batches. */
  void tail(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    MessageTrail.Tail tail = deps.trail().tail(channel.name());
    EventStream stream = new EventStream(vertx, context);
    stream.onClose(tail::close);
    JsonArray recent = new JsonArray();
    deps.trail().recent(channel.name(), TAIL_SNAPSHOT).forEach(recent::add);
    stream.send("snapshot", new JsonObject().put("channel", channel.name()).put("messages", recent));
    stream.every(TAIL_FLUSH_MS, () -> {
      if (stream.congested()) {
        return; // the tail keeps filling and drops what does not fit: counted below
      }
      List<JsonObject> events = tail.drain(TAIL_BATCH);
      long dropped = tail.takeDropped();
      if (!events.isEmpty() || dropped > 0) {
        stream.send("messages", new JsonObject().put("events", new JsonArray(new ArrayList<>(events)))
            .put("dropped", dropped));
      }
    });
  }

  // ---------------------------------------------------------------- inspector

  void message(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    String messageId = context.pathParam("message");
    MessageTrail.Remembered remembered = deps.trail().inspect(channel.name(), messageId);
    if (remembered != null && remembered.envelope() != null) {
      json(context, 200, inspected(remembered.detail().copy(), remembered.envelope(), "recent"));
      return;
    }
    findDeadLetter(channel, messageId).onSuccess(letter -> {
      if (letter == null && remembered == null) {
        context.fail(new CwmException(FailureCode.NOT_FOUND, "Message not found: this receiver does not remember it "
            + "and it is not a dead letter"));
        return;
      }
      JsonObject detail = remembered != null ? remembered.detail().copy() : deadLetterDetail(letter);
      Envelope envelope = letter == null ? null : envelopeOf(letter);
      if (letter != null) {
        detail.put("state", "dead_lettered").put("dead_letter", new JsonObject()
            .put("reason", letter.getString("reason")).put("failed_at", letter.getValue("dead_lettered_at")));
      }
      json(context, 200, inspected(detail, envelope, letter != null ? "dead_letters" : "recent"));
    }).onFailure(context::fail);
  }

  private static JsonObject inspected(JsonObject detail, Envelope envelope, String source) {
    detail.put("channel", envelope != null ? envelope.channel() : detail.getString("channel"));
    detail.put("source", source);
    if (envelope == null) {
      return detail.put("headers", null).put("payload", null).put("payload_type", null)
          .put("payload_note", "This receiver no longer holds the body (delivered, evicted or too large).");
    }
    JsonObject headers = new JsonObject();
    if (envelope.headers() != null) {
      envelope.headers().forEach(header -> headers.put(header.getKey(),
          LogFormatter.sensitive(header.getKey()) ? ConfigView.MASK : String.valueOf(header.getValue())));
    }
    Object payload = envelope.payload();
    String type;
    if (payload instanceof JsonObject || payload instanceof JsonArray || payload instanceof Number
        || payload instanceof Boolean || payload == null) {
      type = "json";
    } else if (payload instanceof Buffer bytes) {
      payload = Base64.getEncoder().encodeToString(bytes.getBytes());
      type = "base64";
    } else if (payload instanceof byte[] bytes) {
      payload = Base64.getEncoder().encodeToString(bytes);
      type = "base64";
    } else {
      payload = String.valueOf(payload);
      type = "text";
    }
    return detail.put("headers", headers).put("payload", payload).put("payload_type", type)
        .put("webhook_id", envelope.webhookId())
        .put("queued_at", envelope.timestamp())
        .put("expires_at", envelope.expiresAt());
  }

  private static JsonObject deadLetterDetail(JsonObject letter) {
    Envelope envelope = envelopeOf(letter);
    return new JsonObject()
        .put("message_id", letter.getString("message_id"))
        .put("webhook_id", letter.getString("webhook_id"))
        .put("size", envelope == null ? -1 : sizeOf(letter.getValue("envelope")))
        .put("queued_at", envelope == null ? null : envelope.timestamp())
        .put("delivery_count", letter.getValue("delivery_count", envelope == null ? null : envelope.deliveryCount()))
        .put("attempts", new JsonArray());
  }

  /**
   * Moves a message in flight to the dead letters, as a connector's nack without retry would (a
   * delivery stuck at a hung target); the session that holds it gets no answer for it any more.
   */
  void deadLetterMessage(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    String messageId = context.pathParam("message");
    MessageTrail.Remembered remembered = deps.trail().inspect(channel.name(), messageId);
    String holder = "";
    if (remembered != null && remembered.detail().getValue("attempts") instanceof JsonArray attempts
        && !attempts.isEmpty()) {
      holder = attempts.getJsonObject(attempts.size() - 1).getString("connection_id", "");
    }
    streams.settleAny(channel.name(), holder, messageId, false, false).onSuccess(settled -> {
      if (!settled) {
        context.fail(new CwmException(FailureCode.CONFLICT,
            "The message is not in flight: only a message a connector holds can be moved to the dead letters"));
        return;
      }
      AUDIT.info("console moved message {} of channel {} to the dead letters from {}", messageId, channel.name(),
          ClientIp.peer(context.request()));
      json(context, 200, new JsonObject().put("status", "dead_lettered").put("message_id", messageId));
    }).onFailure(context::fail);
  }

  // ---------------------------------------------------------------- dead letters

  /** A page of dead letters, searched server-side (message id, webhook id or reason contains {@code q}). */
  void deadLetters(RoutingContext context) {
    ChannelSpec channel = channelOr404(context);
    if (channel == null) {
      return;
    }
    Paging paging = Paging.of(context);
    if (paging == null) {
      return;
    }
    buffer.deadLetters(channel, MAX_DEAD_LETTERS_READ + 1).onSuccess(read -> {
      boolean truncated = read.size() > MAX_DEAD_LETTERS_READ;
      List<JsonObject> letters = truncated ? read.subList(0, MAX_DEAD_LETTERS_READ) : read;
      String needle = paging.query() == null ? "" : paging.query().trim().toLowerCase(Locale.ROOT);
      List<JsonObject> matched = needle.isEmpty() ? letters : letters.stream()
          .filter(letter -> contains(letter.getString("message_id"), needle)
              || contains(letter.getString("webhook_id"), needle) || contains(letter.getString("reason"), needle))
          .toList();
      JsonArray page = new JsonArray();
      paging.slice(matched).forEach(letter -> page.add(new JsonObject()
          .put("message_id", letter.getString("message_id"))
          .put("webhook_id", letter.getString("webhook_id"))
          .put("reason", letter.getString("reason"))
          .put("failed_at", letter.getValue("dead_lettered_at"))
          .put("delivery_count", deliveryCount(letter))
          .put("size", sizeOf(letter.getValue("envelope")))));
      json(context, 200, new JsonObject().put("channel", channel.name()).put("total", matched.size())
          .put("offset", paging.offset()).put("limit", paging.limit())
          .put("truncated", truncated).put("messages", page));
    }).onFailure(context::fail);
  }

  private Future<JsonObject> findDeadLetter(ChannelSpec channel, String messageId) {
    return buffer.deadLetters(channel, MAX_DEAD_LETTERS_READ).map(letters -> letters.stream()
        .filter(letter -> messageId.equals(letter.getString("message_id"))).findFirst().orElse(null));
  }

  private static Object deliveryCount(JsonObject letter) {
    if (letter.containsKey("delivery_count")) {
      return letter.getValue("delivery_count");
    }
    return letter.getValue("envelope") instanceof JsonObject envelope ? envelope.getValue("delivery_count") : null;
  }

  private static Envelope envelopeOf(JsonObject letter) {
    if (!(letter.getValue("envelope") instanceof JsonObject json)) {
      return null;
    }
    try {
      return Envelope.fromJson(json);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static long sizeOf(Object envelope) {
    return envelope instanceof JsonObject json ? json.toBuffer().length() : -1;
  }

  private static boolean contains(String value, String needle) {
    return value != null && value.toLowerCase(Locale.ROOT).contains(needle);
  }

  // ---------------------------------------------------------------- helpers

  private ChannelSpec channelOr404(RoutingContext context) {
    ChannelSpec channel = deps.config().channels().get(context.pathParam("channel"));
    if (channel == null) {
      context.fail(new CwmException(FailureCode.NOT_FOUND, "Channel not found"));
    }
    return channel;
  }

  private static JsonArray webhookIds(ChannelSpec channel) {
    return new JsonArray(new ArrayList<>(new java.util.TreeSet<>(channel.queues().keySet())));
  }

  private String now() {
    return Envelope.format(Instant.ofEpochMilli(deps.clock().millis()));
  }

  private static void json(RoutingContext context, int status, JsonObject body) {
    context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }

  /** {@code offset}, {@code limit} (1 to {@value ConsoleApi#MAX_PAGE}, default 50) and {@code q} of a list. */
  record Paging(int offset, int limit, String query) {
    static Paging of(RoutingContext context) {
      Integer offset = number(context.request().getParam("offset"), 0);
      Integer limit = number(context.request().getParam("limit"), 50);
      String query = context.request().getParam("q");
      if (offset == null || offset < 0 || limit == null || limit < 1 || limit > MAX_PAGE
          || (query != null && query.length() > 200)) {
        context.fail(CwmException.badRequest("offset must be 0 or more, limit 1 to " + MAX_PAGE
            + ", q at most 200 characters"));
        return null;
      }
      return new Paging(offset, limit, query);
    }

    <T> List<T> slice(List<T> all) {
      if (offset >= all.size()) {
        return List.of();
      }
      return all.subList(offset, Math.min(all.size(), offset + limit));
    }

    private static Integer number(String text, int fallback) {
      if (text == null || text.isEmpty()) {
        return fallback;
      }
      try {
        return Integer.valueOf(text);
      } catch (NumberFormatException notANumber) {
        return null;
      }
    }
  }
}
