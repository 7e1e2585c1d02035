package io.cwm.module.s3;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleType;
import io.cwm.module.aws.AwsConnection;
import io.cwm.module.aws.AwsSdk;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code s3} module (modules.md §3.8): one object per webhook at
 * {@code <prefix>/<YYYY>/<MM>/<DD>/<HH>/<filename>} (UTC), see {@link S3Target}.
 *
 * <p>Body: objects and arrays in the {@code json.dumps(indent=2)} layout of the objects the Python
 * version writes ({@link PythonJson}), a string payload as its UTF-8 text, other scalars as JSON
 * text ({@code true}, {@code null}). A blob ({@code data_type: blob}) is stored as its raw bytes
 * with {@code application/octet-stream} unless {@code content_type} is configured. With
 * {@code include_headers} the request headers become user metadata ({@link S3Metadata}).
 *
 * <p>One AWS SDK v2 async client per named connection, created on first use and reused
 * ({@link S3Link}; a changed connection gets a new client, the old one closes after its calls, all
 * close on stop); {@code endpoint_url} honoured ({@link AwsConnection}: path-style, checked against
 * the connection host rules); a missing or invalid {@code bucket} is a load error; failures typed
 * ({@link S3Failures}: unreachable, timeouts, 5xx and SlowDown retryable; 403, 404 NoSuchBucket,
 * other 4xx not).
 *
 * <p>A webhook without {@code connection} uses the defaults (us-east-1, default credential chain).
 * The SDK's Netty threads (2) and its timer thread are shared by this verticle's clients
 * ({@link AwsSdk}, the same set-up as the {@code aws_sqs} module's), started with the first client
 * and stopped on undeploy.
 */
public final class S3ModuleVerticle extends LinkedModuleVerticle<S3Target, S3Link> {
  /** The module's registry name (event-bus address {@code cwm.module.s3}). */
  public static final String NAME = "s3";
  /**
   * The module as the catalogue sees it. Its target is the checked {@link S3Target} (bucket, key
   * pattern).
   */
  public static final ModuleType<S3Target> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> S3Target.fromConfig(moduleConfig), S3ModuleVerticle::new);

  private static final Logger LOG = LoggerFactory.getLogger(S3ModuleVerticle.class);
  /** Links key of webhooks without a connection (a NUL cannot start a usable connection name). */
  private static final String NO_CONNECTION = "\0(none)";
  /** The connection key of the region (SQS reads {@code region_name} first). */
  static final String REGION_KEY = "region";

  private final AtomicInteger clientsCreated = new AtomicInteger();
  private final AtomicInteger clientsOpen = new AtomicInteger();
  private final AwsSdk sdk = new AwsSdk("cwm-s3-sdk-timer");

  public S3ModuleVerticle(Env env) {
    super(NAME, S3Target.class, NO_CONNECTION, env);
  }

  @Override
  protected ModuleFailure configFailure(ModuleCall call, ConfigException refused) {
    LOG.warn("[module: s3, webhook_id: {}] config invalid: {} {}", call.webhookId(), refused.key(), refused.getMessage());
    return new ModuleFailure(Category.CONFIG, "s3 config invalid: " + refused.key());
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, S3Target target, S3Link link) {
    boolean blob = call.payload() instanceof Buffer;
    String key = target.objectKey(Instant.now(), UUID.randomUUID());
    Map<String, String> metadata = Map.of();
    if (target.includeHeaders()) {
      S3Metadata.Result headers = S3Metadata.of(call.headers());
      metadata = headers.metadata();
      if (headers.dropped() > 0) {
        LOG.debug("[module: s3, webhook_id: {}] {} header(s) not stored as metadata (name or 2 KB limit)",
            call.webhookId(), headers.dropped());
      }
    }
    String bucket = target.bucket();
    return link.put(bucket, key, body(call.payload()), target.contentTypeFor(blob), metadata)
        .onSuccess(done -> LOG.debug("[module: s3, webhook_id: {}] stored s3://{}/{}", call.webhookId(), bucket, key))
        .onFailure(failure -> LOG.warn("[module: s3, webhook_id: {}, connection: {}] upload failed: {} ({})",
            call.webhookId(), call.connectionName(), failure.getMessage(), ModuleFailure.from(failure).category()));
  }

  /** The object's bytes (see the class comment). */
  static byte[] body(Object payload) {
    if (payload instanceof Buffer bytes) {
      return bytes.getBytes();
    }
    if (payload instanceof JsonObject || payload instanceof JsonArray || payload instanceof Map
        || payload instanceof List) {
      return PythonJson.pretty(payload).getBytes(StandardCharsets.UTF_8);
    }
    if (payload instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    return PythonJson.pretty(payload).getBytes(StandardCharsets.UTF_8);
  }

  /** A client that failed to start (no credentials found, ...) is not reused: the next call builds a new one. */
  @Override
  protected S3Link newLink(String name, JsonObject connection) {
    AwsConnection parsed = AwsConnection.from(connection, env, REGION_KEY);
    sdk.start();
    S3Link created = new S3Link(vertx, name, connection, parsed, sdk, clientsOpen::decrementAndGet);
    clientsCreated.incrementAndGet();
    clientsOpen.incrementAndGet();
    return created;
  }

  /** How many S3 clients this verticle has built (tests: one per connection, reused). */
  int clientsCreated() {
    return clientsCreated.get();
  }

  /** Clients not closed yet, current and retiring. */
  int openClients() {
    return clientsOpen.get();
  }

  @Override
  protected Future<Void> stopModule() {
    return super.stopModule().eventually(() -> sdk.stop(vertx)).otherwiseEmpty();
  }
}
