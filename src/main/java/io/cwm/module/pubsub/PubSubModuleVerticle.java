package io.cwm.module.pubsub;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gcp_pubsub} module (modules.md §3.15): publishes each webhook to
 * {@code projects/<project_id>/topics/<topic>} with the real {@code google-cloud-pubsub} client
 * ({@link PubSubMessages}: data and attributes). A call succeeds once Pub/Sub has confirmed the
 * publish with a message id (the publish future, bounded by 10 s), i.e. Pub/Sub stored it.
 *
 * <p>One {@link PubSubLink} per named connection ({@link PubSubConnection}: {@code project_id},
 * {@code credentials_path}, an emulator by {@code endpoint} or {@code PUBSUB_EMULATOR_HOST}) with
 * one Publisher per topic, created on first use and reused; a changed connection gets new
 * clients, the old ones shut down (flushing) after their calls; all close on stop. The
 * connection is required (it names the project). The publishers' executor
 * ({@value #EXECUTOR_THREADS} threads {@code cwm-pubsub-N}) is shared by this verticle's links.
 *
 * <p>Failures typed by {@link PubSubFailures}: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED, INTERNAL retryable; NOT_FOUND (without {@code create_topic}), PERMISSION_DENIED,
 * INVALID_ARGUMENT, UNAUTHENTICATED permanent.
 */
public final class PubSubModuleVerticle extends LinkedModuleVerticle<PubSubTarget, PubSubLink> {
  /** The module's registry name (event-bus address {@code cwm.module.gcp_pubsub}). */
  public static final String NAME = "gcp_pubsub";
  /** The module as the catalogue sees it; its target is the checked {@link PubSubTarget}. */
  public static final ModuleType<PubSubTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> PubSubTarget.fromConfig(moduleConfig), PubSubModuleVerticle::new);
  static final int EXECUTOR_THREADS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(PubSubModuleVerticle.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final AtomicInteger linksCreated = new AtomicInteger();
  private final AtomicInteger linksOpen = new AtomicInteger();
  private final AtomicInteger publishersCreated = new AtomicInteger();
  private ScheduledExecutorService executor;

  public PubSubModuleVerticle(Env env) {
    super(NAME, PubSubTarget.class, null, env);
  }

  @Override
  protected ModuleFailure configFailure(ModuleCall call, ConfigException refused) {
    LOG.warn("[module: gcp_pubsub, webhook_id: {}] config invalid: {} {}", call.webhookId(), refused.key(),
        refused.getMessage());
    return new ModuleFailure(Category.CONFIG, "gcp_pubsub config invalid: " + refused.key());
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, PubSubTarget target, PubSubLink link) {
    PubSubMessages.Built built = PubSubMessages.of(call.payload(), call.headers());
    if (built.droppedHeaders() > 0) {
      LOG.debug("[module: gcp_pubsub, webhook_id: {}] {} header(s) not sent as attributes", call.webhookId(),
          built.droppedHeaders());
    }
    if (built.size() > PubSubMessages.MAX_MESSAGE_BYTES) {
      return Future.failedFuture(new ModuleFailure(Category.VALIDATION, "message of " + built.size()
          + " bytes is over Pub/Sub's limit of " + PubSubMessages.MAX_MESSAGE_BYTES + " bytes"));
    }
    return link.publish(target, built.message())
        .onSuccess(id -> LOG.debug("[module: gcp_pubsub, webhook_id: {}] published to {} as {}", call.webhookId(),
            target.topic(), id))
        .onFailure(failure -> LOG.warn("[module: gcp_pubsub, webhook_id: {}, connection: {}] publish failed: {} ({})",
            call.webhookId(), call.connectionName(), failure.getMessage(), ModuleFailure.from(failure).category()))
        .mapEmpty();
  }

  /** Clients that failed to start (credentials not found, ...) are not reused: the next call tries again. */
  @Override
  protected PubSubLink newLink(String name, JsonObject connection) {
    PubSubConnection parsed = PubSubConnection.from(connection, env);
    if (executor == null) {
      ScheduledThreadPoolExecutor threads = new ScheduledThreadPoolExecutor(EXECUTOR_THREADS, runnable -> {
        Thread thread = new Thread(runnable, "cwm-pubsub-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      threads.setRemoveOnCancelPolicy(true);
      executor = threads;
    }
    linksCreated.incrementAndGet();
    linksOpen.incrementAndGet();
    return new PubSubLink(vertx, name, connection, parsed, executor, linksOpen::decrementAndGet,
        publishersCreated::incrementAndGet);
  }

  /** How many connection links this verticle has built (tests: one per connection, reused). */
  int linksCreated() {
    return linksCreated.get();
  }

  /** How many Publishers (one per connection and topic) this verticle has built. */
  int publishersCreated() {
    return publishersCreated.get();
  }

  /** Links not closed yet, current and retiring. */
  int openLinks() {
    return linksOpen.get();
  }

  @Override
  protected Future<Void> stopModule() {
    return super.stopModule().eventually(() -> {
      if (executor != null) {
        executor.shutdownNow();
        executor = null;
      }
      return Future.succeededFuture();
    }).otherwiseEmpty();
  }
}
