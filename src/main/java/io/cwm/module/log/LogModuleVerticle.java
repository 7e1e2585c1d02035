package io.cwm.module.log;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code log} module: writes each webhook to the {@code cwm.webhooks} logger (route it to a
 * file or elsewhere with logback), formatted by the call's {@link LogFormatter}. Never fails.
 */
public final class LogModuleVerticle extends ModuleVerticle<LogFormatter> {
  /** A dedicated logger name so operators can route webhook bodies apart from service logs. */
  private static final Logger WEBHOOKS = LoggerFactory.getLogger("cwm.webhooks");

  public LogModuleVerticle() {
    super(LogModuleType.NAME, LogFormatter.class);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, LogFormatter formatter) {
    if (WEBHOOKS.isInfoEnabled()) {
      WEBHOOKS.info(formatter.format(call.webhookId(), call.headers(), call.payload()));
    }
    return Future.succeededFuture();
  }
}
