package io.cwm.buffer;

import io.cwm.buffer.embedded.EmbeddedBuffer;
import io.cwm.buffer.redis.RedisBuffer;
import io.cwm.config.Env;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which backend the receiver uses (spec §7): {@code WEBHOOK_CONNECT_BUFFER} if set; else
 * {@code redis} when {@code WEBHOOK_CONNECT_REDIS_URL} is set; else {@code rabbitmq} when
 * {@code WEBHOOK_CONNECT_RABBITMQ_URL} is set; else {@code embedded} (the data directory).
 */
public final class BufferBackends {
  private BufferBackends() {}

  public static String choose(Env env) {
    String explicit = env.get("WEBHOOK_CONNECT_BUFFER", "").toLowerCase(Locale.ROOT);
    if (!explicit.isEmpty()) {
      return explicit;
    }
    if (env.get("WEBHOOK_CONNECT_REDIS_URL").filter(url -> !url.isBlank()).isPresent()) {
      return "redis";
    }
    if (env.get("WEBHOOK_CONNECT_RABBITMQ_URL").filter(url -> !url.isBlank()).isPresent()) {
      return "rabbitmq";
    }
    return "embedded";
  }

  /** The Redis URL: WEBHOOK_CONNECT_REDIS_URL, else REDIS_URL, else redis://localhost:6379/0. */
  public static String redisUrl(Env env) {
    return env.get("WEBHOOK_CONNECT_REDIS_URL", env.get("REDIS_URL", "redis://localhost:6379/0"));
  }

  /**
   * A factory for the chosen backend.
   *
   * @throws IllegalArgumentException for an unknown or not yet available backend
   */
  public static Supplier<MessageBuffer> factory(Vertx vertx, Env env, Path dataDir, Clock clock) {
    String backend = choose(env);
    return switch (backend) {
      case "embedded" -> () -> new EmbeddedBuffer(vertx, dataDir, clock, !"false".equalsIgnoreCase(
          env.get("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "true")));
      case "redis" -> redis(vertx, env, clock);
      case "rabbitmq" -> throw new IllegalArgumentException(
          "WEBHOOK_CONNECT_BUFFER=rabbitmq: the RabbitMQ buffer is not in this build yet");
      default -> throw new IllegalArgumentException("WEBHOOK_CONNECT_BUFFER must be embedded, redis or rabbitmq, not '"
          + backend + "'");
    };
  }

  private static Supplier<MessageBuffer> redis(Vertx vertx, Env env, Clock clock) {
    String url = redisUrl(env);
    return () -> new RedisBuffer(vertx, url, clock);
  }
}
