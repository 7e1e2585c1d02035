package io.cwm.module;

import io.cwm.bus.Addresses;
import io.cwm.config.ConfigException;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every output module verticle: listens on {@code cwm.module.<name>} for
 * {@link ModuleCall}s, hands {@link #deliver} the call with its target (parsed at load by the
 * module's {@link ModuleType}) and replies with nothing on success or a typed
 * {@link ModuleFailure}: a call without a target of the module's type and a ConfigException met
 * while delivering (a connection the module refuses) are CONFIG, anything unexpected INTERNAL.
 * Subclasses own their clients (open in {@link #startModule}, close in {@link #stopModule}).
 *
 * @param <T> the module's target type
 */
public abstract class ModuleVerticle<T> extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleVerticle.class);
  private final String moduleName;
  private final Class<T> targetType;
  private MessageConsumer<ModuleCall> consumer;

  /**
   * @param moduleName the registry name this verticle serves
   * @param targetType the class of the targets its calls carry
   */
  protected ModuleVerticle(String moduleName, Class<T> targetType) {
    this.moduleName = moduleName;
    this.targetType = targetType;
  }

  /** The registry name this verticle serves. */
  protected final String moduleName() {
    return moduleName;
  }

  /** Runs one delivery to {@code target}; fails with a ModuleFailure (anything else counts as INTERNAL). */
  protected abstract Future<Void> deliver(ModuleCall call, T target);

  /** The failure for a ConfigException thrown by {@link #deliver}: {@code <module> <key> <message>}. */
  protected ModuleFailure configFailure(ModuleCall call, ConfigException refused) {
    return new ModuleFailure(Category.CONFIG, moduleName + " " + refused.key() + " " + refused.getMessage());
  }

  protected Future<Void> startModule() {
    return Future.succeededFuture();
  }

  protected Future<Void> stopModule() {
    return Future.succeededFuture();
  }

  @Override
  public Future<?> start() {
    return startModule().compose(started -> {
      consumer = vertx.eventBus().localConsumer(Addresses.module(moduleName), this::onCall);
      return consumer.completion();
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered.compose(done -> stopModule());
  }

  private void onCall(Message<ModuleCall> message) {
    ModuleCall call = message.body();
    Future<Void> outcome;
    try {
      outcome = deliver(call, target(call));
    } catch (ConfigException refused) {
      outcome = Future.failedFuture(configFailure(call, refused));
    } catch (RuntimeException unexpected) {
      outcome = Future.failedFuture(unexpected);
    }
    outcome.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(null);
        return;
      }
      Throwable cause = done.cause();
      ModuleFailure failure = cause instanceof ModuleFailure typed ? typed
          : new ModuleFailure(Category.INTERNAL, "module failed");
      if (!(cause instanceof ModuleFailure)) {
        LOG.error("[module: {}, webhook_id: {}] unexpected failure: {}", moduleName, call.webhookId(),
            cause.getClass().getName());
      }
      message.fail(failure.category().ordinal(), failure.getMessage());
    });
  }

  private T target(ModuleCall call) {
    if (!targetType.isInstance(call.target())) {
      LOG.error("[module: {}, webhook_id: {}] call without a {} target", moduleName, call.webhookId(),
          targetType.getSimpleName());
      throw new ModuleFailure(Category.CONFIG, moduleName + " call carries no target of this module");
    }
    return targetType.cast(call.target());
  }
}
