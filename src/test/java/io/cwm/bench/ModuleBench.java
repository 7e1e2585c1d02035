package io.cwm.bench;

import static io.cwm.testing.Futures.await;
import io.cwm.app.Launcher;
import io.cwm.chain.Dispatcher;
import io.cwm.app.ConfigLoader;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.config.Env;
import io.cwm.webhook.WebhookEntry;
import io.cwm.module.disk.SaveToDiskModuleVerticle;
import io.cwm.module.http.HttpWebhookModuleVerticle;
import io.cwm.module.kafka.KafkaModuleVerticle;
import io.cwm.module.postgres.PostgresModuleVerticle;
import io.cwm.module.rabbitmq.RabbitMqModuleVerticle;
import io.cwm.module.redis.RedisPublishModuleVerticle;
import io.cwm.module.redis.RedisRqModuleVerticle;
import io.cwm.module.s3.S3ModuleVerticle;
import io.cwm.testing.KafkaBroker;
import io.cwm.testing.S3Server;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Output-module benchmark (issue 6): deliveries per second of each module through its verticle
 * against its local service, with a 1 KB payload, and of a 3-module parallel chain
 * (postgresql + kafka + s3). Calls go through the same {@link Dispatcher} the receiver and the
 * connector use, so the event-bus hop and the module's client are measured, not HTTP ingest.
 *
 * <p>Started by {@code bench/modules.sh} on the test classpath: it needs the test harness's Kafka
 * broker (in this JVM) and S3 server (a child process). Each case runs a warm-up, then a timed
 * run with a fixed number of calls outstanding, recorded with JFR; the three hottest frames (self
 * time, client-side threads only: the in-process Kafka broker's threads are left out) are printed.
 *
 * <pre>
 *   ModuleBench [seconds per case] [warm-up seconds] [calls outstanding] [case,case,...]
 * </pre>
 */
public final class ModuleBench {
  private static final String PAD = "x".repeat(940);

  private ModuleBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int outstanding = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    List<String> only = args.length > 3 ? List.of(args[3].split(",")) : List.of();

    Vertx vertx = Vertx.vertx();
    Launcher.registerCodecs(vertx);
    String suffix = Long.toString(System.currentTimeMillis(), 36);
    Path dir = Files.createTempDirectory("cwm-module-bench");
    HttpServer target = await(vertx.createHttpServer()
        .requestHandler(request -> request.body().onComplete(body -> request.response().end()))
        .listen(0, "127.0.0.1"));
    String kafka = KafkaBroker.bootstrapServers();
    S3Server s3 = S3Server.shared();
    s3.createBucket("cwm-bench-" + suffix);
    String pg = "{\"type\": \"postgresql\", \"host\": \"127.0.0.1\", \"port\": 5432, \"database\": \"test\", \"user\": \"postgres\"}";
    Files.writeString(dir.resolve("connections.json"), """
        {
          "redis": {"type": "redis-rq", "host": "127.0.0.1", "port": 6379},
          "rmq": {"type": "rabbitmq", "host": "127.0.0.1", "port": 5672, "user": "guest", "pass": "guest"},
          "kafka": {"type": "kafka", "bootstrap_servers": "%s"},
          "pg": %s,
          "s3": %s
        }
        """.formatted(kafka, pg, s3.connectionJson()));
    String table = "cwm_bench_" + suffix;
    Files.writeString(dir.resolve("webhooks.json"), """
        {
          "http_webhook": {"module": "http_webhook", "module-config": {"url": "http://127.0.0.1:%d/hook", "allowed_hosts": ["127.0.0.1"]}},
          "redis_publish": {"module": "redis_publish", "redis": {"host": "127.0.0.1", "port": 6379, "channel": "cwm-bench-%s", "allowed_hosts": ["127.0.0.1"]}},
          "redis_rq": {"module": "redis_rq", "connection": "redis", "module-config": {"queue_name": "cwm-bench-%s", "function": "tasks.process"}},
          "rabbitmq": {"module": "rabbitmq", "connection": "rmq", "module-config": {"queue_name": "cwm-bench-%s"}},
          "kafka": {"module": "kafka", "connection": "kafka", "module-config": {"topic": "cwm-bench-%s"}},
          "postgresql": {"module": "postgresql", "connection": "pg", "module-config": {"table": "%s", "storage_mode": "json"}},
          "s3": {"module": "s3", "connection": "s3", "module-config": {"bucket": "cwm-bench-%s", "prefix": "bench"}},
          "save_to_disk": {"module": "save_to_disk", "module-config": {"path": "%s"}},
          "chain_parallel_pg_kafka_s3": {
            "chain": [
              {"module": "postgresql", "connection": "pg", "module-config": {"table": "%s", "storage_mode": "json"}},
              {"module": "kafka", "connection": "kafka", "module-config": {"topic": "cwm-bench-%s"}},
              {"module": "s3", "connection": "s3", "module-config": {"bucket": "cwm-bench-%s", "prefix": "chain"}}
            ],
            "chain-config": {"execution": "parallel", "continue_on_error": false}
          }
        }
        """.formatted(target.actualPort(), suffix, suffix, suffix, suffix, table, suffix, dir.resolve("disk"),
        table, suffix, suffix));
    Env env = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "SAVE_TO_DISK_BASE_DIR", dir.toString()));
    ConfigLoader.Result loaded = ConfigLoader.load(dir.resolve("webhooks.json"), dir.resolve("connections.json"),
        env, new io.cwm.validate.ValidatorContext(Clock.systemUTC(), env, () -> null), true, true);
    if (!loaded.ok()) {
      throw new IllegalStateException("bench config refused: " + loaded.problems());
    }
    ConfigSnapshot config = loaded.snapshot();
    ConfigSnapshot extraConfig = extraCases(dir, env, only);

    Map<String, Supplier<Deployable>> modules = new HashMap<>();
    modules.put("http_webhook", HttpWebhookModuleVerticle::new);
    modules.put("redis_publish", RedisPublishModuleVerticle::new);
    modules.put("redis_rq", () -> new RedisRqModuleVerticle(env));
    modules.put("rabbitmq", () -> new RabbitMqModuleVerticle(env));
    modules.put("kafka", () -> new KafkaModuleVerticle(env));
    modules.put("postgresql", () -> new PostgresModuleVerticle(env));
    modules.put("s3", () -> new S3ModuleVerticle(env));
    modules.put("save_to_disk", SaveToDiskModuleVerticle::new);
    for (Supplier<Deployable> module : modules.values()) {
      await(vertx.deployVerticle(module.get()));
    }
    for (ModuleBenchCase extra : EXTRA_CASES) {
      if (only.isEmpty() || only.contains(extra.name())) {
        await(vertx.deployVerticle(io.cwm.app.ModuleCatalog.type(io.cwm.app.ModuleCatalog.canonical(extra.name()))
            .verticle(env)));
      }
    }
    Dispatcher dispatcher = new Dispatcher(vertx, 30_000);

    System.out.printf(Locale.ROOT, "cwm module benchmark: %d s per case after %d s warm-up, %d calls outstanding, "
        + "1 KB JSON payload; %d cores, %s%n", seconds, warmup, outstanding,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    System.out.printf(Locale.ROOT, "%-28s %12s %8s %9s  %s%n", "case", "deliveries/s", "failed", "p99 ms",
        "top frames (self time, client threads)");
    for (String name : List.of("http_webhook", "redis_publish", "redis_rq", "rabbitmq", "kafka", "postgresql", "s3",
        "save_to_disk", "chain_parallel_pg_kafka_s3")) {
      if (!only.isEmpty() && !only.contains(name)) {
        continue;
      }
      WebhookEntry entry = config.webhooks().get(name);
      run(vertx, dispatcher, entry, warmup, outstanding);
      Recording recording = new Recording();
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      Result result = run(vertx, dispatcher, entry, seconds, outstanding);
      recording.stop();
      Path jfr = dir.resolve(name + ".jfr");
      recording.dump(jfr);
      recording.close();
      System.out.printf(Locale.ROOT, "%-28s %12.0f %8d %9.1f  %s%n", name, result.perSecond(), result.failed(),
          result.p99Millis(), String.join(" | ", topFrames(jfr, 3)));
      if (result.firstFailure() != null) {
        System.out.printf(Locale.ROOT, "%-28s first failure: %s%n", "", result.firstFailure());
      }
    }
    for (ModuleBenchCase extra : EXTRA_CASES) {
      if (!only.isEmpty() && !only.contains(extra.name())) {
        continue;
      }
      WebhookEntry entry = extraConfig.webhooks().get(extra.name());
      run(vertx, dispatcher, entry, warmup, outstanding);
      Recording recording = new Recording();
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      Result result = run(vertx, dispatcher, entry, seconds, outstanding);
      recording.stop();
      Path jfr = dir.resolve(extra.name() + ".jfr");
      recording.dump(jfr);
      recording.close();
      System.out.printf(Locale.ROOT, "%-28s %12.0f %8d %9.1f  %s%n", extra.name(), result.perSecond(), result.failed(),
          result.p99Millis(), String.join(" | ", topFrames(jfr, 3)));
      if (result.firstFailure() != null) {
        System.out.printf(Locale.ROOT, "%-28s first failure: %s%n", "", result.firstFailure());
      }
      if (extra.baselineName() != null) {
        double baseline = extra.baselinePerSecond(seconds, outstanding);
        System.out.printf(Locale.ROOT, "%-28s %12.0f %8s %9s  baseline: %s; module/baseline = %.0f%%%n",
            extra.name() + " baseline", baseline, "", "", extra.baselineName(), 100.0 * result.perSecond() / baseline);
      }
      extra.close();
    }
    await(target.close());
    await(vertx.close());
    cleanUp(table, suffix);
    s3.deleteBucket("cwm-bench-" + suffix);
    KafkaBroker.deleteTopics("cwm-bench-" + suffix);
    System.exit(0);
  }

  /** The cases of the modules of issue 15, each with its baseline (see {@link ModuleBenchCase}). */
  private static final List<ModuleBenchCase> EXTRA_CASES = List.of(
      new MySqlBenchCase(),
      new MqttBenchCase(),
      new WebSocketBenchCase(),
      new ZeroMqBenchCase(),
      new ActiveMqBenchCase(),
      new SqsBenchCase(),
      new PubSubBenchCase(),
      new ClickHouseBenchCase());

  /** Starts the selected extra cases, deploys their module verticles and loads their entries. */
  private static ConfigSnapshot extraCases(Path dir, Env env, List<String> only) throws Exception {
    JsonObject webhooks = new JsonObject();
    JsonObject connections = new JsonObject();
    for (ModuleBenchCase extra : EXTRA_CASES) {
      if (!only.isEmpty() && !only.contains(extra.name())) {
        continue;
      }
      extra.start();
      webhooks.put(extra.name(), extra.entry());
      connections.mergeIn(extra.connections());
    }
    Path extraDir = Files.createDirectories(dir.resolve("extra"));
    Files.writeString(extraDir.resolve("webhooks.json"), webhooks.encodePrettily());
    Files.writeString(extraDir.resolve("connections.json"), connections.encodePrettily());
    ConfigLoader.Result loaded = ConfigLoader.load(extraDir.resolve("webhooks.json"),
        extraDir.resolve("connections.json"), env, new io.cwm.validate.ValidatorContext(Clock.systemUTC(), env,
            () -> null), true, true);
    if (!loaded.ok()) {
      throw new IllegalStateException("bench config of the extra cases refused: " + loaded.problems());
    }
    return loaded.snapshot();
  }

  record Result(double perSecond, long failed, double p99Millis, String firstFailure) {}

  /** Keeps {@code outstanding} dispatches running for {@code seconds}; counts completions. */
  private static Result run(Vertx vertx, Dispatcher dispatcher, WebhookEntry entry, int seconds, int outstanding)
      throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    long[] latencies = new long[4_000_000];
    AtomicLong recorded = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CompletableFuture<Void> finished = new CompletableFuture<>();
    AtomicLong running = new AtomicLong(outstanding);
    long started = System.nanoTime();
    vertx.runOnContext(go -> {
      for (int i = 0; i < outstanding; i++) {
        loop(dispatcher, entry, end, done, failed, firstFailure, latencies, recorded, running, finished);
      }
    });
    finished.get(seconds + 120L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - started) / 1e9;
    int count = (int) Math.min(recorded.get(), latencies.length);
    long[] sorted = java.util.Arrays.copyOf(latencies, count);
    java.util.Arrays.sort(sorted);
    double p99 = count == 0 ? 0 : sorted[Math.min(count - 1, (int) (count * 0.99))] / 1e6;
    return new Result(done.get() / elapsed, failed.get(), p99, firstFailure.get());
  }

  private static void loop(Dispatcher dispatcher, WebhookEntry entry, long end, AtomicLong done, AtomicLong failed,
      java.util.concurrent.atomic.AtomicReference<String> firstFailure, long[] latencies, AtomicLong recorded, AtomicLong running, CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        finished.complete(null);
      }
      return;
    }
    long sent = System.nanoTime();
    JsonObject payload = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", sent).put("pad", PAD);
    Map<String, String> headers = Map.of("content-type", "application/json", "user-agent", "cwm-bench");
    Future<Void> call;
    try {
      call = dispatcher.dispatch(entry, entry.id(), payload, headers, null);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    call.onComplete(outcome -> {
      if (outcome.succeeded()) {
        done.incrementAndGet();
        long slot = recorded.getAndIncrement();
        if (slot < latencies.length) {
          latencies[(int) slot] = System.nanoTime() - sent;
        }
      } else {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, String.valueOf(outcome.cause().getMessage()));
      }
      loop(dispatcher, entry, end, done, failed, firstFailure, latencies, recorded, running, finished);
    });
  }

  /** The hottest frames by self time among the client-side threads (Vert.x, Kafka producer, AWS SDK, RabbitMQ). */
  static List<String> topFrames(Path jfr, int count) throws Exception {
    Map<String, Long> self = new HashMap<>();
    long total = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
      RecordedThread thread = event.getThread("sampledThread");
      RecordedStackTrace stack = event.getStackTrace();
      if (thread == null || stack == null || stack.getFrames().isEmpty() || !clientThread(thread.getJavaName())) {
        continue;
      }
      RecordedFrame top = stack.getFrames().get(0);
      String frame = top.getMethod().getType().getName().replaceAll("^.*\\.", "") + "." + top.getMethod().getName();
      self.merge(frame, 1L, Long::sum);
      total++;
    }
    long all = total;
    List<String> frames = new ArrayList<>();
    self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
        .forEach(e -> frames.add(String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / all)));
    return frames;
  }

  private static boolean clientThread(String name) {
    return name != null && (name.startsWith("vert.x-") || name.startsWith("kafka-producer-network-thread")
        || name.startsWith("aws-java-sdk") || name.startsWith("sdk-async") || name.startsWith("rabbitmq")
        || name.startsWith("AMQP") || name.startsWith("cwm-") || name.startsWith("grpc-")
        || name.startsWith("iothread") || name.startsWith("reaper"));
  }

  private static void cleanUp(String table, String suffix) {
    try {
      new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc",
          "DROP TABLE IF EXISTS \"" + table + "\"").inheritIO().start().waitFor(20, TimeUnit.SECONDS);
      // the jobs the bench queued, then the queue itself
      new ProcessBuilder("redis-cli", "eval", "local ids = redis.call('LRANGE', KEYS[1], 0, -1) "
          + "for _, id in ipairs(ids) do redis.call('DEL', 'rq:job:' .. id) end "
          + "redis.call('DEL', KEYS[1]) return #ids", "1", "rq:queue:cwm-bench-" + suffix)
          .start().waitFor(60, TimeUnit.SECONDS);
      new ProcessBuilder("rabbitmqctl", "delete_queue", "cwm-bench-" + suffix).start().waitFor(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("clean-up incomplete: " + e);
    }
  }

}
