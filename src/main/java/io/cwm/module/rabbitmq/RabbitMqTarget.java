package io.cwm.module.rabbitmq;

import io.vertx.core.json.JsonObject;

/**
 * The {@code rabbitmq} module-config, checked once: the durable queue every webhook of the entry
 * is published to (rules in {@link QueueNames}).
 *
 * @param queue the queue name, trimmed and checked
 */
public record RabbitMqTarget(String queue) {

  /** Reads {@code queue_name} from the module-config, else from the entry; throws ConfigException. */
  public static RabbitMqTarget fromConfig(JsonObject moduleConfig, JsonObject entry) {
    return new RabbitMqTarget(QueueNames.resolve(moduleConfig, entry));
  }
}
