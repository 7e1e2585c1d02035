package io.cwm.module.http;

import io.cwm.config.Env;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.json.JsonObject;

/** The {@code http_webhook} module: its target is the checked {@link HttpWebhookTarget}. */
public final class HttpWebhookModuleType implements ModuleType<HttpWebhookTarget> {
  public static final String NAME = "http_webhook";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public HttpWebhookTarget target(JsonObject moduleConfig, JsonObject entry, Env env) {
    return HttpWebhookTarget.fromConfig(moduleConfig);
  }

  @Override
  public ModuleVerticle<HttpWebhookTarget> verticle(Env env) {
    return new HttpWebhookModuleVerticle();
  }
}
