package io.cwm.module.activemq;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.stomp.Command;
import io.vertx.ext.stomp.Frame;
import io.vertx.ext.stomp.StompClient;
import io.vertx.ext.stomp.StompClientConnection;
import io.vertx.ext.stomp.StompClientOptions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One STOMP connection for one named {@code activemq} connection, shared by every call that uses
 * it: opened on first use, reopened on the next call after it dropped, closed on stop. A SEND
 * carries a {@code receipt} header and completes only when the broker's RECEIPT arrives (for a
 * persistent message ActiveMQ sends it once the message is stored). An ERROR frame naming the
 * receipt fails that SEND; an ERROR without one (or no RECEIPT within the timeout) ends the
 * connection, failing what is in flight, and the next call reconnects.
 *
 * <p>Used from the owning verticle's event loop only (the STOMP client calls back there).
 */
final class ActiveMqLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveMqLink.class);
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int HEARTBEAT_MILLIS = 10_000;

  private final Vertx vertx;
  private final String name;
  private final ActiveMqConnection settings;
  private final long receiptTimeoutMillis;
  /** Kept in a field: Vert.x closes unreferenced clients. */
  private StompClient client;
  private StompClientConnection connection;
  private Future<StompClientConnection> connecting;
  /** The last ERROR frame's message seen while connecting (refused credentials). */
  private String connectError;
  /**
   * SENDs awaiting their RECEIPT, by receipt id (so that an ERROR naming one can fail it), oldest
   * first (so that one periodic sweep finds the overdue ones: no timer per message).
   */
  private final Map<String, Awaiting> awaitingReceipt = new LinkedHashMap<>();
  private long sweeper = -1;

  private record Awaiting(Promise<Void> promise, long sentNanos) {}

  ActiveMqLink(Vertx vertx, String name, JsonObject connection, ActiveMqConnection settings,
      long receiptTimeoutMillis) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.settings = settings;
    this.receiptTimeoutMillis = receiptTimeoutMillis;
  }

  /** STOMP client options for this connection. */
  static StompClientOptions options(ActiveMqConnection settings) {
    StompClientOptions options = new StompClientOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setAcceptedVersions(List.of("1.2", "1.1"))
        .setHeartbeat(new JsonObject().put("x", HEARTBEAT_MILLIS).put("y", HEARTBEAT_MILLIS));
    options.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    if (settings.login() != null) {
      options.setLogin(settings.login()).setPasscode(settings.passcode());
    }
    return options;
  }

  /** SENDs one message and completes when the broker's RECEIPT for it arrived. */
  Future<Void> send(Map<String, String> headers, Buffer body) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection is closed"));
    }
    return counted(() -> connected().compose(open -> sendOn(open, headers, body)));
  }

  @Override
  protected Future<Void> release() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    failAwaiting(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection closed before the receipt"));
    StompClientConnection open = connection;
    connection = null;
    StompClient owned = client;
    client = null;
    if (open != null && open.isConnected()) {
      // DISCONNECT with its own receipt, bounded: the broker has all our messages already
      return open.disconnect().timeout(2, java.util.concurrent.TimeUnit.SECONDS).otherwiseEmpty()
          .compose(done -> owned == null ? Future.succeededFuture() : owned.close().otherwiseEmpty()).mapEmpty();
    }
    return owned == null ? Future.succeededFuture() : owned.close().otherwiseEmpty();
  }

  private Future<StompClientConnection> connected() {
    if (connection != null && connection.isConnected()) {
      return Future.succeededFuture(connection);
    }
    if (connecting != null) {
      return connecting;
    }
    if (connection != null) {
      LOG.warn("[connection: {}] ActiveMQ connection lost, reconnecting", name);
      dropConnection(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection lost before the receipt"));
    }
    if (client == null || client.isClosed()) {
      client = StompClient.create(vertx, options(settings)).errorFrameHandler(this::onError);
    }
    connectError = null;
    connecting = client.connect().andThen(done -> connecting = null).transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(connectFailure(done.cause()));
      }
      StompClientConnection open = done.result();
      open.connectionDroppedHandler(dropped -> {
        if (connection == dropped) {
          LOG.warn("[connection: {}] ActiveMQ connection dropped", name);
          dropConnection(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection lost before the receipt"));
        }
      });
      if (isClosed()) {
        open.close();
        return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection is closed"));
      }
      connection = open;
      if (sweeper < 0) {
        sweeper = vertx.setPeriodic(1_000, id -> sweep());
      }
      LOG.info("[connection: {}] ActiveMQ connected (STOMP {})", name, open.version());
      return Future.succeededFuture(open);
    });
    return connecting;
  }

  private Future<Void> sendOn(StompClientConnection open, Map<String, String> headers, Buffer body) {
    // send(Frame) does not add it (only send(destination, headers, body) does): without it the
    // broker ends the body at its first NUL byte
    headers.put(Frame.CONTENT_LENGTH, Integer.toString(body.length()));
    Frame frame = new Frame(Command.SEND, headers, body);
    Promise<Void> received = Promise.promise();
    Future<Frame> receipt = open.send(frame);
    // the client has added its receipt header to the frame: keep it to match ERROR frames
    String receiptId = frame.getHeader(Frame.RECEIPT);
    if (receiptId != null) {
      awaitingReceipt.put(receiptId, new Awaiting(received, System.nanoTime()));
    }
    receipt.onComplete(done -> {
      if (receiptId != null) {
        awaitingReceipt.remove(receiptId);
      }
      if (done.succeeded()) {
        received.tryComplete();
      } else {
        received.tryFail(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection lost before the receipt"));
      }
    });
    return received.future();
  }

  /**
   * Runs every second while connected: SENDs without a RECEIPT after the timeout fail (TIMEOUT)
   * and the connection, which the broker no longer serves, is closed (the rest fail as CONNECTION,
   * the next call reconnects).
   */
  private void sweep() {
    long overdue = System.nanoTime() - receiptTimeoutMillis * 1_000_000L;
    List<Promise<Void>> late = new ArrayList<>();
    for (Iterator<Awaiting> it = awaitingReceipt.values().iterator(); it.hasNext(); ) {
      Awaiting awaiting = it.next();
      if (awaiting.sentNanos() - overdue > 0) {
        break;
      }
      it.remove();
      late.add(awaiting.promise());
    }
    if (late.isEmpty()) {
      return;
    }
    LOG.warn("[connection: {}] no RECEIPT within {} ms, closing the connection", name, receiptTimeoutMillis);
    late.forEach(promise -> promise.tryFail(new ModuleFailure(Category.TIMEOUT,
        "ActiveMQ did not confirm the message in time")));
    dropConnection(new ModuleFailure(Category.CONNECTION, "ActiveMQ connection closed before the receipt"));
  }

  /** An ERROR frame: fails the SEND it names; without one it is about the connection, which ends. */
  private void onError(Frame error) {
    String message = error.getHeader("message");
    String receiptId = error.getHeader(Frame.RECEIPT_ID);
    ModuleFailure failure = classifyError(message);
    Awaiting named = receiptId == null ? null : awaitingReceipt.remove(receiptId);
    Promise<Void> failed = named == null ? null : named.promise();
    if (connecting != null && connection == null) {
      connectError = message == null ? "" : message;
      return;
    }
    LOG.warn("[connection: {}] ActiveMQ ERROR frame: {}", name, failure.getMessage());
    if (failed != null) {
      failed.tryFail(failure);
    } else {
      dropConnection(failure.retryable() ? failure
          : new ModuleFailure(Category.CONNECTION, "ActiveMQ ended the connection with an error"));
    }
  }

  private void dropConnection(ModuleFailure failure) {
    failAwaiting(failure);
    StompClientConnection open = connection;
    connection = null;
    if (open != null) {
      open.close();
    }
  }

  private void failAwaiting(ModuleFailure failure) {
    List<Awaiting> pending = List.copyOf(awaitingReceipt.values());
    awaitingReceipt.clear();
    pending.forEach(awaiting -> awaiting.promise().tryFail(failure));
  }

  /** A failed connect: refused credentials (the broker's ERROR while connecting) AUTH, the rest CONNECTION. */
  private ModuleFailure connectFailure(Throwable cause) {
    if (connectError != null) {
      ModuleFailure failure = classifyError(connectError);
      if (failure.category() == Category.AUTH || failure.category() == Category.PERMISSION) {
        LOG.warn("[connection: {}] ActiveMQ refused the connection: {}", name, failure.getMessage());
        return failure;
      }
    }
    LOG.warn("[connection: {}] ActiveMQ unreachable: {}", name, cause.getClass().getSimpleName());
    return new ModuleFailure(Category.CONNECTION, "ActiveMQ broker unreachable");
  }

  /** The category of an ERROR frame's message (client-safe text, without the broker's words). */
  static ModuleFailure classifyError(String message) {
    String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (text.contains("password") || text.contains("authenticat") || text.contains("credential")
        || text.contains("login") || text.contains("user name")) {
      return new ModuleFailure(Category.AUTH, "ActiveMQ refused the credentials");
    }
    if (text.contains("not authorized") || text.contains("authoriz") || text.contains("permission")
        || text.contains("access denied")) {
      return new ModuleFailure(Category.PERMISSION, "ActiveMQ refused access to the destination");
    }
    if (text.contains("memory") || text.contains("usage") || text.contains("space") || text.contains("limit")) {
      return new ModuleFailure(Category.UNAVAILABLE, "ActiveMQ is out of resources for now");
    }
    return new ModuleFailure(Category.REJECTED, "ActiveMQ refused the message");
  }
}
