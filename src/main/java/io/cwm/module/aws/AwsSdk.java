package io.cwm.module.aws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;

/**
 * The AWS SDK v2 async clients' common set-up, shared by the {@code s3} and {@code aws_sqs}
 * modules: one per module verticle, it owns the Netty event loops ({@value #EVENT_LOOP_THREADS})
 * and the timer thread that all of that verticle's clients share (started with the first client,
 * stopped on undeploy), and configures a client builder the same way for both services:
 *
 * <ul>
 *   <li>region and credentials from the {@link AwsConnection} (static keys, or the default chain
 *       whose first lookup runs on the worker that builds the client, with later refreshes off
 *       the calling thread), {@code endpoint_url} as the endpoint override;
 *   <li>bounds: connect 5 s, one attempt 10 s, the whole call 30 s, at most 2 attempts (the
 *       SDK's standard retry once, with its backoff: the receiver's retry policy and the
 *       connector retry a failure reported as retryable), up to {@value #MAX_CONCURRENCY}
 *       connections per client;
 *   <li>futures complete on the SDK's Netty thread (the module hands the result back to its
 *       verticle's context).
 * </ul>
 */
public final class AwsSdk {
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  public static final int MAX_ATTEMPTS = 2;
  public static final int MAX_CONCURRENCY = 64;
  static final int EVENT_LOOP_THREADS = 2;

  private final String timerThreadName;
  private SdkEventLoopGroup eventLoops;
  private ScheduledExecutorService scheduler;

  /** @param timerThreadName the name of the timer thread ({@code cwm-s3-sdk-timer}) */
  public AwsSdk(String timerThreadName) {
    this.timerThreadName = timerThreadName;
  }

  /** Starts the shared threads if they are not running (called before each new client). */
  public synchronized void start() {
    if (eventLoops == null) {
      eventLoops = SdkEventLoopGroup.builder().numberOfThreads(EVENT_LOOP_THREADS).build();
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, timerThreadName);
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true);
      scheduler = timer;
    }
  }

  /** Stops the shared threads (after every client closed), off the event loop. */
  public Future<Void> stop(Vertx vertx) {
    SdkEventLoopGroup loops;
    ScheduledExecutorService timer;
    synchronized (this) {
      loops = eventLoops;
      timer = scheduler;
      eventLoops = null;
      scheduler = null;
    }
    if (loops == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      timer.shutdownNow();
      loops.eventLoopGroup().shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      return null;
    }, false);
  }

  /**
   * Where a module starts SDK calls instead of its event loop: the SDK prepares a request
   * (interceptors, marshalling, checksums, SigV4 signing, the connection pool's acquire) on the
   * calling thread. The shared Netty loops; {@link #start()} must have run.
   */
  public synchronized java.util.concurrent.Executor callExecutor() {
    if (eventLoops == null) {
      throw new IllegalStateException("AWS SDK threads are not started");
    }
    return eventLoops.eventLoopGroup();
  }

  /**
   * The credentials of a connection: static keys, or the default chain after its first lookup.
   * Blocks (profile files, the instance metadata service): call on a worker. A default chain
   * returned is {@link AutoCloseable} (its refresh thread) and closed with the client.
   */
  public static AwsCredentialsProvider credentials(AwsConnection settings) {
    if (settings.staticCredentials()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
    }
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder()
        .asyncCredentialUpdateEnabled(true) // refreshes off the calling thread
        .build();
    try {
      chain.resolveCredentials(); // the first lookup blocks: do it here, on a worker
    } catch (RuntimeException e) {
      chain.close();
      throw e;
    }
    return chain;
  }

  /**
   * Configures a client builder of any service with the shared threads, the bounds above, the
   * region, the credentials and the endpoint override. {@link #start()} must have run.
   */
  public <B extends AwsClientBuilder<B, C> & SdkAsyncClientBuilder<B, C>, C> B configure(B builder,
      AwsConnection settings, AwsCredentialsProvider credentials) {
    SdkEventLoopGroup loops;
    ScheduledExecutorService timer;
    synchronized (this) {
      loops = eventLoops;
      timer = scheduler;
    }
    if (loops == null) {
      throw new IllegalStateException("AWS SDK threads are not started");
    }
    builder.region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(loops)
            .connectionTimeout(CONNECT_TIMEOUT)
            .connectionAcquisitionTimeout(CALL_TIMEOUT)
            .maxConcurrency(MAX_CONCURRENCY))
        .asyncConfiguration(async -> async.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
            Runnable::run))
        .overrideConfiguration(override -> override
            .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
            .apiCallTimeout(CALL_TIMEOUT)
            .scheduledExecutorService(timer)
            .retryStrategy(retry -> retry.maxAttempts(MAX_ATTEMPTS)));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder;
  }
}
