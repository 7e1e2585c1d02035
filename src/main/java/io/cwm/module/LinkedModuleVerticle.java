package io.cwm.module;

import io.cwm.bus.Addresses;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Base of the module verticles that keep a client per named connection of connections.json
 * (a producer, a pool, an AMQP connection): before {@link #deliver(ModuleCall, Object,
 * ConnectionLink)} runs, the call's connection is resolved to its link in
 * {@link ConnectionLinks} (built on first use, replaced after its calls in flight when the
 * connection's object changes, all closed on stop). A call without a connection shares the
 * module's default link, built from an empty connection object, or is refused (CONFIG) when the
 * module has no default. A ConfigException from {@link #newLink} fails the call as CONFIG.
 *
 * @param <T> the module's target type
 * @param <L> the module's link type
 */
public abstract class LinkedModuleVerticle<T, L extends ConnectionLink> extends ModuleVerticle<T> {
  private final ConnectionLinks<L> links = new ConnectionLinks<>();
  private final String defaultLinkName;
  private MessageConsumer<JsonObject> updates;
  /** The environment new links read (host rules such as private addresses allowed). */
  protected final Env env;

  /**
   * @param defaultLinkName the name of the link that calls without a connection share, or null
   *     when every call must name a connection
   */
  protected LinkedModuleVerticle(String moduleName, Class<T> targetType, String defaultLinkName, Env env) {
    super(moduleName, targetType);
    this.defaultLinkName = defaultLinkName;
    this.env = env;
  }

  /**
   * Builds the link of one connection (the default link gets an empty object).
   *
   * @throws ConfigException when the module refuses the connection (host rules, missing keys)
   */
  protected abstract L newLink(String name, JsonObject connection);

  /** Runs one delivery to {@code target} over {@code link}; fails with a ModuleFailure. */
  protected abstract Future<Void> deliver(ModuleCall call, T target, L link);

  /** The failure of a call that names no connection, for a module without a default link. */
  protected ModuleFailure noConnection(ModuleCall call) {
    return configFailure(call, new ConfigException("connection",
        "is required: name a connection of type " + moduleName()));
  }

  @Override
  protected final Future<Void> deliver(ModuleCall call, T target) {
    return deliver(call, target, link(call));
  }

  private L link(ModuleCall call) {
    String name = call.connectionName();
    JsonObject connection = call.connection();
    if (name == null || connection == null) {
      if (defaultLinkName == null) {
        throw noConnection(call);
      }
      name = defaultLinkName;
      connection = new JsonObject();
    }
    String linkName = name;
    JsonObject linkConnection = connection;
    return links.get(linkName, linkConnection, () -> newLink(linkName, linkConnection));
  }

  /**
   * Also listens for config reloads ({@link Addresses#CONNECTIONS_UPDATE}, the new connections by
   * name): links whose connection is gone or changed retire at once, not at this instance's next
   * call for them.
   */
  @Override
  public Future<?> start() {
    return super.start().compose(started -> {
      updates = vertx.eventBus().<JsonObject>localConsumer(Addresses.CONNECTIONS_UPDATE, update -> {
        Map<String, JsonObject> connections = new HashMap<>();
        update.body().forEach(entry -> {
          if (entry.getValue() instanceof JsonObject connection) {
            connections.put(entry.getKey(), connection);
          }
        });
        links.retireOutdated(connections, defaultLinkName);
      });
      return updates.completion();
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = updates == null ? Future.succeededFuture() : updates.unregister();
    return unregistered.transform(done -> super.stop());
  }

  /** Closes every link, current and retiring; subclasses that own more close it after this. */
  @Override
  protected Future<Void> stopModule() {
    return links.closeAll();
  }
}
