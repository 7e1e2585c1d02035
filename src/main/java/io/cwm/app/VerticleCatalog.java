package io.cwm.app;

import io.cwm.admin.AdminVerticle;
import io.cwm.buffer.ChannelBufferVerticle;
import io.cwm.ingest.IngestVerticle;
import io.cwm.stream.StreamVerticle;
import io.cwm.module.disk.SaveToDiskModuleVerticle;
import io.cwm.module.http.HttpWebhookModuleVerticle;
import io.cwm.module.kafka.KafkaModuleVerticle;
import io.cwm.module.log.LogModuleVerticle;
import io.cwm.module.postgres.PostgresModuleVerticle;
import io.cwm.module.redis.RedisPublishModuleVerticle;
import io.cwm.module.redis.RedisRqModuleVerticle;
import io.cwm.module.rabbitmq.RabbitMqModuleVerticle;
import io.cwm.module.s3.S3ModuleVerticle;
import io.vertx.core.Deployable;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The verticles that {@code verticles.json} may name, and how to build each from the context. */
public final class VerticleCatalog {
  private static final Map<String, Function<AppContext, Deployable>> FACTORIES = Map.ofEntries(
      Map.entry("ingest", IngestVerticle::new),
      Map.entry("admin", AdminVerticle::new),
      Map.entry("buffer", app -> new ChannelBufferVerticle(app.bufferFactory(), app.config().channels().values())),
      Map.entry("stream", app -> new StreamVerticle(app.config().channels(), new StreamVerticle.Observer() {
        @Override
        public void acked(String channel, long millis) {
          app.metrics().ackLatency(channel, millis * 1_000_000);
        }

        @Override
        public void connectors(String channel, String protocol, int count) {
          app.metrics().connectors(channel, protocol, count);
        }
      })),
      Map.entry("module:log", app -> new LogModuleVerticle()),
      Map.entry("module:save_to_disk", app -> new SaveToDiskModuleVerticle(app.env())),
      Map.entry("module:redis_publish", app -> new RedisPublishModuleVerticle()),
      Map.entry("module:redis_rq", app -> new RedisRqModuleVerticle(app.env())),
      Map.entry("module:rabbitmq", app -> new RabbitMqModuleVerticle(app.env())),
      Map.entry("module:http_webhook", app -> new HttpWebhookModuleVerticle()),
      Map.entry("module:kafka", app -> new KafkaModuleVerticle(app.env())),
      Map.entry("module:postgresql", app -> new PostgresModuleVerticle(app.env())),
      Map.entry("module:s3", app -> new S3ModuleVerticle(app.env())));

  /** One ConnectorVerticle per configured connector (channel); deployed by the Launcher. */
  public static final String CONNECTOR = "connector";

  private VerticleCatalog() {}

  public static Function<AppContext, Deployable> factory(String name) {
    if (name.equals(CONNECTOR)) {
      return app -> {
        throw new IllegalStateException("connectors are deployed per connector config by the Launcher");
      };
    }
    Function<AppContext, Deployable> factory = FACTORIES.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown verticle '" + name + "' (known: "
          + String.join(", ", new java.util.TreeSet<>(FACTORIES.keySet())) + ")");
    }
    return factory;
  }

  public static Set<String> names() {
    return FACTORIES.keySet();
  }
}
