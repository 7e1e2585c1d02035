package io.cwm.module.log;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code log} module: writes each webhook to the {@code cwm.webhooks} logger (route it to a
 * file or elsewhere with logback). Never fails.
 */
public final class LogModuleVerticle extends ModuleVerticle {
  /** A dedicated logger name so operators can route webhook bodies apart from service logs. */
  private static final Logger WEBHOOKS = LoggerFactory.getLogger("cwm.webhooks");

  @Override
  protected String moduleName() {
    return "log";
  }

  @Override
  protected Future<Void> deliver(ModuleCall call) {
    if (WEBHOOKS.isInfoEnabled()) {
      WEBHOOKS.info(LogFormatter.fromConfig(call.moduleConfig())
          .format(call.webhookId(), call.headers(), call.payload()));
    }
    return Future.succeededFuture();
  }
}
