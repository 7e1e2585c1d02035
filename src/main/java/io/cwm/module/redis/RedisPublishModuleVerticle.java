package io.cwm.module.redis;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis_publish} module: {@code PUBLISH <channel> {"payload": …, "headers": {…}}}
 * (modules.md §3.6). One pooled Redis client per distinct target (host, port, db), created on
 * first use and closed when the verticle stops. Blob payloads are sent base64-encoded inside the
 * JSON.
 */
public final class RedisPublishModuleVerticle extends ModuleVerticle<RedisPublishTarget> {
  /** The module's registry name (event-bus address {@code cwm.module.redis_publish}). */
  public static final String NAME = "redis_publish";
  /**
   * The module as the catalogue sees it. Its target is the {@link RedisPublishTarget} read from the
   * entry's {@code redis} block and the module-config's {@code channel}.
   */
  public static final ModuleType<RedisPublishTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> RedisPublishTarget.fromConfig(moduleConfig, entry),
      env -> new RedisPublishModuleVerticle());

  private static final Logger LOG = LoggerFactory.getLogger(RedisPublishModuleVerticle.class);
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int COMMAND_TIMEOUT_MILLIS = 5_000;
  private static final int MAX_POOL_SIZE = 4;
  static final int MAX_POOL_WAITING = 4096;

  /** Clients by {@link RedisPublishTarget#key()}; only touched on this verticle's event loop. */
  private final Map<String, Redis> clients = new HashMap<>();

  public RedisPublishModuleVerticle() {
    super(NAME, RedisPublishTarget.class);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, RedisPublishTarget target) {
    String message = message(call.payload(), call.headers()).encode();
    Redis client = clients.computeIfAbsent(target.key(), key -> createClient(target));
    return client.send(Request.cmd(Command.PUBLISH).arg(target.channel()).arg(message))
        .timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(RedisFailures.classify("Redis publish", failure)));
  }

  /** The published JSON: {@code {"payload": …, "headers": {…}}}; blob bytes as base64 text. */
  static JsonObject message(Object payload, Map<String, String> headers) {
    Object value = payload instanceof Buffer bytes ? Base64.getEncoder().encodeToString(bytes.getBytes()) : payload;
    JsonObject headerObject = new JsonObject();
    if (headers != null) {
      headers.forEach(headerObject::put);
    }
    return new JsonObject().put("payload", value).put("headers", headerObject);
  }

  private Redis createClient(RedisPublishTarget target) {
    String host = target.host().contains(":") && !target.host().startsWith("[") ? "[" + target.host() + "]" : target.host();
    RedisOptions options = new RedisOptions()
        .setConnectionString("redis://" + host + ":" + target.port() + "/" + target.db())
        .setMaxPoolSize(MAX_POOL_SIZE)
        .setMaxWaitingHandlers(1024)
        // calls beyond the pool wait here (the default is 24: a burst of webhooks failed)
        .setMaxPoolWaiting(MAX_POOL_WAITING);
    if (target.password() != null && !target.password().isEmpty()) {
      options.setPassword(target.password());
    }
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    LOG.info("[module: redis_publish] new Redis client for db {} (port {})", target.db(), target.port());
    return Redis.createClient(vertx, options);
  }

  @Override
  protected Future<Void> stopModule() {
    clients.values().forEach(Redis::close);
    clients.clear();
    return Future.succeededFuture();
  }
}
