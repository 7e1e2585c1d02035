package io.cwm.app;

import io.cwm.config.EnvVars;
import io.cwm.buffer.embedded.EmbeddedBuffer;
import io.cwm.buffer.rabbitmq.RabbitMqBuffer;
import io.cwm.buffer.redis.RedisBuffer;
import io.cwm.config.Env;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.function.Supplier;
import io.cwm.buffer.MessageBuffer;

/**
 * Which backend the receiver uses (spec §7): {@code WEBHOOK_CONNECT_BUFFER} if set; else
 * {@code redis} when {@code WEBHOOK_CONNECT_REDIS_URL} is set; else {@code rabbitmq} when
 * {@code WEBHOOK_CONNECT_RABBITMQ_URL} is set; else {@code embedded} (the data directory).
 */
public final class BufferBackends {
  private BufferBackends() {}

  public static String choose(Env env) {
    String explicit = env.get(EnvVars.WEBHOOK_CONNECT_BUFFER, "").toLowerCase(Locale.ROOT);
    if (!explicit.isEmpty()) {
      return explicit;
    }
    if (env.get(EnvVars.WEBHOOK_CONNECT_REDIS_URL).filter(url -> !url.isBlank()).isPresent()) {
      return "redis";
    }
    if (env.get(EnvVars.WEBHOOK_CONNECT_RABBITMQ_URL).filter(url -> !url.isBlank()).isPresent()) {
      return "rabbitmq";
    }
    return "embedded";
  }

  /** The Redis URL: WEBHOOK_CONNECT_REDIS_URL, else REDIS_URL, else redis://localhost:6379/0. */
  public static String redisUrl(Env env) {
    return env.get(EnvVars.WEBHOOK_CONNECT_REDIS_URL, env.get(EnvVars.REDIS_URL, "redis://localhost:6379/0"));
  }

  /**
   * The RabbitMQ URL: WEBHOOK_CONNECT_RABBITMQ_URL, else RABBITMQ_URL, else
   * amqp://guest:guest@localhost:5672/ (spec §7).
   */
  public static String rabbitMqUrl(Env env) {
    return env.get(EnvVars.WEBHOOK_CONNECT_RABBITMQ_URL, env.get(EnvVars.RABBITMQ_URL, "amqp://guest:guest@localhost:5672/"));
  }

  /**
   * Who enforces max_queue_size on RabbitMQ: {@code receiver} (default; the shared layout's queue
   * arguments) or {@code broker} (WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS=broker: also x-max-length
   * with reject-publish, which a Python receiver on the same broker would refuse as inequivalent).
   */
  public static boolean rabbitMqBrokerLimits(Env env) {
    String limits = env.get(EnvVars.WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS, "receiver").toLowerCase(Locale.ROOT);
    return switch (limits) {
      case "receiver" -> false;
      case "broker" -> true;
      default -> throw new IllegalArgumentException(
          "WEBHOOK_CONNECT_RABBITMQ_QUEUE_LIMITS must be receiver or broker, not '" + limits + "'");
    };
  }

  /**
   * A factory for the chosen backend.
   *
   * @throws IllegalArgumentException for an unknown or not yet available backend
   */
  public static Supplier<MessageBuffer> factory(Vertx vertx, Env env, Path dataDir, Clock clock) {
    String backend = choose(env);
    return switch (backend) {
      case "embedded" -> embedded(vertx, env, dataDir, clock);
      case "redis" -> redis(vertx, env, clock);
      case "rabbitmq" -> rabbitmq(vertx, env, clock);
      default -> throw new IllegalArgumentException("WEBHOOK_CONNECT_BUFFER must be embedded, redis or rabbitmq, not '"
          + backend + "'");
    };
  }

  /** One store file per process: every buffer instance shares the one EmbeddedBuffer. */
  private static Supplier<MessageBuffer> embedded(Vertx vertx, Env env, Path dataDir, Clock clock) {
    return new SharedEmbedded(new EmbeddedBuffer(vertx, dataDir, clock, !"false".equalsIgnoreCase(
        env.get(EnvVars.WEBHOOK_CONNECT_EMBEDDED_FSYNC, "true"))));
  }

  /** The embedded backend's factory: every buffer instance gets {@code buffer} (its store's size is a metric). */
  public record SharedEmbedded(EmbeddedBuffer buffer) implements Supplier<MessageBuffer> {
    @Override
    public MessageBuffer get() {
      return buffer;
    }
  }

  /** Each buffer instance gets its own connection, for the channels it owns. */
  private static Supplier<MessageBuffer> rabbitmq(Vertx vertx, Env env, Clock clock) {
    String url = rabbitMqUrl(env);
    boolean brokerLimits = rabbitMqBrokerLimits(env);
    return () -> new RabbitMqBuffer(vertx, url, clock, brokerLimits);
  }

  /** Each buffer instance gets its own connection, for the channels it owns. */
  private static Supplier<MessageBuffer> redis(Vertx vertx, Env env, Clock clock) {
    String url = redisUrl(env);
    return () -> new RedisBuffer(vertx, url, clock);
  }
}
