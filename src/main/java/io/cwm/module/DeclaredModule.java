package io.cwm.module;

import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.Function;

/** A {@link ModuleType} from its parts: see {@link ModuleType#served} and {@link ModuleType#unavailable}. */
record DeclaredModule<T>(String name, Set<String> aliases, boolean available, ModuleType.TargetCheck<T> check,
    ModuleType.ConnectionCheck connectionCheck, Function<Env, ModuleVerticle<T>> verticles)
    implements ModuleType<T> {

  @Override
  public T target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return check.check(moduleConfig, entry, env);
  }

  @Override
  public void checkConnection(JsonObject connection, Env env) {
    connectionCheck.check(connection, env);
  }

  @Override
  public ModuleVerticle<T> verticle(Env env) {
    return verticles.apply(env);
  }
}
