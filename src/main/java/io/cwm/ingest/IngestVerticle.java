package io.cwm.ingest;

import io.cwm.app.AppContext;
import io.cwm.chain.Dispatcher;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.ErrorResponses;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cwm.http.ConnectionGuard;
import io.cwm.http.SecurityHeaders;

/**
 * The HTTP edge: one instance per event loop, all sharing the public port. Thin: it binds the
 * server and hands requests to {@link ReceiverRoutes}.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** Netty's own cap; our {@link HeaderGuard} enforces the documented, smaller limits. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  private final AppContext app;
  private HttpServer server;
  private ConnectionGuard guard;

  public IngestVerticle(AppContext app) {
    this.app = app;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(app.host())
        .setPort(app.listenPort())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(16 * 1024)
        .setDecompressionSupported(false)
        // connectors send small ack/nack/heartbeat frames: refuse anything bigger than 1 MiB
        .setMaxWebSocketFrameSize(1024 * 1024)
        .setMaxWebSocketMessageSize(1024 * 1024)
        // HTTP/1.1 only on the clear-text port: the header limits are those of HTTP/1.1 decoding
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(app.edge().idleTimeoutSeconds());
    Dispatcher dispatcher = new Dispatcher(vertx, (long) (app.settings().taskTimeoutSeconds() * 1000));
    SecurityHeaders securityHeaders = new SecurityHeaders(app.settings());
    guard = new ConnectionGuard(vertx, app.edge());
    guard.start();
    server = vertx.createHttpServer(options)
        .connectionHandler(guard)
        .requestHandler(guard.guard(ReceiverRoutes.create(vertx, app, dispatcher, guard)))
        .invalidRequestHandler(request -> invalid(request, securityHeaders));
    return listen(server, app.host(), app.port()).onSuccess(bound -> {
      app.boundPort().set(bound.actualPort()); // the same port for every instance
      LOG.debug("ingest instance listening on {}:{}", app.host(), bound.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * Binds; a failure names the address and port ({@code Address already in use} alone does not say
   * which listener or port).
   */
  public static Future<HttpServer> listen(HttpServer server, String host, int port) {
    return server.listen().recover(failure -> Future.failedFuture(new IllegalStateException(
        "cannot listen on " + host + ":" + port + ": " + failure.getMessage(), failure)));
  }

  /** Requests Netty could not decode (oversized or malformed header section, bad request line). */
  private static void invalid(HttpServerRequest request, SecurityHeaders securityHeaders) {
    Throwable cause = request.decoderResult().cause();
    CwmException refusal = CwmException.badRequest("Invalid HTTP request");
    if (cause instanceof TooLongFrameException) {
      refusal = String.valueOf(cause.getMessage()).contains("header")
          ? new CwmException(FailureCode.HEADERS_TOO_LARGE, "Headers too large (max: " + MAX_HEADER_BYTES + " bytes)")
          : new CwmException(FailureCode.URI_TOO_LONG);
    }
    securityHeaders.apply(request);
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    ErrorResponses.send(request.response(), refusal);
  }
}
