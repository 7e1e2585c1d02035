package io.cwm.module.kafka;

import io.cwm.module.ConnectionLink;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.serialization.BufferSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived Kafka producer for one named connection, shared by every call that uses it.
 * Created on first use (off the event loop: the client resolves the bootstrap names in its
 * constructor), closed on stop or, after a config change, once its calls in flight have finished.
 *
 * <p>Producer settings for a gateway that answers 200 only after the broker has the record:
 * {@code acks=all} with idempotence (no duplicates from the client's own retries), and bounded
 * waits so a dead broker fails a call in seconds rather than the client's 60 s / 120 s defaults:
 * {@code max.block.ms} {@value #MAX_BLOCK_MS} (metadata / buffer wait), {@code request.timeout.ms}
 * {@value #REQUEST_TIMEOUT_MS}, {@code delivery.timeout.ms} {@value #DELIVERY_TIMEOUT_MS}.
 *
 * <p>While the broker is unreachable the client blocks each send for {@code max.block.ms} on
 * the producer's one worker thread, in order, so N queued calls would take N times as long.
 * Hence, until a send has succeeded (and again after a retryable failure), only one send at a
 * time goes to the producer (a probe); calls arriving meanwhile wait for its outcome: success
 * lets them through, a retryable failure fails them with it. Every call to a dead broker thus
 * fails within about {@code max.block.ms}, and the first calls to a live one are delayed only
 * by the first round trip. Used from the owning verticle's event loop only.
 */
final class KafkaLink extends ConnectionLink {
  static final int MAX_BLOCK_MS = 5_000;
  static final int REQUEST_TIMEOUT_MS = 10_000;
  static final int DELIVERY_TIMEOUT_MS = 15_000;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaLink.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  /** Producers created / closed per connection name since the JVM started (tests check reuse). */
  private static final Map<String, AtomicInteger> CREATED = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> CLOSED = new ConcurrentHashMap<>();

  private final Vertx vertx;
  private final String name;
  private final Map<String, String> config;
  private Future<KafkaProducer<byte[], Buffer>> producer;
  /** A send succeeded and none has failed retryably since. */
  private boolean healthy;
  /** The send in flight while not healthy; the calls arriving meanwhile wait for it. */
  private Future<Void> probe;

  KafkaLink(Vertx vertx, String name, JsonObject connection, String bootstrapServers) {
    super(connection);
    this.vertx = vertx;
    this.name = name;
    this.config = producerConfig(bootstrapServers, name);
  }

  /** The producer settings (see the class comment). */
  static Map<String, String> producerConfig(String bootstrapServers, String connectionName) {
    Map<String, String> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK_MS));
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT_MS));
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT_MS));
    config.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "cwm-kafka-" + connectionName.replaceAll("[^A-Za-z0-9._-]", "_")
        + "-" + SEQUENCE.incrementAndGet());
    return config;
  }

  static int producersCreated(String connectionName) {
    AtomicInteger count = CREATED.get(connectionName);
    return count == null ? 0 : count.get();
  }

  static int producersClosed(String connectionName) {
    AtomicInteger count = CLOSED.get(connectionName);
    return count == null ? 0 : count.get();
  }

  /**
   * Sends one record and completes when the broker acknowledged it. While the link is not known
   * to be healthy, one send at a time goes through (see the class comment) and the others
   * follow its outcome.
   */
  Future<Void> send(ProducerRecord<byte[], Buffer> record) {
    if (isClosed()) {
      return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "Kafka producer is closed"));
    }
    return counted(() -> guarded(record));
  }

  /** The send itself, or the outcome of the probe under way while the link is not known to be healthy. */
  private Future<Void> guarded(ProducerRecord<byte[], Buffer> record) {
    Future<Void> outcome;
    if (!healthy && probe != null && !probe.isComplete()) {
      outcome = probe.transform(probed -> probed.failed() && ((ModuleFailure) probed.cause()).retryable()
          ? Future.<Void>failedFuture(probed.cause())
          : sendNow(record));
    } else {
      outcome = sendNow(record);
      if (!healthy) {
        probe = outcome;
      }
    }
    return outcome;
  }

  private Future<Void> sendNow(ProducerRecord<byte[], Buffer> record) {
    return producer()
        .compose(ready -> checkPartition(ready, record).compose(checked -> ready.asStream().send(record)))
        .<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(classify(failure)))
        .andThen(done -> {
          if (done.succeeded()) {
            healthy = true;
          } else if (((ModuleFailure) done.cause()).retryable()) {
            healthy = false;
          }
        });
  }

  private Future<Void> checkPartition(KafkaProducer<byte[], Buffer> ready, ProducerRecord<byte[], Buffer> record) {
    Integer partition = record.partition();
    if (partition == null) {
      return Future.succeededFuture();
    }
    return ready.partitionsFor(record.topic()).compose(partitions -> partition < partitions.size()
        ? Future.succeededFuture()
        : Future.failedFuture(new ModuleFailure(Category.CONFIG,
            "kafka partition " + partition + " does not exist (the topic has " + partitions.size() + ")")));
  }

  private Future<KafkaProducer<byte[], Buffer>> producer() {
    if (producer == null || producer.failed()) {
      producer = vertx.executeBlocking(() -> {
        KafkaProducer<byte[], Buffer> created = KafkaProducer.create(vertx, config, new ByteArraySerializer(),
            new BufferSerializer());
        // every send's failure reaches its own Future; without a handler the client also logs it as unhandled
        created.exceptionHandler(failure -> { });
        CREATED.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        return created;
      }).onSuccess(created -> LOG.info("[connection: {}] Kafka producer created", name))
          .onFailure(failure -> LOG.warn("[connection: {}] Kafka producer could not be created: {}", name,
              failure.toString()));
    }
    return producer;
  }

  @Override
  protected Future<Void> release() {
    if (producer == null) {
      return Future.succeededFuture();
    }
    return producer.compose(ready -> ready.close(MAX_BLOCK_MS).andThen(done -> {
      CLOSED.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      LOG.info("[connection: {}] Kafka producer closed", name);
    })).otherwiseEmpty();
  }

  /**
   * Types a failure: the broker or network not answering (timeouts, any retriable Kafka error)
   * is retryable; a record, topic or credential the broker refuses is not.
   */
  ModuleFailure classify(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ModuleFailure typed) {
        return typed;
      }
      if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
        return new ModuleFailure(Category.REJECTED, "Kafka refused the record: too large");
      }
      if (cause instanceof InvalidTopicException) {
        return new ModuleFailure(Category.CONFIG, "Kafka refused the topic name");
      }
      if (cause instanceof AuthorizationException) {
        LOG.warn("[connection: {}] Kafka refused access: {}", name, cause.getMessage());
        return new ModuleFailure(Category.PERMISSION, "Kafka refused access to the topic");
      }
      if (cause instanceof AuthenticationException) {
        LOG.warn("[connection: {}] Kafka refused the credentials", name);
        return new ModuleFailure(Category.AUTH, "Kafka refused the credentials");
      }
      if (cause instanceof SerializationException) {
        return new ModuleFailure(Category.VALIDATION, "the record could not be serialised");
      }
      if (cause instanceof TimeoutException) {
        LOG.warn("[connection: {}] Kafka timed out: {}", name, cause.getMessage());
        // "Topic x not present in metadata after 5000 ms": the producer never reached a broker
        // (it does not report a refused connection otherwise); the rest: the broker did not ack
        return String.valueOf(cause.getMessage()).contains("metadata")
            ? new ModuleFailure(Category.CONNECTION, "Kafka broker unreachable")
            : new ModuleFailure(Category.TIMEOUT, "Kafka broker did not answer in time");
      }
      if (cause instanceof NetworkException) {
        LOG.warn("[connection: {}] Kafka network error: {}", name, cause.getMessage());
        return new ModuleFailure(Category.CONNECTION, "Kafka broker unreachable");
      }
      if (cause instanceof RetriableException || cause instanceof InterruptException) {
        LOG.warn("[connection: {}] Kafka temporarily refused the record: {}", name, cause.toString());
        return new ModuleFailure(Category.UNAVAILABLE, "Kafka broker temporarily unavailable");
      }
      if (cause instanceof ApiException && !(cause instanceof UnknownServerException)) {
        LOG.warn("[connection: {}] Kafka refused the record: {}", name, cause.toString());
        return new ModuleFailure(Category.REJECTED, "Kafka refused the record");
      }
      if (cause instanceof org.apache.kafka.common.config.ConfigException config) {
        // the only constructor failure a config we checked can meet: no bootstrap name resolves
        LOG.warn("[connection: {}] Kafka producer config refused: {}", name, config.getMessage());
        return String.valueOf(config.getMessage()).contains("resolvable")
            ? new ModuleFailure(Category.CONNECTION, "Kafka bootstrap servers could not be resolved")
            : new ModuleFailure(Category.CONFIG, "Kafka producer configuration refused");
      }
    }
    if (failure instanceof KafkaException || failure instanceof IllegalStateException) {
      LOG.warn("[connection: {}] Kafka failed: {}", name, failure.toString());
      return new ModuleFailure(Category.UNAVAILABLE, "Kafka producer failed");
    }
    LOG.warn("[connection: {}] Kafka failed unexpectedly: {}", name, failure.toString());
    return new ModuleFailure(Category.INTERNAL, "Kafka operation failed");
  }
}
