package io.cwm.module.mqtt;

import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The {@code mqtt} module (modules.md §3.11): publishes each webhook to one topic of an MQTT
 * broker and succeeds when the protocol confirms it: QoS 1 (the default) on the broker's PUBACK,
 * QoS 2 on its PUBCOMP, QoS 0 once the packet is written (QoS 0 carries no confirmation).
 *
 * <ul>
 *   <li>Topic, QoS, retain, format and the Shelly / Tasmota layouts: {@link MqttTarget}, checked
 *       at load; the bytes: {@link MqttMessages} (a blob is published as its raw bytes).
 *   <li>Connection: {@link MqttConnection}, checked at load for every connection a webhook uses
 *       with this module (an unsupported {@code mqtt_version} keeps the receiver from starting).
 *       A call without a connection uses the defaults ({@code localhost:1883}, which the host
 *       rules refuse unless {@code ALLOW_LOCALHOST_FOR_TESTS=true}).
 *   <li>One broker connection per named connection ({@link MqttLink}), opened on first use and
 *       again on demand after a close; a changed connection object gets a new one and the old
 *       one closes after its calls in flight; all close on stop.
 *   <li>Failures ({@link MqttFailures}): broker unreachable, closed or not acknowledging in time
 *       are retryable (503 + Retry-After); refused credentials, client id or TLS certificate are
 *       not (500).
 * </ul>
 */
public final class MqttModuleVerticle extends LinkedModuleVerticle<MqttTarget, MqttLink> {
  /** The module's registry name (event-bus address {@code cwm.module.mqtt}). */
  public static final String NAME = "mqtt";
  /** The module as the catalogue sees it: target {@link MqttTarget}, connections checked by {@link MqttConnection}. */
  public static final ModuleType<MqttTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> MqttTarget.resolve(moduleConfig, entry),
      (connection, env) -> MqttConnection.from(connection, env), MqttModuleVerticle::new);

  /** Link key of calls that name no connection (a NUL cannot start a usable connection name). */
  static final String NO_CONNECTION = "\0(none)";

  public MqttModuleVerticle(Env env) {
    super(NAME, MqttTarget.class, NO_CONNECTION, env);
  }

  @Override
  protected MqttLink newLink(String name, JsonObject connection) {
    return new MqttLink(vertx, name, connection, MqttConnection.from(connection, env));
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, MqttTarget target, MqttLink link) {
    return link.publish(target.topic(), MqttMessages.encode(target, call.payload()), target.qos(), target.retained());
  }
}
