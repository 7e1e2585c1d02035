package io.cwm.module.redis;

import io.vertx.core.json.JsonObject;

/**
 * The {@code redis_rq} module-config, checked once: the worker function every job calls and the
 * RQ queue it is pushed on (rules in {@link RqJob#function} and {@link RqJob#queue}).
 *
 * @param function the dotted name of the RQ worker function
 * @param queue the RQ queue name
 */
public record RqTarget(String function, String queue) {

  /** Parses and checks a module-config; throws ConfigException naming the key. */
  public static RqTarget fromConfig(JsonObject moduleConfig) {
    return new RqTarget(RqJob.function(moduleConfig), RqJob.queue(moduleConfig));
  }
}
