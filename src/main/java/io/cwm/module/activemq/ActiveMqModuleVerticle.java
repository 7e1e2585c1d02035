package io.cwm.module.activemq;

import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The {@code activemq} module (modules.md §3.13): a STOMP SEND of each webhook to
 * {@code /queue/<destination>} or {@code /topic/<destination>}, persistent, with the request
 * headers as STOMP headers ({@link StompMessage}), completed only when the broker's RECEIPT
 * arrives. One {@link ActiveMqLink} (one STOMP connection) per named connection, created on first
 * use and closed on stop; a changed connection gets a new link and the old one closes when its
 * calls have finished. Python opens a connection per webhook and never waits for the broker.
 */
public final class ActiveMqModuleVerticle extends LinkedModuleVerticle<ActiveMqTarget, ActiveMqLink> {
  /** The module's registry name (event-bus address {@code cwm.module.activemq}). */
  public static final String NAME = "activemq";
  /** The module as the catalogue sees it. Its target is the checked {@link ActiveMqTarget}. */
  public static final ModuleType<ActiveMqTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> ActiveMqTarget.fromConfig(moduleConfig),
      ActiveMqModuleVerticle::new);

  static final long RECEIPT_TIMEOUT_MILLIS = 10_000;

  public ActiveMqModuleVerticle(Env env) {
    super(NAME, ActiveMqTarget.class, null, env);
  }

  @Override
  protected ActiveMqLink newLink(String name, JsonObject connection) {
    return new ActiveMqLink(vertx, name, connection, ActiveMqConnection.from(connection, env), RECEIPT_TIMEOUT_MILLIS);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, ActiveMqTarget target, ActiveMqLink link) {
    Object payload = call.payload();
    return link.send(StompMessage.headers(call.headers(), target.stompDestination(), payload),
        StompMessage.body(payload));
  }
}
