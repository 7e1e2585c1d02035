package io.cwm.bench;

import io.cwm.testing.ElasticMq;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * aws_sqs against ElasticMQ in this JVM ({@link ElasticMq}); baseline: the AWS SDK's own
 * SqsAsyncClient sending the same 1 KB body with the same two String attributes, the same number
 * of SendMessage calls in flight, to a queue of its own on the same server.
 */
final class SqsBenchCase implements ModuleBenchCase {
  private final String queue = "cwm-bench-" + UUID.randomUUID().toString().substring(0, 8);
  private ElasticMq sqs;
  private String queueUrl;
  private String baselineUrl;

  @Override
  public String name() {
    return "aws_sqs";
  }

  @Override
  public void start() throws Exception {
    sqs = ElasticMq.shared();
    queueUrl = sqs.createQueue(queue);
    // the server runs in this JVM: warm it (JIT) before the module's run, as the baseline runs after
    String warm = sqs.createQueue(queue + "-warm");
    try {
      // ElasticMQ (Scala, Pekko HTTP) needs long to reach its speed on a busy 2-core machine
      System.out.printf(java.util.Locale.ROOT, "%-28s %12.0f %8s %9s  (the SDK's client to a scratch queue, warming the server)%n",
          "aws_sqs server warm-up", drive(warm, 30, 64), "", "");
    } finally {
      sqs.deleteQueue(warm);
    }
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "aws_sqs").put("connection", "sqs-bench")
        .put("module-config", new JsonObject().put("queue_name", queue));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("sqs-bench", sqs.connection());
  }

  @Override
  public String baselineName() {
    return "AWS SDK SqsAsyncClient SendMessage loop, same body and attributes";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    baselineUrl = sqs.createQueue(queue + "-baseline");
    return drive(baselineUrl, seconds, outstanding);
  }

  /** The baseline's loop to {@code url}: messages per second over {@code seconds} after a 3 s warm-up. */
  private double drive(String url, int seconds, int outstanding) throws Exception {
    try (SqsAsyncClient client = SqsAsyncClient.builder().endpointOverride(URI.create(sqs.endpoint()))
        .region(Region.of(ElasticMq.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ElasticMq.ACCESS_KEY, ElasticMq.SECRET_KEY)))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(outstanding))
        .build()) {
      Map<String, MessageAttributeValue> attributes = Map.of(
          "content-type", MessageAttributeValue.builder().dataType("String").stringValue("application/json").build(),
          "user-agent", MessageAttributeValue.builder().dataType("String").stringValue("cwm-bench").build());
      run(client, url, attributes, 3, outstanding); // warm-up
      long started = System.nanoTime();
      long done = run(client, url, attributes, seconds, outstanding);
      return done / ((System.nanoTime() - started) / 1e9);
    }
  }

  private long run(SqsAsyncClient client, String url, Map<String, MessageAttributeValue> attributes, int seconds,
      int outstanding) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    AtomicInteger running = new AtomicInteger(outstanding);
    CompletableFuture<Void> finished = new CompletableFuture<>();
    for (int i = 0; i < outstanding; i++) {
      send(client, url, attributes, end, done, running, finished);
    }
    finished.get(seconds + 60L, TimeUnit.SECONDS);
    return done.get();
  }

  private void send(SqsAsyncClient client, String url, Map<String, MessageAttributeValue> attributes, long end,
      AtomicLong done, AtomicInteger running, CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        finished.complete(null);
      }
      return;
    }
    String body = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", "x".repeat(940)).encode();
    client.sendMessage(request -> request.queueUrl(url).messageBody(body).messageAttributes(attributes))
        .whenComplete((response, failure) -> {
          if (failure == null) {
            done.incrementAndGet();
          }
          send(client, url, attributes, end, done, running, finished);
        });
  }

  @Override
  public void close() {
    sqs.deleteQueue(queueUrl);
    if (baselineUrl != null) {
      sqs.deleteQueue(baselineUrl);
    }
  }
}
