package io.cwm.module.rabbitmq;

import com.rabbitmq.client.AMQP;
import io.cwm.config.Coerce;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code rabbitmq} module (modules.md §3.4): publishes each webhook to a durable queue via the
 * default exchange, persistent (delivery mode 2), the request headers as the AMQP headers table,
 * and succeeds only after the broker's publisher confirm. One {@link RabbitMqLink} per named
 * connection, created on first use and closed on stop; a changed connection gets a new link and
 * the old one closes when its calls have finished.
 */
public final class RabbitMqModuleVerticle extends LinkedModuleVerticle<RabbitMqTarget, RabbitMqLink> {
  /** The module's registry name (event-bus address {@code cwm.module.rabbitmq}). */
  public static final String NAME = "rabbitmq";
  /** The module as the catalogue sees it. Its target is the {@link RabbitMqTarget} queue. */
  public static final ModuleType<RabbitMqTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> RabbitMqTarget.fromConfig(moduleConfig, entry),
      RabbitMqModuleVerticle::new);

  static final String JSON = "application/json";
  static final String BYTES = "application/octet-stream";
  private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

  public RabbitMqModuleVerticle(Env env) {
    super(NAME, RabbitMqTarget.class, null, env);
  }

  @Override
  protected RabbitMqLink newLink(String name, JsonObject connection) {
    // The type is not matched against the module, so the host rules of a rabbitmq connection are
    // applied here whatever type the entry declares.
    ConnectionRules.check(connection.copy().put("type", "rabbitmq"), env);
    String host = Coerce.string(connection, "host", "").trim();
    int port = (int) Coerce.integer(connection, "port", 5672, 1, 65535);
    String user = Coerce.string(connection, "user", "guest");
    String password = Coerce.string(connection, "pass", "guest");
    return new RabbitMqLink(vertx, name, connection, RabbitMqLink.options(host, port, user, password),
        CONFIRM_TIMEOUT_MILLIS);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, RabbitMqTarget target, RabbitMqLink link) {
    boolean blob = call.payload() instanceof Buffer;
    Buffer body = blob ? (Buffer) call.payload() : Json.encodeToBuffer(call.payload());
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .deliveryMode(2)
        .contentType(blob ? BYTES : JSON)
        .headers(new HashMap<>(call.headers() == null ? Map.of() : call.headers()))
        .build();
    return link.publish(target.queue(), properties, body);
  }
}
