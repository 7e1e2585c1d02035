package io.cwm.http;

import io.cwm.config.EdgeSettings;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * One HTTP listener instance, as the public and the admin port use it: HTTP/1.1 only, the idle
 * timeout and connection deadlines of {@link EdgeSettings} ({@link ConnectionGuard}, which also
 * refuses dot segments), the given routes in order, and {@link ErrorResponses} as the router's one
 * failure handler.
 */
public final class EdgeServer {
  private final ConnectionGuard guard;
  private final HttpServer server;
  private final String host;
  private final int port;

  private EdgeServer(ConnectionGuard guard, HttpServer server, String host, int port) {
    this.guard = guard;
    this.server = server;
    this.host = host;
    this.port = port;
  }

  /**
   * Builds the listener (not yet bound).
   *
   * @param options host, port and the listener's own limits; HTTP/1.1 and the idle timeout are set here
   * @param invalid requests Netty could not decode, or null for Vert.x's default answer
   */
  public static EdgeServer create(Vertx vertx, HttpServerOptions options, EdgeSettings settings, BodyBudget budget,
      List<Routes> routes, Handler<HttpServerRequest> invalid) {
    // with h2c detection a connection exists only after its first bytes, so a silent one escaped the guard
    options.setHttp2ClearTextEnabled(false).setIdleTimeout(settings.idleTimeoutSeconds());
    ConnectionGuard guard = new ConnectionGuard(vertx, settings);
    Edge edge = Edge.create(vertx, guard, budget);
    Router router = Router.router(vertx);
    routes.forEach(area -> area.mount(router, edge));
    ErrorResponses.install(router, guard);
    HttpServer server = vertx.createHttpServer(options).connectionHandler(guard).requestHandler(guard.guard(router));
    if (invalid != null) {
      server.invalidRequestHandler(invalid);
    }
    return new EdgeServer(guard, server, options.getHost(), options.getPort());
  }

  /** How long requests in progress may take to be answered when the server stops. */
  static final int SHUTDOWN_GRACE_SECONDS = 5;

  /**
   * Starts the deadlines and binds; a failure names the address and port ({@code Address already in
   * use} alone does not say which listener or port).
   */
  public Future<HttpServer> listen() {
    guard.start();
    return server.listen().recover(failure -> Future.failedFuture(new IllegalStateException(
        "cannot listen on " + host + ":" + (port < 0 ? 0 : port) + ": " + failure.getMessage(), failure)));
  }

  /**
   * Graceful stop: the listener closes at once, requests in progress get up to {@value
   * #SHUTDOWN_GRACE_SECONDS} s to be answered (their connections close after the answer), idle
   * connections close; then whatever is left closes.
   */
  public Future<Void> close() {
    return server.shutdown(SHUTDOWN_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
        .onComplete(done -> guard.stop());
  }
}
