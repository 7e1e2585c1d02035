package io.cwm.module.sqs;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleType;
import io.cwm.module.aws.AwsConnection;
import io.cwm.module.aws.AwsSdk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code aws_sqs} module (modules.md §3.14): one SendMessage per webhook to the queue of
 * {@link SqsTarget} (by {@code queue_url}, or by {@code queue_name} through GetQueueUrl), the body
 * and String message attributes of {@link SqsMessage}. A call succeeds once SQS has answered
 * SendMessage with a message id, i.e. SQS stored the message.
 *
 * <p>One AWS SDK v2 {@code SqsAsyncClient} per named connection, created on first use and reused
 * ({@link SqsLink}; a changed connection gets a new client, the old one closes after its calls,
 * all close on stop). Connection keys ({@link AwsConnection}): {@code region_name}, else
 * {@code region} (default us-east-1), the two AWS keys (else the default chain),
 * {@code endpoint_url} (ElasticMQ, LocalStack; connection host rules). A webhook without
 * {@code connection} uses the defaults. The SDK's Netty threads and timer thread are shared by
 * this verticle's clients ({@link AwsSdk}, as for {@code s3}).
 *
 * <p>Failures typed by {@link SqsFailures}: unreachable, timeouts, throttling and 5xx retryable;
 * missing queue (without {@code create_queue}), access denied, invalid parameters and a message
 * over SQS's size limit permanent.
 */
public final class SqsModuleVerticle extends LinkedModuleVerticle<SqsTarget, SqsLink> {
  /** The module's registry name (event-bus address {@code cwm.module.aws_sqs}). */
  public static final String NAME = "aws_sqs";
  /** The module as the catalogue sees it; its target is the checked {@link SqsTarget}. */
  public static final ModuleType<SqsTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> SqsTarget.fromConfig(moduleConfig), SqsModuleVerticle::new);
  /** The connection keys of the region: Python reads {@code region_name}, its examples write {@code region}. */
  static final String[] REGION_KEYS = {"region_name", "region"};

  private static final Logger LOG = LoggerFactory.getLogger(SqsModuleVerticle.class);
  /** Links key of webhooks without a connection (a NUL cannot start a usable connection name). */
  private static final String NO_CONNECTION = "\0(none)";

  private final AtomicInteger clientsCreated = new AtomicInteger();
  private final AtomicInteger clientsOpen = new AtomicInteger();
  private final AwsSdk sdk = new AwsSdk("cwm-sqs-sdk-timer");

  public SqsModuleVerticle(Env env) {
    super(NAME, SqsTarget.class, NO_CONNECTION, env);
  }

  @Override
  protected ModuleFailure configFailure(ModuleCall call, ConfigException refused) {
    LOG.warn("[module: aws_sqs, webhook_id: {}] config invalid: {} {}", call.webhookId(), refused.key(),
        refused.getMessage());
    return new ModuleFailure(Category.CONFIG, "aws_sqs config invalid: " + refused.key());
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, SqsTarget target, SqsLink link) {
    SqsMessage message = SqsMessage.of(call.payload(), call.headers());
    if (message.droppedHeaders() > 0) {
      LOG.debug("[module: aws_sqs, webhook_id: {}] {} header(s) not sent as attributes (SQS rules or the limit of {})",
          call.webhookId(), message.droppedHeaders(), SqsMessage.MAX_ATTRIBUTES);
    }
    return link.send(target, message, call.webhookId())
        .onSuccess(id -> LOG.debug("[module: aws_sqs, webhook_id: {}] sent to {} as {}", call.webhookId(),
            target.queueName(), id))
        .onFailure(failure -> LOG.warn("[module: aws_sqs, webhook_id: {}, connection: {}] send failed: {} ({})",
            call.webhookId(), call.connectionName(), failure.getMessage(), ModuleFailure.from(failure).category()))
        .mapEmpty();
  }

  /** A client that failed to start (no credentials found, ...) is not reused: the next call builds a new one. */
  @Override
  protected SqsLink newLink(String name, JsonObject connection) {
    AwsConnection parsed = AwsConnection.from(connection, env, REGION_KEYS);
    sdk.start();
    SqsLink created = new SqsLink(vertx, name, connection, parsed, sdk, clientsOpen::decrementAndGet);
    clientsCreated.incrementAndGet();
    clientsOpen.incrementAndGet();
    return created;
  }

  /** How many SQS clients this verticle has built (tests: one per connection, reused). */
  int clientsCreated() {
    return clientsCreated.get();
  }

  /** Clients not closed yet, current and retiring. */
  int openClients() {
    return clientsOpen.get();
  }

  @Override
  protected Future<Void> stopModule() {
    return super.stopModule().eventually(() -> sdk.stop(vertx)).otherwiseEmpty();
  }
}
