package io.cwm.module.aws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One AWS SDK client of a named connection, built on a worker thread (building reads profile
 * files; the default credential chain may call the instance metadata service) so the event loop
 * never waits on it, and closed there too, with the default chain's refresh thread.
 *
 * @param <C> the client type ({@code S3AsyncClient}, {@code SqsAsyncClient})
 */
public final class AwsClient<C extends SdkAutoCloseable> {
  private static final Logger LOG = LoggerFactory.getLogger(AwsClient.class);

  private final Vertx vertx;
  private final String service;
  private final String connectionName;
  private final Future<Built<C>> built;

  /**
   * Starts building the client.
   *
   * @param service the name in log lines ("S3", "SQS")
   * @param build makes the client from the connection's credentials (runs on a worker)
   * @param describe types a failure to build, for the log line
   */
  public AwsClient(Vertx vertx, String service, String connectionName, AwsConnection settings,
      Function<AwsCredentialsProvider, C> build, Function<Throwable, String> describe) {
    this.vertx = vertx;
    this.service = service;
    this.connectionName = connectionName;
    this.built = vertx.executeBlocking(() -> {
      AwsCredentialsProvider credentials = AwsSdk.credentials(settings);
      try {
        return new Built<>(build.apply(credentials), credentials);
      } catch (RuntimeException e) {
        if (credentials instanceof AutoCloseable closeable) {
          closeable.close();
        }
        throw e;
      }
    }, false);
    built.onSuccess(client -> LOG.info("[connection: {}] {} client ready ({})", connectionName, service, settings))
        .onFailure(failure -> LOG.warn("[connection: {}] {} client could not start: {}", connectionName, service,
            describe.apply(failure)));
  }

  /** The client once built (fails when it could not be built). */
  public Future<C> client() {
    return built.map(Built::client);
  }

  /** True when building the client failed (no credentials found, ...): the link is not reused. */
  public boolean failedToStart() {
    return built.failed();
  }

  /** Closes the client and the credentials provider it does not own, off the event loop. */
  public Future<Void> close() {
    return built.transform(done -> done.failed() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          done.result().client().close();
          if (done.result().credentials() instanceof AutoCloseable closeable) {
            closeable.close(); // the default chain's refresh thread
          }
          return null;
        }, false))
        .<Void>mapEmpty()
        .onSuccess(closed -> LOG.debug("[connection: {}] {} client closed", connectionName, service))
        .otherwiseEmpty();
  }

  private record Built<C>(C client, AwsCredentialsProvider credentials) {}
}
