package io.cwm.http;

import io.cwm.config.EdgeSettings;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines of the connections of one HTTP server instance (one event loop, so no locking): a new
 * connection must deliver its request head within the header timeout, a kept-alive one must start
 * its next request within the keep-alive timeout, and a body must arrive at a minimum rate and
 * within the body timeout. A sweep every {@link #SWEEP_MILLIS} closes whatever is late, so the cost
 * per request is a map lookup, not a timer. Streams (WebSocket, SSE, long-poll) are left to the
 * idle timeout and their own heartbeats.
 *
 * <p>It also refuses, before routing, a raw path with a {@code ..} segment in any spelling
 * ({@code %2e%2e}, {@code .%2E}, ...), so no encoded dot segment can reach another route.
 */
public final class ConnectionGuard implements Handler<HttpConnection> {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  static final long SWEEP_MILLIS = 250;
  /**
   * How long, and how much of, a refused request's unread body is drained before the connection is
   * closed. Closing with unread bytes makes the kernel send a reset, and a client still writing
   * then loses the answer it has not read yet (seen in CI: a 10 MiB body refused with 413 came back
   * as "no bytes"); 32 MiB covers bodies up to three times the webhook limit, the time bound keeps
   * a slow or endless sender from holding the connection.
   */
  static final long LINGER_MILLIS = 2_000;
  static final long LINGER_BYTES = 32L * 1024 * 1024;

  /** STREAM: upgraded to a WebSocket, dropped from the map at the next sweep. */
  private enum Phase { WAITING_HEAD, REQUEST, BODY, LINGER, STREAM }

  /** One connection's state. */
  private static final class Tracked {
    final HttpConnection connection;
    Phase phase = Phase.WAITING_HEAD;
    long deadline;
    HttpServerRequest request;
    long bodyStarted;
    long bodyBytes;
    Runnable onBodyTimeout;

    Tracked(HttpConnection connection) {
      this.connection = connection;
    }
  }

  /** A body being read: reports progress; {@link #done()} once it is complete or abandoned. */
  public interface BodyWatch {
    void received(long bytes);

    void done();
  }

  private static final BodyWatch UNTRACKED = new BodyWatch() {
    @Override
    public void received(long bytes) {}

    @Override
    public void done() {}
  };

  private static final CwmException DOT_SEGMENTS =
      CwmException.badRequest("Invalid path: dot segments are not allowed");

  private final Vertx vertx;
  private final EdgeSettings settings;
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();
  private long sweepTimer = -1;

  public ConnectionGuard(Vertx vertx, EdgeSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Starts the sweep; call on the server's context. */
  public void start() {
    sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep(System.currentTimeMillis()));
  }

  public void stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = -1;
    }
  }

  /** Connections this instance tracks now. */
  public int tracked() {
    return connections.size();
  }

  /** The server's connection handler: a new connection waits for its first request head. */
  @Override
  public void handle(HttpConnection connection) {
    Tracked tracked = new Tracked(connection);
    tracked.deadline = System.currentTimeMillis() + settings.headerTimeoutMillis();
    connections.put(connection, tracked);
    connection.closeHandler(closed -> connections.remove(connection));
  }

  /**
   * Wraps the router: refuses dot segments, notes that the head arrived, then routes. The
   * returned handler is the server's request handler.
   */
  public Handler<HttpServerRequest> guard(Handler<HttpServerRequest> router) {
    return request -> {
      if (PathGuard.hasDotSegment(request.path())) {
        ErrorResponses.answer(request, DOT_SEGMENTS, this);
        return;
      }
      Tracked tracked = connections.get(request.connection());
      if (tracked != null) {
        tracked.phase = Phase.REQUEST;
        tracked.request = request;
        tracked.onBodyTimeout = null;
      }
      router.handle(request);
    };
  }

  /**
   * Starts watching the body of {@code request}: {@code onTimeout} runs (once) when it is too slow
   * or too late; it must answer and close.
   */
  public BodyWatch watchBody(HttpServerRequest request, Runnable onTimeout) {
    Tracked tracked = connections.get(request.connection());
    if (tracked == null || tracked.phase != Phase.REQUEST) {
      return UNTRACKED;
    }
    long now = System.currentTimeMillis();
    tracked.phase = Phase.BODY;
    tracked.bodyStarted = now;
    tracked.bodyBytes = 0;
    tracked.deadline = now + settings.bodyTimeoutMillis();
    tracked.onBodyTimeout = onTimeout;
    return new BodyWatch() {
      @Override
      public void received(long bytes) {
        tracked.bodyBytes += bytes;
      }

      @Override
      public void done() {
        if (tracked.phase == Phase.BODY) {
          tracked.phase = Phase.REQUEST;
          tracked.onBodyTimeout = null;
        }
      }
    };
  }

  /**
   * After an answer sent before the body was read: drains what the client still sends (so it reads
   * the answer instead of a reset) for at most {@link #LINGER_MILLIS} and {@link #LINGER_BYTES}, then
   * closes the connection
   * once {@code answered} (the answer's write) completed. The answer must carry
   * {@code Connection: close}.
   */
  public void lingerThenClose(HttpServerRequest request, Future<Void> answered) {
    HttpConnection connection = request.connection();
    Runnable close = () -> answered.onComplete(written -> connection.close());
    if (request.isEnded()) {
      close.run();
      return;
    }
    Tracked tracked = connections.get(connection);
    if (tracked != null) {
      tracked.phase = Phase.LINGER;
      tracked.deadline = System.currentTimeMillis() + LINGER_MILLIS;
      tracked.onBodyTimeout = null;
    }
    long[] drained = {0};
    request.handler(discarded -> {
      drained[0] += discarded.length();
      if (drained[0] > LINGER_BYTES) {
        request.pause();
        close.run();
      }
    })
        .endHandler(ended -> close.run())
        .exceptionHandler(failure -> close.run())
        .resume();
  }

  void sweep(long now) {
    List<Tracked> late = null;
    for (Tracked tracked : connections.values()) {
      if (isLate(tracked, now)) {
        if (late == null) {
          late = new ArrayList<>();
        }
        late.add(tracked);
      }
    }
    if (late != null) {
      late.forEach(this::expire);
    }
  }

  private boolean isLate(Tracked tracked, long now) {
    switch (tracked.phase) {
      case WAITING_HEAD, LINGER:
        return now > tracked.deadline;
      case REQUEST:
        HttpServerRequest request = tracked.request;
        if (!request.response().ended()) {
          return false;
        }
        tracked.request = null;
        if (request.response().getStatusCode() == 101) {
          // upgraded to a WebSocket: no longer HTTP; its heartbeats and the idle timeout watch it
          tracked.phase = Phase.STREAM;
          return true;
        }
        if (request.isEnded()) {
          tracked.phase = Phase.WAITING_HEAD; // kept alive: the next request must come soon
          tracked.deadline = now + settings.keepAliveTimeoutMillis();
        } else {
          tracked.phase = Phase.LINGER; // answered without reading the body: the rest may drain a while
          tracked.deadline = now + LINGER_MILLIS;
        }
        return false;
      case BODY:
        long elapsed = now - tracked.bodyStarted;
        return now > tracked.deadline || (elapsed > settings.headerTimeoutMillis()
            && tracked.bodyBytes * 1000 < settings.bodyMinRate() * elapsed);
      default:
        return false;
    }
  }

  private void expire(Tracked tracked) {
    if (tracked.phase == Phase.STREAM) {
      connections.remove(tracked.connection);
      return;
    }
    if (tracked.phase == Phase.BODY && tracked.onBodyTimeout != null) {
      Runnable onTimeout = tracked.onBodyTimeout;
      tracked.onBodyTimeout = null;
      tracked.phase = Phase.LINGER;
      tracked.deadline = System.currentTimeMillis() + LINGER_MILLIS;
      LOG.debug("request body too slow or too late ({} bytes in {} ms): answered 408 and closed",
          tracked.bodyBytes, System.currentTimeMillis() - tracked.bodyStarted);
      onTimeout.run();
      return;
    }
    connections.remove(tracked.connection);
    tracked.connection.close();
  }
}
