package io.cwm.bench;

import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import io.cwm.testing.PubSubServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gcp_pubsub against the test's in-process Pub/Sub server ({@link PubSubServer}, messages only
 * counted); baseline: google-cloud-pubsub's Publisher driven directly (plaintext channel, the
 * module's batching settings: 100 messages / 1 MB / 1 ms), the same 1 KB data with the same two
 * attributes, the same number of publishes in flight, to a topic of its own on the same server.
 */
final class PubSubBenchCase implements ModuleBenchCase {
  private final String topic = "cwm-bench-" + UUID.randomUUID().toString().substring(0, 8);
  private PubSubServer pubsub;

  @Override
  public String name() {
    return "gcp_pubsub";
  }

  @Override
  public void start() throws Exception {
    pubsub = PubSubServer.shared();
    pubsub.createCountingTopic(topic);
    pubsub.createCountingTopic(topic + "-baseline");
    // the server runs in this JVM: warm it (JIT) before the module's run, as the baseline runs after
    pubsub.createCountingTopic(topic + "-warm");
    try {
      drive(topic + "-warm", 5, 64);
    } finally {
      pubsub.deleteTopic(topic + "-warm");
    }
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "gcp_pubsub").put("connection", "pubsub-bench")
        .put("module-config", new JsonObject().put("topic", topic));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("pubsub-bench", pubsub.connection());
  }

  @Override
  public String baselineName() {
    return "google-cloud-pubsub Publisher loop, same batching, data and attributes";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    return drive(topic + "-baseline", seconds, outstanding);
  }

  /** The baseline's loop to {@code target}: messages per second over {@code seconds} after a 3 s warm-up. */
  private double drive(String target, int seconds, int outstanding) throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forTarget("127.0.0.1:" + pubsub.port()).usePlaintext().build();
    Publisher publisher = Publisher.newBuilder(TopicName.of(PubSubServer.PROJECT, target))
        .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setBatchingSettings(BatchingSettings.newBuilder().setElementCountThreshold(100L)
            .setRequestByteThreshold(1_000_000L).setDelayThresholdDuration(Duration.ofMillis(1)).build())
        .build();
    try {
      run(publisher, 3, outstanding); // warm-up
      long started = System.nanoTime();
      long done = run(publisher, seconds, outstanding);
      return done / ((System.nanoTime() - started) / 1e9);
    } finally {
      publisher.shutdown();
      publisher.awaitTermination(10, TimeUnit.SECONDS);
      channel.shutdownNow();
    }
  }

  private long run(Publisher publisher, int seconds, int outstanding) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    AtomicInteger running = new AtomicInteger(outstanding);
    CompletableFuture<Void> finished = new CompletableFuture<>();
    for (int i = 0; i < outstanding; i++) {
      publish(publisher, end, done, running, finished);
    }
    finished.get(seconds + 60L, TimeUnit.SECONDS);
    return done.get();
  }

  private void publish(Publisher publisher, long end, AtomicLong done, AtomicInteger running,
      CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        finished.complete(null);
      }
      return;
    }
    String data = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", "x".repeat(940)).encode();
    PubsubMessage message = PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(data))
        .putAttributes("content-type", "application/json").putAttributes("user-agent", "cwm-bench").build();
    ApiFutures.addCallback(publisher.publish(message), new ApiFutureCallback<String>() {
      @Override
      public void onFailure(Throwable failure) {
        publish(publisher, end, done, running, finished);
      }

      @Override
      public void onSuccess(String id) {
        done.incrementAndGet();
        publish(publisher, end, done, running, finished);
      }
    }, MoreExecutors.directExecutor());
  }

  @Override
  public void close() {
    pubsub.deleteTopic(topic);
    pubsub.deleteTopic(topic + "-baseline");
  }
}
