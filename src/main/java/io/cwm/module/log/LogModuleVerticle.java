package io.cwm.module.log;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code log} module: writes each webhook to the {@code cwm.webhooks} logger (route it to a
 * file or elsewhere with logback), formatted by the call's {@link LogFormatter}. Never fails.
 */
public final class LogModuleVerticle extends ModuleVerticle<LogFormatter> {
  /** The module's registry name (event-bus address {@code cwm.module.log}). */
  public static final String NAME = "log";
  /** The module as the catalogue sees it. Its target is the {@link LogFormatter} of its module-config. */
  public static final ModuleType<LogFormatter> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> LogFormatter.fromConfig(moduleConfig), env -> new LogModuleVerticle());

  /** A dedicated logger name so operators can route webhook bodies apart from service logs. */
  private static final Logger WEBHOOKS = LoggerFactory.getLogger("cwm.webhooks");

  public LogModuleVerticle() {
    super(NAME, LogFormatter.class);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, LogFormatter formatter) {
    if (WEBHOOKS.isInfoEnabled()) {
      WEBHOOKS.info(formatter.format(call.webhookId(), call.headers(), call.payload()));
    }
    return Future.succeededFuture();
  }
}
