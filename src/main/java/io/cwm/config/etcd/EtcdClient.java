package io.cwm.config.etcd;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The few calls of etcd's v3 API the config backend needs, through etcd's HTTP/JSON gateway
 * ({@code /v3/kv/range}, {@code /v3/watch}, {@code /v3/auth/authenticate}) with Vert.x's own
 * clients. Not jetcd: it speaks gRPC through grpc-java with its own Netty event loops and thread
 * pools beside Vert.x's, for three read calls that the gateway serves as plain JSON over HTTP/1.1.
 *
 * <p>Keys and values travel base64-encoded and numbers as strings (the gateway's protobuf JSON
 * mapping). With credentials, {@link #authenticate} gets a token that every call sends in the
 * {@code Authorization} header; a call answered 401 (the token expired) authenticates again once.
 */
final class EtcdClient {
  private static final long REQUEST_TIMEOUT_MILLIS = 5_000;
  private static final int CONNECT_TIMEOUT_MILLIS = 3_000;
  private static final int UNAUTHENTICATED = 401;

  /** What one range read found, and the store revision it saw. */
  record Range(long revision, List<KeyValue> kvs) {}

  /** One key and its value (null for a delete event), decoded to text. */
  record KeyValue(String key, String value) {}

  /** An open watch; {@link #cancel} closes its connection. */
  interface Watch {
    void cancel();
  }

  /** Why a call failed: etcd's own message, or the transport's. {@code authentication}: etcd refused the login. */
  static final class EtcdException extends RuntimeException {
    private final boolean authentication;

    EtcdException(String message, boolean authentication) {
      super(message, null, false, false);
      this.authentication = authentication;
    }

    boolean authentication() {
      return authentication;
    }
  }

  private final Vertx vertx;
  private final EtcdSettings settings;
  private final HttpClient http;
  private final WebClient web;
  private String token;

  EtcdClient(Vertx vertx, EtcdSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(settings.host())
        .setDefaultPort(settings.port()).setConnectTimeout(CONNECT_TIMEOUT_MILLIS));
    this.web = WebClient.wrap(http);
  }

  /** Gets a fresh token when the settings have credentials; nothing to do otherwise. */
  Future<Void> authenticate() {
    if (!settings.authenticated()) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("name", settings.username()).put("password", settings.password());
    return web.post("/v3/auth/authenticate").timeout(REQUEST_TIMEOUT_MILLIS).sendJsonObject(body)
        .compose(response -> {
          JsonObject json = json(response);
          if (response.statusCode() != 200 || json == null || json.getString("token") == null) {
            return Future.failedFuture(new EtcdException("login of user '" + settings.username() + "': "
                + errorOf(response, json), true));
          }
          token = json.getString("token");
          return Future.succeededFuture();
        });
  }

  /** Every key starting with {@code prefix}, with the revision of the read. */
  Future<Range> range(String prefix) {
    JsonObject body = new JsonObject().put("key", encode(prefix)).put("range_end", encode(rangeEnd(prefix)));
    return post("/v3/kv/range", body, true).map(json -> {
      List<KeyValue> kvs = new ArrayList<>();
      JsonArray found = json.getJsonArray("kvs", new JsonArray());
      for (int i = 0; i < found.size(); i++) {
        JsonObject kv = found.getJsonObject(i);
        kvs.add(new KeyValue(decode(kv.getString("key")), decode(kv.getString("value", ""))));
      }
      return new Range(revision(json), kvs);
    });
  }

  /** A read of no value (a count of the keys under {@code prefix}): etcd's revision, proving it answers. */
  Future<Long> probe(String prefix) {
    JsonObject body = new JsonObject().put("key", encode(prefix)).put("range_end", encode(rangeEnd(prefix)))
        .put("count_only", true);
    return post("/v3/kv/range", body, true).map(EtcdClient::revision);
  }

  /**
   * Watches every key starting with {@code prefix} from {@code startRevision} on. The future
   * completes once etcd confirmed the watch; then {@code events} gets each change in order, and
   * {@code ended} is called once when the watch stops for any reason (connection lost, etcd
   * cancelled it, e.g. because {@code startRevision} was compacted).
   */
  Future<Watch> watch(String prefix, long startRevision, Handler<List<KeyValue>> events, Handler<Throwable> ended) {
    JsonObject body = new JsonObject().put("create_request", new JsonObject().put("key", encode(prefix))
        .put("range_end", encode(rangeEnd(prefix))).put("start_revision", String.valueOf(startRevision)));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v3/watch")
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS).putHeader("Content-Type", "application/json");
    if (token != null) {
      options.putHeader("Authorization", token);
    }
    return http.request(options).compose(request -> request.send(body.toBuffer()).compose(response -> {
      if (response.statusCode() != 200) {
        request.connection().close();
        return Future.failedFuture(new EtcdException("watch answered HTTP " + response.statusCode(),
            response.statusCode() == UNAUTHENTICATED));
      }
      return stream(request.connection()::close, response, events, ended);
    }));
  }

  private Future<Watch> stream(Runnable close, HttpClientResponse response, Handler<List<KeyValue>> events,
      Handler<Throwable> ended) {
    Promise<Watch> created = Promise.promise();
    boolean[] over = {false};
    Handler<Throwable> finish = failure -> {
      if (!over[0]) {
        over[0] = true;
        close.run();
        if (!created.tryFail(failure)) {
          ended.handle(failure);
        }
      }
    };
    Watch watch = () -> {
      over[0] = true;
      close.run();
    };
    RecordParser lines = RecordParser.newDelimited("\n", response);
    lines.handler(line -> {
      if (over[0] || line.length() == 0) {
        return;
      }
      JsonObject result;
      try {
        result = new JsonObject(line).getJsonObject("result");
      } catch (DecodeException | ClassCastException e) {
        finish.handle(new EtcdException("watch sent a line that is not a JSON object", false));
        return;
      }
      if (result == null) {
        finish.handle(new EtcdException("watch sent an error", false));
      } else if (result.getBoolean("canceled", false)) {
        String reason = result.getString("compact_revision") != null
            ? "revision compacted (now " + result.getString("compact_revision") + ")"
            : result.getString("cancel_reason", "no reason given");
        finish.handle(new EtcdException("watch cancelled: " + reason, reason.contains("Unauthenticated")));
      } else if (result.getBoolean("created", false)) {
        created.tryComplete(watch);
      } else {
        List<KeyValue> changes = new ArrayList<>();
        JsonArray list = result.getJsonArray("events", new JsonArray());
        for (int i = 0; i < list.size(); i++) {
          JsonObject event = list.getJsonObject(i);
          JsonObject kv = event.getJsonObject("kv", new JsonObject());
          boolean delete = "DELETE".equals(event.getString("type"));
          changes.add(new KeyValue(decode(kv.getString("key", "")), delete ? null : decode(kv.getString("value", ""))));
        }
        if (!changes.isEmpty()) {
          events.handle(changes);
        }
      }
    });
    lines.exceptionHandler(finish);
    lines.endHandler(v -> finish.handle(new EtcdException("watch connection closed", false)));
    long unconfirmed = vertx.setTimer(REQUEST_TIMEOUT_MILLIS, id -> finish.handle(new EtcdException(
        "watch not confirmed within " + REQUEST_TIMEOUT_MILLIS + " ms", false)));
    return created.future().onComplete(done -> vertx.cancelTimer(unconfirmed));
  }

  Future<Void> close() {
    return http.close();
  }

  private Future<JsonObject> post(String path, JsonObject body, boolean retryLogin) {
    var request = web.post(path).timeout(REQUEST_TIMEOUT_MILLIS);
    if (token != null) {
      request.putHeader("Authorization", token);
    }
    return request.sendJsonObject(body).compose(response -> {
      JsonObject json = json(response);
      if (response.statusCode() == UNAUTHENTICATED && retryLogin && settings.authenticated()) {
        return authenticate().compose(v -> post(path, body, false));
      }
      if (response.statusCode() != 200 || json == null) {
        return Future.failedFuture(new EtcdException(errorOf(response, json),
            response.statusCode() == UNAUTHENTICATED));
      }
      return Future.succeededFuture(json);
    });
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String errorOf(HttpResponse<Buffer> response, JsonObject json) {
    String message = json == null ? null : json.getString("message", json.getString("error"));
    if (message == null) {
      return "HTTP " + response.statusCode();
    }
    return message.startsWith("etcdserver: ") ? message.substring("etcdserver: ".length()) : message;
  }

  private static long revision(JsonObject json) {
    String revision = json.getJsonObject("header", new JsonObject()).getString("revision", "0");
    return Long.parseLong(revision);
  }

  static String encode(String text) {
    return encode(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** The first key after every key starting with {@code prefix}: its last byte plus one. */
  static byte[] rangeEnd(String prefix) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0};
  }
}
