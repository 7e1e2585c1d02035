package io.cwm.connector.http;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Deliverer;
import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.cwm.connector.Target;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test data: configs, targets and deliveries. */
final class Deliveries {
  private Deliveries() {}

  /** A POST target with no headers, 10 s timeout, one attempt. */
  static Target target(String url) {
    return new Target(url, "POST", Map.of(), 10, false, 1, 0.05, 2);
  }

  static Target retrying(String url, int attempts, double delaySeconds) {
    return new Target(url, "POST", Map.of(), 10, true, attempts, delaySeconds, 2);
  }

  static ConnectorConfig config(Target defaultTarget, boolean allowPrivateTargets) {
    return config(defaultTarget, Map.of(), allowPrivateTargets, true, null, null, null);
  }

  static ConnectorConfig config(Target defaultTarget, Map<String, Target> targets, boolean allowPrivateTargets,
      boolean verifySsl, String caCertPath, String clientCertPath, String clientKeyPath) {
    return new ConnectorConfig("test", "http://127.0.0.1:1", "test-channel", "token", ConnectorConfig.WEBSOCKET,
        1, 60, 2, 60, 30, 10, 30, null, defaultTarget, targets, null, null, verifySsl, caCertPath, clientCertPath,
        clientKeyPath, "INFO", 0, allowPrivateTargets, 10,
        ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES);
  }

  static Delivery delivery(Object payload) {
    return new Delivery("msg_0123456789abcdef", "relay_a", new JsonObject(), payload, 0);
  }

  static Delivery delivery(String webhookId, JsonObject headers, Object payload) {
    return new Delivery("msg_0123456789abcdef", webhookId, headers, payload, 0);
  }

  static Map<String, String> ordered(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  /** Delivers and waits (with a deadline) for the outcome. */
  static Outcome await(Deliverer deliverer, Delivery delivery) throws Exception {
    return deliverer.deliver(delivery).await(30, TimeUnit.SECONDS);
  }
}
