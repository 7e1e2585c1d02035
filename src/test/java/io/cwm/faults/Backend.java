package io.cwm.faults;

import io.cwm.testing.RabbitNode;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The buffer a fault run uses, on a service of the suite's own (never the machine's shared
 * ones): the embedded store (a data directory per run), a Redis started by the suite on its own
 * port with AOF {@code appendfsync everysec}, or a RabbitMQ node of its own ({@link RabbitNode}).
 * Started once for the suite; each run uses its own channel, so runs do not see each other.
 */
enum Backend {
  EMBEDDED, REDIS, RABBITMQ;

  private Process redis;
  private int redisPort;
  private Path redisDir;
  private RabbitNode rabbit;

  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Starts the service (once); a JVM that ends without the suite's clean-up stops it too. */
  synchronized void start() throws Exception {
    if (this != EMBEDDED && redis == null && rabbit == null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          stop();
        } catch (Exception ignored) {
          // the JVM is going anyway
        }
      }, "faults-" + label() + "-stop"));
    }
    if (this == REDIS && redis == null) {
      redisDir = Files.createTempDirectory("cwm-faults-redis-");
      redisPort = TestServer.freePort();
      startRedis();
    } else if (this == RABBITMQ && rabbit == null) {
      rabbit = RabbitNode.start("faults");
    }
  }

  /** Starts the suite's redis-server on its port and directory (again: it replays its AOF). */
  private void startRedis() throws Exception {
    redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", redisDir.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(redisDir.resolve("redis.log").toFile()))
        .start();
    Process started = redis;
    if (!TestConnector.await(20_000, () -> accepts(redisPort) || !started.isAlive()) || !started.isAlive()) {
      throw new IllegalStateException("the suite's redis-server did not start (see " + redisDir + "/redis.log)");
    }
  }

  /** {@code kill -9} of the service (Redis or RabbitMQ): returns once it is gone. */
  synchronized void kill9() throws Exception {
    if (this == REDIS) {
      redis.destroyForcibly();
      redis.waitFor(10, TimeUnit.SECONDS);
    } else if (this == RABBITMQ) {
      rabbit.kill();
    } else {
      throw new IllegalStateException("the embedded store lives in the receiver");
    }
  }

  /** Starts the killed service again on the same port and data. */
  synchronized void restart() throws Exception {
    if (this == REDIS) {
      startRedis();
    } else if (this == RABBITMQ) {
      rabbit.start();
    }
  }

  /** The service's port on 127.0.0.1 (Redis or RabbitMQ's AMQP port). */
  int port() {
    return switch (this) {
      case EMBEDDED -> throw new IllegalStateException("the embedded store has no port");
      case REDIS -> redisPort;
      case RABBITMQ -> rabbit.port();
    };
  }

  /** The receiver's environment for this buffer, reached on {@code port} (the service's, or a proxy's). */
  Map<String, String> env(int port) {
    return switch (this) {
      case EMBEDDED -> Map.of("WEBHOOK_CONNECT_BUFFER", "embedded");
      case REDIS -> Map.of("WEBHOOK_CONNECT_BUFFER", "redis",
          "WEBHOOK_CONNECT_REDIS_URL", "redis://127.0.0.1:" + port + "/0");
      case RABBITMQ -> Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq",
          "WEBHOOK_CONNECT_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:" + port + "/");
    };
  }

  synchronized void stop() throws Exception {
    if (redis != null) {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
      redis = null;
    }
    if (rabbit != null) {
      rabbit.close();
      rabbit = null;
    }
  }

  private static boolean accepts(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), (int) Duration.ofSeconds(1).toMillis());
      return true;
    } catch (java.io.IOException no) {
      return false;
    }
  }
}
