package io.cwm.ingest;

import io.cwm.config.EdgeSettings;
import io.cwm.config.ReceiverSettings;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.BodyBudget;
import io.cwm.http.EdgeServer;
import io.cwm.http.ErrorResponses;
import io.cwm.http.Routes;
import io.cwm.http.SecurityHeaders;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The public listener: one instance per event loop, all sharing the public port. Thin: it builds an
 * {@link EdgeServer} with the routes the process gives it (hardening, webhooks, streaming API,
 * admin API unless it has its own port, service endpoints) and binds.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** Netty's own cap; our {@link HeaderGuard} enforces the documented, smaller limits. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * What the public listener needs.
   *
   * @param listenPort the port to bind (-1: one random port shared by every instance)
   * @param port the port as configured, for messages
   * @param boundPort receives the port bound
   */
  public record Deps(String host, int listenPort, int port, EdgeSettings edge, BodyBudget budget,
      ReceiverSettings settings, List<Routes> routes, AtomicInteger boundPort) {}

  private final Deps deps;
  private EdgeServer server;

  public IngestVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(deps.host())
        .setPort(deps.listenPort())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(16 * 1024)
        .setDecompressionSupported(false)
        // connectors send small ack/nack/heartbeat frames: refuse anything bigger than 1 MiB
        .setMaxWebSocketFrameSize(1024 * 1024)
        .setMaxWebSocketMessageSize(1024 * 1024);
    SecurityHeaders securityHeaders = new SecurityHeaders(deps.settings());
    server = EdgeServer.create(vertx, options, deps.edge(), deps.budget(), deps.routes(),
        request -> invalid(request, securityHeaders));
    return server.listen().onSuccess(bound -> {
      deps.boundPort().set(bound.actualPort()); // the same port for every instance
      LOG.debug("ingest instance listening on {}:{}", deps.host(), bound.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
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
