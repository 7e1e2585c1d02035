package io.cwm.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, one combined broker+controller node) inside the test JVM, shared
 * by every test class: started on first use (about 5 s), closed by a shutdown hook. It binds
 * ephemeral ports, so it never clashes with a Kafka on 9092.
 *
 * <p>The whole API:
 * <ul>
 *   <li>{@link #bootstrapServers()} — {@code localhost:<port>}; a receiver using it needs
 *       {@code ALLOW_LOCALHOST_FOR_TESTS=true} (host rules).
 *   <li>{@link #createTopic(String, int)} / {@link #deleteTopics(String...)} — topics are also
 *       auto-created on first produce (one partition); create them when a test needs more.
 *   <li>{@link #read(String, int, long)} — every record of a topic from the beginning, waiting
 *       until at least {@code expected} are there or the deadline passes.
 * </ul>
 * Use unique topic names per test class (the broker lives as long as the JVM).
 *
 * <p>Reading uses a plain consumer with {@code assign} + {@code seekToBeginning} + {@code poll}:
 * no consumer group, no commits, and never {@code committed(...)}, which hangs on
 * kafka-clients 4.x through vertx-kafka-client (STACK.md pitfall 6).
 */
public final class KafkaBroker {
  private static KafkaClusterTestKit cluster;
  private static String bootstrap;

  private KafkaBroker() {}

  /** Starts the broker if needed and returns its bootstrap address. */
  public static synchronized String bootstrapServers() {
    if (bootstrap == null) {
      start();
    }
    return bootstrap;
  }

  /** Creates {@code topic} with {@code partitions} partitions (replication 1) and waits for it. */
  public static void createTopic(String topic, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not create topic " + topic, e);
    }
  }

  /** Deletes topics (missing ones are ignored). */
  public static void deleteTopics(String... topics) {
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(topics)).topicNameValues().values().forEach(done -> {
        try {
          done.get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // unknown topic: nothing to clean up
        }
      });
    }
  }

  /**
   * Every record of {@code topic} (all partitions, from the beginning) once at least
   * {@code expected} are there; fewer when {@code timeoutMillis} passes first (the caller's
   * assertion then says what is missing). Records are ordered per partition.
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<List<TopicPartition>> found = new ArrayList<>(List.of(List.of()));
      try {
        TestConnector.await(timeoutMillis, () -> {
          found.set(0, consumer.partitionsFor(topic, Duration.ofMillis(500)).stream()
              .map(info -> new TopicPartition(topic, info.partition())).toList());
          return !found.get(0).isEmpty();
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return records;
      }
      List<TopicPartition> partitions = found.get(0);
      if (partitions.isEmpty()) {
        return records;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (records.size() < expected && System.nanoTime() < deadline) {
        Duration wait = remaining(deadline);
        consumer.poll(wait.compareTo(Duration.ofMillis(200)) > 0 ? Duration.ofMillis(200) : wait)
            .forEach(records::add);
      }
    }
    return records;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  private static void start() {
    quietBrokerLogs();
    // The broker ends the JVM (Exit.halt(1)) when it finds its log directories gone, which can
    // happen while the test JVM shuts down: the fork would then exit 1 after every test passed
    // and fail the build. In tests that is only worth a line on stderr.
    Exit.setExitProcedure((code, message) -> System.err.println("kafka test broker asked to exit " + code + ": "
        + message));
    Exit.setHaltProcedure((code, message) -> System.err.println("kafka test broker asked to halt " + code + ": "
        + message));
    try {
      KafkaClusterTestKit started = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
          .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("auto.create.topics.enable", "true")
          .setConfigProp("num.partitions", "1")
          .build();
      started.format();
      started.startup();
      started.waitForReadyBrokers();
      cluster = started;
      bootstrap = started.bootstrapServers();
      Runtime.getRuntime().addShutdownHook(new Thread(KafkaBroker::stop, "kafka-test-broker-stop"));
    } catch (Exception e) {
      throw new IllegalStateException("could not start the in-process Kafka broker", e);
    }
  }

  private static synchronized void stop() {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception ignored) {
        // the JVM is exiting
      }
      cluster = null;
    }
  }

  /** The broker logs thousands of INFO lines at start; keep its warnings only. */
  private static void quietBrokerLogs() {
    for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
      }
    }
  }
}
