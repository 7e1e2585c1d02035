package io.cwm.module.pubsub;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.FixedExecutorProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.cloud.pubsub.v1.stub.PublisherStubSettings;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import com.google.pubsub.v1.TopicName;
import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pub/Sub clients of one named connection: its credentials (a service-account file, the
 * application-default ones, or none for an emulator), one {@link Publisher} per topic (created on
 * first use, reused), and a TopicAdminClient only if a topic has to be created. Everything that
 * can block (credentials, building clients, shutting them down) runs on a worker; publishing is
 * asynchronous, its callback handed back to the verticle's context.
 *
 * <p>Publisher settings: batches of up to 100 messages or 1 MB, sent after at most 1 ms (low
 * latency, batching only what arrives together); publish RPC retried by the client on transient
 * codes for at most {@value #PUBLISH_TIMEOUT_MS} ms in all (3 attempts, 100 ms–1 s apart, each
 * RPC with a deadline within that total), so a publish that Pub/Sub has not confirmed within
 * {@value #PUBLISH_TIMEOUT_MS} ms (the spec's 10 s) fails DEADLINE_EXCEEDED (TIMEOUT). An emulator is reached over one plaintext gRPC channel per connection,
 * shared by its publishers; after UNAVAILABLE its reconnect back-off is reset so that a returning
 * server is used on the next call. Publishers to Google share the executor of the verticle and
 * have their own channels (the client's default).
 *
 * <p>Used from the owning verticle's event loop only.
 */
final class PubSubLink extends ConnectionLink {
  private static final Logger LOG = LoggerFactory.getLogger(PubSubLink.class);
  static final long PUBLISH_TIMEOUT_MS = 10_000;
  static final BatchingSettings BATCHING = BatchingSettings.newBuilder()
      .setElementCountThreshold(100L)
      .setRequestByteThreshold(1_000_000L)
      .setDelayThresholdDuration(Duration.ofMillis(1))
      .build();
  static final RetrySettings RETRY = RetrySettings.newBuilder()
      .setTotalTimeoutDuration(Duration.ofMillis(PUBLISH_TIMEOUT_MS))
      .setInitialRpcTimeoutDuration(Duration.ofMillis(PUBLISH_TIMEOUT_MS))
      .setMaxRpcTimeoutDuration(Duration.ofMillis(PUBLISH_TIMEOUT_MS))
      .setRpcTimeoutMultiplier(1.0)
      .setInitialRetryDelayDuration(Duration.ofMillis(100))
      .setRetryDelayMultiplier(2.0)
      .setMaxRetryDelayDuration(Duration.ofSeconds(1))
      .setMaxAttempts(3)
      .build();

  private final Vertx vertx;
  private final String name;
  private final PubSubConnection settings;
  private final ScheduledExecutorService executor;
  private final Runnable onClose;
  private final Runnable onPublisher;
  private final Future<Clients> clients;
  private final Map<String, Future<Publisher>> publishers = new HashMap<>();
  private Future<TopicAdminClient> admin;

  PubSubLink(Vertx vertx, String name, JsonObject connection, PubSubConnection settings,
      ScheduledExecutorService executor, Runnable onClose, Runnable onPublisher) {
    super(connection);
    this.onPublisher = onPublisher;
    this.vertx = vertx;
    this.name = name;
    this.settings = settings;
    this.executor = executor;
    this.onClose = onClose;
    this.clients = vertx.executeBlocking(() -> clients(settings), false);
    clients.onSuccess(ready -> LOG.info("[connection: {}] Pub/Sub client ready ({})", name, settings.emulator() != null
            ? "emulator, plaintext" : settings.credentialsPath() != null ? "service-account file" : "default credentials"))
        .onFailure(failure -> LOG.warn("[connection: {}] Pub/Sub client could not start: {}", name,
            PubSubFailures.classify(failure).getMessage()));
  }

  @Override
  protected boolean reusable() {
    return !clients.failed();
  }

  /** Publishes one message; completes on the caller's context with the message id or a typed ModuleFailure. */
  Future<String> publish(PubSubTarget target, PubsubMessage message) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.CONNECTION, "Pub/Sub client is closed"));
    }
    Context context = vertx.getOrCreateContext();
    return counted(() -> clients.compose(ready -> publisher(ready, target.topic()))
        .compose(publisher -> publishOnce(publisher, message, context))
        .recover(failure -> {
          ModuleFailure typed = PubSubFailures.classify(failure);
          if (PubSubFailures.noTopic(typed) && target.createTopic()) {
            return createTopic(target.topic(), context)
                .compose(created -> publisher(clients.result(), target.topic()))
                .compose(publisher -> publishOnce(publisher, message, context))
                .recover(again -> Future.failedFuture(PubSubFailures.classify(again)));
          }
          if (typed.category() == Category.CONNECTION && clients.succeeded() && clients.result().channel() != null) {
            clients.result().channel().resetConnectBackoff();
          }
          LOG.debug("[connection: {}] Pub/Sub publish failed", name, failure);
          return Future.failedFuture(typed);
        }));
  }

  /** One publish; the client's retry settings bound it to {@value #PUBLISH_TIMEOUT_MS} ms (DEADLINE_EXCEEDED after). */
  private Future<String> publishOnce(Publisher publisher, PubsubMessage message, Context context) {
    Promise<String> outcome = Promise.promise();
    ApiFutures.addCallback(publisher.publish(message), new ApiFutureCallback<>() {
      @Override
      public void onFailure(Throwable failure) {
        context.runOnContext(back -> outcome.fail(failure));
      }

      @Override
      public void onSuccess(String messageId) {
        context.runOnContext(back -> outcome.complete(messageId));
      }
    }, MoreExecutors.directExecutor());
    return outcome.future();
  }

  private Future<Publisher> publisher(Clients ready, String topic) {
    Future<Publisher> known = publishers.get(topic);
    if (known != null && !known.failed()) {
      return known;
    }
    Future<Publisher> built = vertx.executeBlocking(() -> {
      Publisher.Builder builder = Publisher.newBuilder(TopicName.of(settings.projectId(), topic))
          .setCredentialsProvider(ready.credentials())
          .setExecutorProvider(FixedExecutorProvider.create(executor))
          .setBatchingSettings(BATCHING)
          .setRetrySettings(RETRY);
      if (ready.channelProvider() != null) {
        builder.setChannelProvider(ready.channelProvider());
      }
      return builder.build();
    }, false);
    onPublisher.run();
    publishers.put(topic, built);
    return built;
  }

  private Future<Void> createTopic(String topic, Context context) {
    if (admin == null || admin.failed()) {
      Clients ready = clients.result();
      admin = vertx.executeBlocking(() -> {
        TopicAdminSettings.Builder builder = TopicAdminSettings.newBuilder().setCredentialsProvider(ready.credentials());
        if (ready.channelProvider() != null) {
          builder.setTransportChannelProvider(ready.channelProvider());
        }
        return TopicAdminClient.create(builder.build());
      }, false);
    }
    String topicName = TopicName.of(settings.projectId(), topic).toString();
    return admin.compose(client -> {
      LOG.info("[connection: {}] creating Pub/Sub topic {}", name, topic);
      ApiFuture<Topic> created = client.createTopicCallable().futureCall(Topic.newBuilder().setName(topicName).build());
      CompletableFuture<Topic> done = new CompletableFuture<>();
      ApiFutures.addCallback(created, new ApiFutureCallback<>() {
        @Override
        public void onFailure(Throwable failure) {
          done.completeExceptionally(failure);
        }

        @Override
        public void onSuccess(Topic topicCreated) {
          done.complete(topicCreated);
        }
      }, MoreExecutors.directExecutor());
      return Future.fromCompletionStage(done, context);
    }).<Void>mapEmpty().recover(failure -> {
      ModuleFailure typed = PubSubFailures.classify(failure);
      // created meanwhile by someone else: fine
      return typed.getMessage().contains("ALREADY_EXISTS") ? Future.succeededFuture() : Future.failedFuture(typed);
    });
  }

  @Override
  protected Future<Void> release() {
    onClose.run();
    List<Future<Publisher>> built = new ArrayList<>(publishers.values());
    Future<TopicAdminClient> adminClient = admin;
    return Future.join(new ArrayList<>(built)).otherwiseEmpty().compose(ignored -> vertx.executeBlocking(() -> {
      for (Future<Publisher> publisher : built) {
        if (publisher.succeeded()) {
          publisher.result().shutdown(); // sends what is batched
        }
      }
      for (Future<Publisher> publisher : built) {
        if (publisher.succeeded()) {
          publisher.result().awaitTermination(PUBLISH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
      }
      if (adminClient != null && adminClient.succeeded()) {
        adminClient.result().close();
      }
      if (clients.succeeded() && clients.result().channel() != null) {
        clients.result().channel().shutdown().awaitTermination(5, TimeUnit.SECONDS);
      }
      return null;
    }, false)).<Void>mapEmpty()
        .onSuccess(done -> LOG.debug("[connection: {}] Pub/Sub clients closed", name))
        .otherwiseEmpty();
  }

  /** What every publisher of the connection shares. */
  private record Clients(CredentialsProvider credentials, TransportChannelProvider channelProvider,
      ManagedChannel channel) {}

  private static Clients clients(PubSubConnection settings) throws Exception {
    if (settings.emulator() != null) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(settings.emulator())
          .usePlaintext()
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS)
          .build();
      return new Clients(NoCredentialsProvider.create(),
          FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)), channel);
    }
    GoogleCredentials credentials;
    if (settings.credentialsPath() != null) {
      try (InputStream in = Files.newInputStream(Path.of(settings.credentialsPath()))) {
        credentials = GoogleCredentials.fromStream(in);
      } catch (NoSuchFileException e) {
        throw new ModuleFailure(Category.CONFIG, "gcp_pubsub credentials_path does not exist");
      }
    } else {
      credentials = GoogleCredentials.getApplicationDefault();
    }
    credentials = credentials.createScoped(PublisherStubSettings.getDefaultServiceScopes());
    return new Clients(FixedCredentialsProvider.create(credentials), null, null);
  }
}
