package io.cwm.module.kafka;

import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The {@code kafka} module (modules.md §3.7): produces each webhook as one record and succeeds
 * only after the broker acknowledged it ({@code acks=all}, idempotent producer), so the receiver
 * answers 200 only for a stored record.
 *
 * <ul>
 *   <li>Record: topic / key / partition from {@link KafkaTarget}; value = the UTF-8 JSON of the
 *       payload; a blob payload ({@code data_type: blob}) is sent as its raw bytes. With
 *       {@code forward_headers} the cleaned request headers become record headers (UTF-8 values);
 *       otherwise the record has none.
 *   <li>Connection: {@code bootstrap_servers} of the named connection (default
 *       {@code localhost:9092}), every host checked by {@link KafkaBootstrap} (a bad host is
 *       refused: loopback needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}). A call without a
 *       connection uses the default address.
 *   <li>One producer per named connection ({@link KafkaLink}), created on first use and reused;
 *       a changed connection object under the same name gets a new producer and the old one
 *       closes after its calls in flight; all close on stop.
 *   <li>Failures: broker unreachable, timeouts and any retriable Kafka error are retryable
 *       (the receiver answers 503 + Retry-After); a record too large, a partition the topic
 *       does not have, refused topic names, credentials or ACLs are not (500).
 * </ul>
 */
public final class KafkaModuleVerticle extends LinkedModuleVerticle<KafkaTarget, KafkaLink> {
  /** The module's registry name (event-bus address {@code cwm.module.kafka}). */
  public static final String NAME = "kafka";
  /** The module as the catalogue sees it. Its target is the {@link KafkaTarget} (topic, key, partition). */
  public static final ModuleType<KafkaTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> KafkaTarget.resolve(moduleConfig, entry), KafkaModuleVerticle::new);

  /** Link key of calls that name no connection (they use the default bootstrap address). */
  static final String NO_CONNECTION = "";

  public KafkaModuleVerticle(Env env) {
    super(NAME, KafkaTarget.class, NO_CONNECTION, env);
  }

  @Override
  protected KafkaLink newLink(String name, JsonObject connection) {
    return new KafkaLink(vertx, name, connection, KafkaBootstrap.check(connection, env));
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, KafkaTarget target, KafkaLink link) {
    return link.send(record(target, call.payload(), call.headers()));
  }

  /** The record for one call (see the class comment). */
  static ProducerRecord<byte[], Buffer> record(KafkaTarget target, Object payload, Map<String, String> headers) {
    Buffer value = payload instanceof Buffer blob ? blob : Json.encodeToBuffer(payload);
    byte[] key = target.key() == null ? null : target.key().getBytes(StandardCharsets.UTF_8);
    List<Header> recordHeaders = new ArrayList<>();
    if (target.forwardHeaders() && headers != null) {
      headers.forEach((name, text) -> recordHeaders.add(
          new RecordHeader(name, text == null ? null : text.getBytes(StandardCharsets.UTF_8))));
    }
    return new ProducerRecord<>(target.topic(), target.partition(), key, value, recordHeaders);
  }
}
