package io.cwm.module.postgres;

import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;

/** The {@code postgresql} module. */
public final class PostgresModuleVerticle extends ModuleVerticle {
  private final Env env;

  public PostgresModuleVerticle(Env env) {
    this.env = env;
  }

  @Override
  protected String moduleName() {
    return "postgresql";
  }

  @Override
  protected Future<Void> deliver(ModuleCall call) {
    return Future.failedFuture(new ModuleFailure(Category.CONFIG, "postgresql is not implemented yet (env " + (env != null) + ")"));
  }
}
