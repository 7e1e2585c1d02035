package io.cwm.module.redis;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis_rq} module: enqueues an RQ job {@code function(payload, headers)} that a
 * Python {@code rq worker} runs (modules.md §3.5), with the function and queue of the call's
 * {@link RqTarget}. Job hash, queue set and queue list are written in one MULTI/EXEC. One pooled
 * client per named {@code redis-rq} connection (host, port, db; {@code password} as an
 * extension), an {@link RqLink}: a changed connection gets a new client and the old one closes
 * once its calls in flight have finished.
 */
public final class RedisRqModuleVerticle extends LinkedModuleVerticle<RqTarget, RqLink> {
  /** The module's registry name (event-bus address {@code cwm.module.redis_rq}). */
  public static final String NAME = "redis_rq";
  /** The module as the catalogue sees it. Its target is the {@link RqTarget} (function and queue). */
  public static final ModuleType<RqTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> RqTarget.fromConfig(moduleConfig), RedisRqModuleVerticle::new);

  private static final Logger LOG = LoggerFactory.getLogger(RedisRqModuleVerticle.class);
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int COMMAND_TIMEOUT_MILLIS = 5_000;
  private static final int MAX_POOL_SIZE = 4;
  static final int MAX_POOL_WAITING = 4096;

  public RedisRqModuleVerticle(Env env) {
    super(NAME, RqTarget.class, null, env);
  }

  @Override
  protected ModuleFailure noConnection(ModuleCall call) {
    return new ModuleFailure(Category.CONFIG, "Redis connection is not defined");
  }

  @Override
  protected ModuleFailure configFailure(ModuleCall call, ConfigException refused) {
    LOG.warn("[module: redis_rq, webhook_id: {}, connection: {}] invalid connection: {}: {}", call.webhookId(),
        call.connectionName(), refused.key(), refused.getMessage());
    return new ModuleFailure(Category.CONFIG, "invalid redis-rq connection");
  }

  @Override
  protected RqLink newLink(String name, JsonObject connection) {
    ConnectionRules.check(connection.copy().put("type", "redis-rq"), env);
    RqLink link = new RqLink(connection, Redis.createClient(vertx, options(connection)));
    LOG.info("[module: redis_rq, connection: {}] new Redis client", name);
    return link;
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, RqTarget target, RqLink link) {
    RqJob job = RqJob.create(target.function(), target.queue(), call.payload(), call.headers(), Instant.now());
    Request hset = Request.cmd(Command.HSET).arg(job.jobKey());
    job.fields().forEach((field, value) -> {
      hset.arg(field);
      if (value instanceof Buffer bytes) {
        hset.arg(bytes);
      } else {
        hset.arg(value.toString());
      }
    });
    return link.batch(List.of(Request.cmd(Command.MULTI), hset,
            Request.cmd(Command.SADD).arg(RqJob.QUEUES_KEY).arg(job.queueKey()),
            Request.cmd(Command.RPUSH).arg(job.queueKey()).arg(job.id()),
            Request.cmd(Command.EXEC)))
        .timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(RedisFailures.classify("Redis RQ enqueue", failure)))
        .compose(replies -> {
          if (replies.get(replies.size() - 1) == null) {
            return Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "Redis RQ enqueue was aborted"));
          }
          LOG.debug("[module: redis_rq, webhook_id: {}, queue: {}, job_id: {}] enqueued", call.webhookId(), target.queue(),
              job.id());
          return Future.<Void>succeededFuture();
        });
  }

  static RedisOptions options(JsonObject details) {
    String host = Coerce.string(details, "host", "localhost").trim();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    long port = Coerce.integer(details, "port", 6379, 1, 65535);
    long db = Coerce.integer(details, "db", 0, 0, 1_000_000);
    boolean ssl = Coerce.bool(details, "ssl", false);
    RedisOptions options = new RedisOptions()
        .setConnectionString((ssl ? "rediss://" : "redis://") + host + ":" + port + "/" + db)
        .setMaxPoolSize(MAX_POOL_SIZE)
        .setMaxWaitingHandlers(1024)
        // calls beyond the pool wait here (the default is 24: a burst of webhooks failed)
        .setMaxPoolWaiting(MAX_POOL_WAITING);
    String password = Coerce.string(details, "password", null);
    if (password != null && !password.isEmpty()) {
      options.setPassword(password);
    }
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    return options;
  }
}
