package io.cwm.module;

import io.cwm.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every output module: listens on {@code cwm.module.<name>} for {@link ModuleCall}s and
 * replies with nothing on success or a typed {@link ModuleFailure}. Subclasses implement
 * {@link #deliver} and own their clients (open in {@link #startModule}, close in
 * {@link #stopModule}).
 */
public abstract class ModuleVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleVerticle.class);
  private MessageConsumer<ModuleCall> consumer;

  /** The registry name this verticle serves. */
  protected abstract String moduleName();

  /** Runs one delivery; fails with a ModuleFailure (anything else counts as INTERNAL). */
  protected abstract Future<Void> deliver(ModuleCall call);

  protected Future<Void> startModule() {
    return Future.succeededFuture();
  }

  protected Future<Void> stopModule() {
    return Future.succeededFuture();
  }

  @Override
  public Future<?> start() {
    return startModule().compose(started -> {
      consumer = vertx.eventBus().localConsumer(Addresses.module(moduleName()), this::onCall);
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
      outcome = deliver(call);
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
          : new ModuleFailure(ModuleFailure.Category.INTERNAL, "module failed");
      if (!(cause instanceof ModuleFailure)) {
        LOG.error("[module: {}, webhook_id: {}] unexpected failure: {}", moduleName(),
            call.webhookId(), cause.getClass().getName());
      }
      message.fail(failure.category().ordinal(), failure.getMessage());
    });
  }
}
