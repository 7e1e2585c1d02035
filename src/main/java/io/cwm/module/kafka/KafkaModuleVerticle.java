package io.cwm.module.kafka;

import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;

/** The {@code kafka} module. */
public final class KafkaModuleVerticle extends ModuleVerticle {
  private final Env env;

  public KafkaModuleVerticle(Env env) {
    this.env = env;
  }

  @Override
  protected String moduleName() {
    return "kafka";
  }

  @Override
  protected Future<Void> deliver(ModuleCall call) {
    return Future.failedFuture(new ModuleFailure(Category.CONFIG, "kafka is not implemented yet (env " + (env != null) + ")"));
  }
}
