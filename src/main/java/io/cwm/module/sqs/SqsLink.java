package io.cwm.module.sqs;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.aws.AwsClient;
import io.cwm.module.aws.AwsConnection;
import io.cwm.module.aws.AwsSdk;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * One {@link SqsAsyncClient} for one named connection, shared by every call that uses it, built
 * and closed off the event loop ({@link AwsClient}) with the bounds and shared threads of
 * {@link AwsSdk} (the same as the {@code s3} module's). Queue names are resolved to URLs with
 * GetQueueUrl once per link and cached; a queue that turns out missing is looked up again on the
 * next call. With {@code create_queue} a missing queue is created (CreateQueue with SQS's
 * defaults; {@code FifoQueue=true} for a {@code .fifo} name). SendMessage is started on the
 * SDK's Netty loops (the SDK marshals and signs on the calling thread) and completes there;
 * results are handed back to the verticle's context.
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class SqsLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(SqsLink.class);
  /** SQS's largest message (body and attributes), since August 2025; a queue may set a lower one. */
  static final int MAX_MESSAGE_BYTES = 1_048_576;
  private static final Pattern GROUP_ID = Pattern.compile("^[A-Za-z0-9_.-]{1,128}$");

  private final Vertx vertx;
  private final String name;
  private final AwsConnection settings;
  private final AwsClient<SqsAsyncClient> client;
  private final Runnable onClose;
  private final Map<String, Future<String>> queueUrls = new HashMap<>();
  private final Executor callExecutor;

  SqsLink(Vertx vertx, String name, JsonObject connection, AwsConnection settings, AwsSdk sdk, Runnable onClose) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.settings = settings;
    this.onClose = onClose;
    this.callExecutor = sdk.callExecutor();
    this.client = new AwsClient<>(vertx, SqsFailures.SERVICE, name, settings,
        credentials -> sdk.configure(SqsAsyncClient.builder(), settings, credentials).build(),
        failure -> SqsFailures.classify(failure).getMessage());
  }

  @Override
  protected boolean reusable() {
    return !client.failedToStart();
  }

  /** SendMessage; completes on the caller's context with the message id or a typed ModuleFailure. */
  Future<String> send(SqsTarget target, SqsMessage message, String webhookId) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "SQS client is closed"));
    }
    ModuleFailure refused = refusal(target, message);
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    Context context = vertx.getOrCreateContext();
    return counted(() -> client.client().compose(sqs -> queueUrl(sqs, target, context).compose(url -> {
      SendMessageRequest.Builder request = SendMessageRequest.builder()
          .queueUrl(url)
          .messageBody(message.body())
          .messageAttributes(message.attributes());
      if (target.fifo()) {
        String group = target.messageGroupId() != null ? target.messageGroupId()
            : webhookId != null && GROUP_ID.matcher(webhookId).matches() ? webhookId : "cwm";
        request.messageGroupId(group).messageDeduplicationId(UUID.randomUUID().toString());
      }
      SendMessageRequest built = request.build();
      // the SDK prepares and signs the request on the calling thread: on its own loops, not the verticle's
      return Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> sqs.sendMessage(built), callExecutor)
          .thenCompose(sent -> sent), context);
    })).map(response -> response.messageId())
        .recover(failure -> {
          LOG.debug("[connection: {}] SQS call failed", name, failure);
          ModuleFailure typed = SqsFailures.classify(failure);
          if (SqsFailures.noQueue(typed) && target.queueUrl() == null) {
            queueUrls.remove(target.queueName());
          }
          return Future.failedFuture(typed);
        }));
  }

  /** Why the message cannot be sent to the target over this connection at all, or null. */
  private ModuleFailure refusal(SqsTarget target, SqsMessage message) {
    if (target.queueUrl() != null && settings.endpoint() == null) {
      if (target.urlRegion() == null) {
        return new ModuleFailure(Category.CONFIG,
            "sqs queue_url is not an AWS SQS URL: its connection needs endpoint_url");
      }
      if (!target.urlRegion().equals(settings.region())) {
        return new ModuleFailure(Category.CONFIG, "sqs queue_url is in region " + target.urlRegion()
            + " but its connection's region is " + settings.region() + " (set region_name)");
      }
    }
    if (message.size() > MAX_MESSAGE_BYTES) {
      return new ModuleFailure(Category.VALIDATION, "message of " + message.size()
          + " bytes is over SQS's limit of " + MAX_MESSAGE_BYTES + " bytes");
    }
    return null;
  }

  private Future<String> queueUrl(SqsAsyncClient sqs, SqsTarget target, Context context) {
    if (target.queueUrl() != null) {
      return Future.succeededFuture(target.queueUrl());
    }
    String queue = target.queueName();
    Future<String> known = queueUrls.get(queue);
    if (known != null && !known.failed()) {
      return known;
    }
    Future<String> lookup = Future.fromCompletionStage(sqs.getQueueUrl(request -> request.queueName(queue)), context)
        .map(response -> response.queueUrl())
        .recover(failure -> {
          ModuleFailure typed = SqsFailures.classify(failure);
          if (!SqsFailures.noQueue(typed)) {
            return Future.failedFuture(typed);
          }
          if (!target.createQueue()) {
            return Future.failedFuture(new ModuleFailure(Category.CONFIG,
                SqsFailures.NO_QUEUE_MESSAGE + " (set create_queue: true to create it)"));
          }
          LOG.info("[connection: {}] creating SQS queue {}", name, queue);
          Map<QueueAttributeName, String> attributes = target.fifo()
              ? Map.of(QueueAttributeName.FIFO_QUEUE, "true") : Map.of();
          return Future.fromCompletionStage(sqs.createQueue(request -> request.queueName(queue)
              .attributes(attributes)), context).map(created -> created.queueUrl());
        });
    queueUrls.put(queue, lookup);
    return lookup;
  }

  @Override
  protected Future<Void> release() {
    onClose.run();
    return client.close();
  }
}
