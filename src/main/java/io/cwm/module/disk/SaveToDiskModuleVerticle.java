package io.cwm.module.disk;

import io.cwm.config.Env;
import io.cwm.config.ConfigException;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code save_to_disk} module: file writes run on worker threads, never on the event loop. */
public final class SaveToDiskModuleVerticle extends ModuleVerticle {
  private final Env env;
  /** Targets by module-config, validated once (configs are immutable snapshots). */
  private final Map<JsonObject, DiskTarget> targets = new ConcurrentHashMap<>();

  public SaveToDiskModuleVerticle(Env env) {
    this.env = env;
  }

  @Override
  protected String moduleName() {
    return "save_to_disk";
  }

  @Override
  protected Future<Void> deliver(ModuleCall call) {
    DiskTarget target;
    try {
      target = targets.computeIfAbsent(call.moduleConfig(), config -> DiskTarget.fromConfig(config, env));
    } catch (ConfigException e) {
      return Future.failedFuture(new ModuleFailure(Category.CONFIG, "path validation failed"));
    }
    return vertx.executeBlocking(() -> target.write(call.payload()), false).mapEmpty();
  }
}
