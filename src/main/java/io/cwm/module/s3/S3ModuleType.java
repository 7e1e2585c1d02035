package io.cwm.module.s3;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code s3} module: its target is the checked {@link S3Target} (bucket, key pattern). */
public final class S3ModuleType implements ModuleType<S3Target> {
  public static final String NAME = "s3";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public S3Target target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return S3Target.fromConfig(moduleConfig);
  }

  @Override
  public ModuleVerticle<S3Target> verticle(Env env) {
    return new S3ModuleVerticle(env);
  }
}
