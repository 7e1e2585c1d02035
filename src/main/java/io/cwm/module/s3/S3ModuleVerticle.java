package io.cwm.module.s3;

import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;

/** The {@code s3} module. */
public final class S3ModuleVerticle extends ModuleVerticle {
  private final Env env;

  public S3ModuleVerticle(Env env) {
    this.env = env;
  }

  @Override
  protected String moduleName() {
    return "s3";
  }

  @Override
  protected Future<Void> deliver(ModuleCall call) {
    return Future.failedFuture(new ModuleFailure(Category.CONFIG, "s3 is not implemented yet (env " + (env != null) + ")"));
  }
}
