package io.cwm.admin;

import io.cwm.config.EdgeSettings;
import io.cwm.http.BodyBudget;
import io.cwm.http.EdgeServer;
import io.cwm.http.Routes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The admin API's own listener when {@code --admin-port} (env {@code WEBHOOK_CONNECT_ADMIN_PORT})
 * is set, so it can stay off the public port; the public port then has no {@code /admin}.
 * Without it this verticle does nothing and IngestVerticle serves the admin API on the public
 * port.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);

  /**
   * What the admin listener needs.
   *
   * @param port the admin port, or null when the admin API is on the public port
   * @param publicPort for the message when there is no admin port
   * @param routes the admin API and the admin port's {@code /metrics}
   * @param boundPort receives the port bound
   */
  public record Deps(String host, Integer port, int publicPort, EdgeSettings edge, BodyBudget budget,
      List<Routes> routes, AtomicInteger boundPort) {}

  private final Deps deps;
  private EdgeServer server;

  public AdminVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    if (deps.port() == null) {
      LOG.info("admin API on the public port {}", deps.publicPort());
      return Future.succeededFuture();
    }
    server = EdgeServer.create(vertx, new HttpServerOptions().setHost(deps.host()).setPort(deps.port())
        .setMaxHeaderSize(16 * 1024).setDecompressionSupported(false), deps.edge(), deps.budget(), deps.routes(), null);
    return server.listen().onSuccess(bound -> {
      deps.boundPort().set(bound.actualPort());
      LOG.info("admin API on its own port {}", bound.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
