package io.cwm.module.redis;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis_rq} module: enqueues an RQ job {@code function(payload, headers)} that a
 * Python {@code rq worker} runs (modules.md §3.5). Job hash, queue set and queue list are
 * written in one MULTI/EXEC. One pooled client per named {@code redis-rq} connection
 * (host, port, db; {@code password} as an extension); when a reload changes the connection, a
 * new client replaces it and the old one is closed after in-flight calls had time to finish.
 */
public final class RedisRqModuleVerticle extends ModuleVerticle<RqTarget> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRqModuleVerticle.class);
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int COMMAND_TIMEOUT_MILLIS = 5_000;
  private static final long RETIRE_AFTER_MILLIS = 60_000;
  private static final int MAX_POOL_SIZE = 4;
  static final int MAX_POOL_WAITING = 4096;

  private record Pool(JsonObject details, Redis client) {}

  private final Env env;
  /** Pools by connection name; only touched on this verticle's event loop. */
  private final Map<String, Pool> pools = new HashMap<>();
  private final List<Long> retireTimers = new ArrayList<>();
  private final List<Redis> retiring = new ArrayList<>();

  public RedisRqModuleVerticle(Env env) {
    super(RedisRqModuleType.NAME, RqTarget.class);
    this.env = env;
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, RqTarget target) {
    if (call.connectionName() == null || call.connection() == null) {
      return Future.failedFuture(new ModuleFailure(Category.CONFIG, "Redis connection is not defined"));
    }
    Redis client;
    try {
      client = client(call.connectionName(), call.connection());
    } catch (ConfigException e) {
      LOG.warn("[module: redis_rq, webhook_id: {}, connection: {}] invalid connection: {}: {}", call.webhookId(),
          call.connectionName(), e.key(), e.getMessage());
      return Future.failedFuture(new ModuleFailure(Category.CONFIG, "invalid redis-rq connection"));
    }
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
    return client.batch(List.of(Request.cmd(Command.MULTI), hset,
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

  private Redis client(String name, JsonObject details) {
    Pool pool = pools.get(name);
    if (pool != null && pool.details().equals(details)) {
      return pool.client();
    }
    ConnectionRules.check(details.copy().put("type", "redis-rq"), env);
    Redis client = Redis.createClient(vertx, options(details));
    pools.put(name, new Pool(details, client));
    if (pool != null) {
      retire(pool.client());
    }
    LOG.info("[module: redis_rq, connection: {}] new Redis client", name);
    return client;
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

  private void retire(Redis client) {
    retiring.add(client);
    long[] timer = new long[1];
    timer[0] = vertx.setTimer(RETIRE_AFTER_MILLIS, fired -> {
      retireTimers.remove(timer[0]);
      retiring.remove(client);
      client.close();
    });
    retireTimers.add(timer[0]);
  }

  @Override
  protected Future<Void> stopModule() {
    retireTimers.forEach(vertx::cancelTimer);
    retireTimers.clear();
    retiring.forEach(Redis::close);
    retiring.clear();
    pools.values().forEach(pool -> pool.client().close());
    pools.clear();
    return Future.succeededFuture();
  }
}
