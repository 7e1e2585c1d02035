package io.cwm.module.websocket;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.cwm.module.http.HttpWebhookModuleVerticle;
import io.cwm.module.http.OutgoingHeaders;
import io.cwm.net.IpAddresses;
import io.cwm.net.TargetUrl;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code websocket} module (modules.md §3.9): per webhook, as in Python, a new WebSocket
 * connection to the configured ws/wss URL, one message, and the close handshake.
 *
 * <p>A call succeeds only when the protocol has confirmed what it can: the message was written
 * and the server answered the close handshake with a normal code (1000, 1001 or none), or closed
 * normally itself after the message; with {@code wait_for_response}, a message from the server
 * arrived first. A WebSocket server has no acknowledgement of its own: the close frame it sends
 * after ours proves that it read everything before it (TCP and WebSocket keep order), not that
 * its application kept the message.
 *
 * <p>Message: {@code format: json} sends the text {@code {"payload": …}} (with
 * {@code "headers"} when {@code include_headers}); a blob's payload is base64 text there, with
 * {@code "payload_encoding": "base64"}. Other formats send the payload itself: a string as
 * text, JSON values as JSON text, a blob as one binary message of its raw bytes.
 *
 * <p>Before each connection the host is resolved and, unless {@code allowed_hosts} lists it,
 * every address checked by the http_webhook policy ({@link HttpWebhookModuleVerticle#addressFor});
 * the connection goes to the checked address. Handshake headers pass
 * {@link OutgoingHeaders}. Outcome: an upgrade refused with 5xx or 429, or a connection closed
 * without the close handshake, is re-attempted at once up to {@code max_retries} attempts, then
 * UNAVAILABLE / CONNECTION (retryable); refused connections CONNECTION, timeouts TIMEOUT (not
 * re-attempted at once: the receiver's 503 or the connector's retry takes over); an upgrade
 * refused with another status, a close with code 1003, 1007, 1008, 1009 or 1010 REJECTED;
 * a refused address or an untrusted certificate CONFIG.
 */
public final class WebSocketModuleVerticle extends ModuleVerticle<WebSocketTarget> {
  /** The module's registry name (event-bus address {@code cwm.module.websocket}). */
  public static final String NAME = "websocket";
  /** The module as the catalogue sees it. Its target is the checked {@link WebSocketTarget}. */
  public static final ModuleType<WebSocketTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> WebSocketTarget.fromConfig(moduleConfig), env -> new WebSocketModuleVerticle());

  /** Connections open at once per server; calls beyond wait in the client's queue. */
  static final int MAX_CONNECTIONS = 256;
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketModuleVerticle.class);
  private static final short NORMAL_CLOSURE = 1000;

  /** In a field: Vert.x 5 closes unreferenced clients. */
  private WebSocketClient client;

  public WebSocketModuleVerticle() {
    super(NAME, WebSocketTarget.class);
  }

  @Override
  protected Future<Void> startModule() {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(MAX_CONNECTIONS));
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> stopModule() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, WebSocketTarget target) {
    Object message = message(target, call.payload(), call.headers());
    return attempt(call, target, message, 1).onFailure(failure -> LOG.warn(
        "[module: websocket, webhook_id: {}] to {}: {}", call.webhookId(), target.forLog(), failure.getMessage()));
  }

  /** One attempt; a protocol failure is re-attempted at once while attempts are left. */
  private Future<Void> attempt(ModuleCall call, WebSocketTarget target, Object message, int attempt) {
    return exchange(target, message).recover(failure -> {
      if (failure instanceof ProtocolFailure protocol) {
        if (attempt < target.attempts()) {
          LOG.info("[module: websocket, webhook_id: {}] attempt {} of {} failed: {}", call.webhookId(), attempt,
              target.attempts(), protocol.failure().getMessage());
          return attempt(call, target, message, attempt + 1);
        }
        return Future.failedFuture(protocol.failure());
      }
      return Future.failedFuture(WebSocketFailures.classify(failure));
    });
  }

  /** Connect, send, (reply), close handshake: see the class comment. */
  private Future<Void> exchange(WebSocketTarget target, Object message) {
    long timeout = target.timeoutMillis();
    return HttpWebhookModuleVerticle.addressFor(vertx, target.url(), target.hostAllowListed())
        .compose(address -> client.connect(connectOptions(target, address)))
        .recover(failure -> Future.failedFuture(WebSocketFailures.connectFailure(failure)))
        .compose(socket -> {
          Promise<Void> replied = Promise.promise();
          Promise<Void> closeFrame = Promise.promise();
          socket.textMessageHandler(text -> replied.tryComplete());
          socket.binaryMessageHandler(bytes -> replied.tryComplete());
          socket.endHandler(end -> closeFrame.tryComplete());
          socket.exceptionHandler(failure -> LOG.debug("[module: websocket] {}: {}", target.forLog(),
              failure.toString()));
          socket.closeHandler(closed -> {
            ProtocolFailure unanswered = new ProtocolFailure(new ModuleFailure(Category.CONNECTION,
                "WebSocket connection closed without the close handshake"));
            replied.tryFail(unanswered);
            closeFrame.tryFail(unanswered);
          });
          Future<Void> written = message instanceof Buffer bytes ? socket.writeBinaryMessage(bytes)
              : socket.writeTextMessage((String) message);
          return written
              .recover(failure -> Future.failedFuture(new ProtocolFailure(new ModuleFailure(Category.CONNECTION,
                  "WebSocket message could not be written"))))
              .compose(sent -> target.waitForResponse()
                  ? bounded(replied.future(), timeout, () -> new ModuleFailure(Category.TIMEOUT,
                      "WebSocket server did not reply within the timeout"))
                  : Future.<Void>succeededFuture())
              .compose(answered -> {
                socket.close(NORMAL_CLOSURE);
                return bounded(closeFrame.future(), timeout, () -> new ModuleFailure(Category.TIMEOUT,
                    "WebSocket server did not answer the close handshake within the timeout"));
              })
              .compose(closed -> judge(socket.closeStatusCode()))
              .onFailure(failure -> {
                if (!socket.isClosed()) {
                  socket.close();
                }
              });
        });
  }

  /** The server's close code: normal is success, an error code says whether it may pass later. */
  static Future<Void> judge(Short code) {
    if (code == null || code == 1000 || code == 1001 || code == 1005) {
      return Future.succeededFuture();
    }
    return switch (code) {
      case 1003, 1007, 1008, 1009, 1010 -> Future.failedFuture(new ModuleFailure(Category.REJECTED,
          "WebSocket server refused the message (close code " + code + ")"));
      default -> Future.failedFuture(new ProtocolFailure(new ModuleFailure(Category.UNAVAILABLE,
          "WebSocket server closed with code " + code)));
    };
  }

  private Future<Void> bounded(Future<Void> awaited, long timeoutMillis, Supplier<ModuleFailure> onTimeout) {
    if (awaited.isComplete()) {
      return awaited;
    }
    Promise<Void> bounded = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> bounded.tryFail(onTimeout.get()));
    awaited.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        bounded.tryComplete();
      } else {
        bounded.tryFail(done.cause());
      }
    });
    return bounded.future();
  }

  private static WebSocketConnectOptions connectOptions(WebSocketTarget target, byte[] address) {
    TargetUrl url = target.url();
    MultiMap headers = HttpHeaders.headers();
    OutgoingHeaders.copy(target.headers(), null, headers);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setServer(SocketAddress.inetSocketAddress(url.port(), IpAddresses.format(address)))
        .setHost(url.host())
        .setPort(url.port())
        .setSsl(url.ssl())
        .setURI(url.requestUri())
        .setHeaders(headers)
        .setConnectTimeout(target.timeoutMillis())
        .setTimeout(target.timeoutMillis());
    if (url.basicAuth() != null && !headers.contains(HttpHeaders.AUTHORIZATION)) {
      headers.set(HttpHeaders.AUTHORIZATION, url.basicAuth());
    }
    return options;
  }

  /** The message for one call: a String (text message) or a Buffer (binary message). */
  static Object message(WebSocketTarget target, Object payload, Map<String, String> headers) {
    if (target.json()) {
      JsonObject envelope = new JsonObject();
      if (payload instanceof Buffer blob) {
        envelope.put("payload", Base64.getEncoder().encodeToString(blob.getBytes()))
            .put("payload_encoding", "base64");
      } else {
        envelope.put("payload", payload);
      }
      if (target.includeHeaders()) {
        JsonObject sent = new JsonObject();
        if (headers != null) {
          headers.forEach(sent::put);
        }
        envelope.put("headers", sent);
      }
      return envelope.encode();
    }
    if (payload instanceof Buffer blob) {
      return blob;
    }
    return payload instanceof String text ? text : Json.encode(payload);
  }

  /** A failure the WebSocket protocol reported (re-attempted at once while attempts are left). */
  static final class ProtocolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ModuleFailure failure;

    ProtocolFailure(ModuleFailure failure) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
    }

    ModuleFailure failure() {
      return failure;
    }
  }
}
