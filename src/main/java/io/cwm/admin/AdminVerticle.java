package io.cwm.admin;

import io.cwm.app.AppContext;
import io.cwm.config.EdgeSettings;
import io.cwm.http.ErrorResponses;
import io.cwm.http.BoundedBody;
import io.cwm.http.ConnectionGuard;
import io.cwm.ingest.IngestVerticle;
import io.cwm.ingest.ReceiverRoutes;
import io.cwm.buffer.BufferClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's own listener when {@code --admin-port} (env {@code WEBHOOK_CONNECT_ADMIN_PORT})
 * is set, so it can stay off the public port; the public port then has no {@code /admin}.
 * Without it this verticle does nothing and IngestVerticle serves the admin API on the public
 * port, as Python does.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);

  private final AppContext app;
  private HttpServer server;
  private ConnectionGuard guard;

  public AdminVerticle(AppContext app) {
    this.app = app;
  }

  @Override
  public Future<?> start() {
    if (app.adminPort() == null) {
      LOG.info("admin API on the public port {}", app.port());
      return Future.succeededFuture();
    }
    guard = new ConnectionGuard(vertx, app.edge());
    guard.start();
    Router router = Router.router(vertx);
    AdminRoutes.mount(vertx, router, app, new BoundedBody(EdgeSettings.MAX_SMALL_BODY, app.bodyBudget(), guard));
    // the private port is where a scrape without a token belongs (METRICS_AUTH=none)
    router.get("/metrics").handler(ReceiverRoutes.metrics(app, new BufferClient(vertx), true));
    ErrorResponses.install(router, guard);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(app.host()).setPort(app.adminPort())
        .setMaxHeaderSize(16 * 1024).setDecompressionSupported(false).setIdleTimeout(app.edge().idleTimeoutSeconds())
        // HTTP/1.1 only: with h2c detection a connection exists only after its first bytes, so a silent one escaped
        .setHttp2ClearTextEnabled(false));
    server.connectionHandler(guard).requestHandler(guard.guard(router));
    return IngestVerticle.listen(server, app.host(), app.adminPort()).onSuccess(bound -> {
      app.adminBoundPort().set(bound.actualPort());
      LOG.info("admin API on its own port {}", bound.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }
}
