package io.cwm.module.s3;

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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * One {@link S3AsyncClient} for one named connection, shared by every call that uses it, built
 * and closed off the event loop ({@link AwsClient}) with the bounds and shared threads of
 * {@link AwsSdk}; {@code endpoint_url} is used with path-style addressing. The SDK completes on
 * its Netty threads; the result is handed back to the verticle's context.
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class S3Link extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(S3Link.class);

  private final Vertx vertx;
  private final String name;
  private final AwsClient<S3AsyncClient> client;
  private final Runnable onClose;

  S3Link(Vertx vertx, String name, JsonObject connection, AwsConnection settings, AwsSdk sdk, Runnable onClose) {
    super(connection);
    this.vertx = vertx;
    this.onClose = onClose;
    this.name = name;
    this.client = new AwsClient<>(vertx, "S3", name, settings, credentials -> {
      var builder = sdk.configure(S3AsyncClient.builder(), settings, credentials);
      if (settings.endpoint() != null) {
        builder.forcePathStyle(true);
      }
      return builder.build();
    }, failure -> S3Failures.classify(failure).getMessage());
  }

  /** True when building the client failed (no credentials found, ...): the next call builds a new one. */
  boolean failedToStart() {
    return client.failedToStart();
  }

  @Override
  protected boolean reusable() {
    return !failedToStart();
  }

  /** PutObject; completes on the caller's context with nothing or a typed ModuleFailure. */
  Future<Void> put(String bucket, String key, byte[] body, String contentType, Map<String, String> metadata) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "S3 client is closed"));
    }
    Context context = vertx.getOrCreateContext();
    return counted(() -> client.client().compose(s3 -> {
      PutObjectRequest request = PutObjectRequest.builder()
          .bucket(bucket)
          .key(key)
          .contentType(contentType)
          .contentLength((long) body.length)
          .metadata(metadata)
          .build();
      return Future.fromCompletionStage(s3.putObject(request, AsyncRequestBody.fromBytesUnsafe(body)), context);
    }).<Void>mapEmpty()
        .recover(failure -> {
          LOG.debug("[connection: {}] S3 call failed", name, failure);
          return Future.failedFuture(S3Failures.classify(failure));
        }));
  }

  @Override
  protected Future<Void> release() {
    onClose.run();
    return client.close();
  }
}
