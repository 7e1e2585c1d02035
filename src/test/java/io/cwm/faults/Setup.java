package io.cwm.faults;

import io.vertx.core.json.JsonObject;

/**
 * How a run is laid out beyond the defaults: extra channel settings ({@code module-config} of
 * the relay webhook), extra connector settings (connector.json keys), how many receivers (more
 * than one: a cluster behind a balancer, Redis or RabbitMQ only) and whether the receivers reach
 * their buffer through a proxy the scenario can partition.
 */
record Setup(JsonObject channel, JsonObject connector, int receivers, boolean bufferProxy) {
  static final Setup DEFAULT = new Setup(new JsonObject(), new JsonObject(), 1, false);

  Setup channel(String key, Object value) {
    return new Setup(channel.copy().put(key, value), connector, receivers, bufferProxy);
  }

  Setup connector(String key, Object value) {
    return new Setup(channel, connector.copy().put(key, value), receivers, bufferProxy);
  }

  Setup receivers(int count) {
    return new Setup(channel, connector, count, bufferProxy);
  }

  Setup proxiedBuffer() {
    return new Setup(channel, connector, receivers, true);
  }
}
