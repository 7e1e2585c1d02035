package io.cwm.module.s3;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * One {@link S3AsyncClient} for one named connection, shared by every call that uses it. The client
 * is built on a worker thread (building it reads profile files; the default credential chain may
 * call the instance metadata service) and the default chain's first credentials are fetched there
 * too, so the event loop never waits on them.
 *
 * <p>Bounds: connect 5 s, one attempt 10 s, the whole call 30 s; at most 2 attempts (the SDK's
 * standard retry once, with its backoff), since the receiver's retry policy and the connector
 * retry a failure we report as retryable. The SDK completes on its Netty threads (completion
 * executor = the calling thread); the result is handed back to the verticle's context.
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class S3Link extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(S3Link.class);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  static final int MAX_ATTEMPTS = 2;
  static final int MAX_CONCURRENCY = 64;

  private final Vertx vertx;
  private final String name;
  private final Future<Built> client;
  private final Runnable onClose;

  S3Link(Vertx vertx, String name, JsonObject connection, S3Connection settings, SdkEventLoopGroup eventLoops,
      ScheduledExecutorService scheduler, Runnable onClose) {
    super(connection);
    this.vertx = vertx;
    this.onClose = onClose;
    this.name = name;
    this.client = vertx.executeBlocking(() -> build(settings, eventLoops, scheduler), false);
    client.onSuccess(built -> LOG.info("[connection: {}] S3 client ready ({})", name, settings))
        .onFailure(failure -> LOG.warn("[connection: {}] S3 client could not start: {}", name,
            S3Failures.classify(failure).getMessage()));
  }

  /** True when building the client failed (no credentials found, ...): the next call builds a new one. */
  boolean failedToStart() {
    return client.failed();
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
    return counted(() -> client.map(Built::s3).compose(s3 -> {
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
    return client.transform(built -> built.failed() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          built.result().s3().close();
          if (built.result().credentials() instanceof AutoCloseable closeable) {
            closeable.close(); // the default chain's refresh thread
          }
          return null;
        }, false))
        .<Void>mapEmpty()
        .onSuccess(done -> LOG.debug("[connection: {}] S3 client closed", name))
        .otherwiseEmpty();
  }

  /** The client and the credentials provider it does not own (closed with it). */
  private record Built(S3AsyncClient s3, AwsCredentialsProvider credentials) {}

  private static Built build(S3Connection settings, SdkEventLoopGroup eventLoops,
      ScheduledExecutorService scheduler) {
    AwsCredentialsProvider credentials;
    if (settings.staticCredentials()) {
      credentials = StaticCredentialsProvider.create(
          AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
    } else {
      DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder()
          .asyncCredentialUpdateEnabled(true) // refreshes off the calling thread
          .build();
      try {
        chain.resolveCredentials(); // the first lookup blocks: do it here, on a worker
      } catch (RuntimeException e) {
        chain.close();
        throw e;
      }
      credentials = chain;
    }
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(eventLoops)
            .connectionTimeout(CONNECT_TIMEOUT)
            .connectionAcquisitionTimeout(CALL_TIMEOUT)
            .maxConcurrency(MAX_CONCURRENCY))
        .asyncConfiguration(async -> async.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
            Runnable::run))
        .overrideConfiguration(override -> override
            .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
            .apiCallTimeout(CALL_TIMEOUT)
            .scheduledExecutorService(scheduler)
            .retryStrategy(retry -> retry.maxAttempts(MAX_ATTEMPTS)));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint()).forcePathStyle(true);
    }
    return new Built(builder.build(), credentials);
  }
}
