package io.cwm.app;

import io.cwm.admin.AdminVerticle;
import io.cwm.buffer.ChannelBufferVerticle;
import io.cwm.ingest.IngestVerticle;
import io.cwm.stream.StreamVerticle;
import io.cwm.module.disk.SaveToDiskModuleVerticle;
import io.cwm.module.http.HttpWebhookModuleVerticle;
import io.cwm.module.log.LogModuleVerticle;
import io.cwm.module.redis.RedisPublishModuleVerticle;
import io.cwm.module.redis.RedisRqModuleVerticle;
import io.cwm.module.rabbitmq.RabbitMqModuleVerticle;
import io.vertx.core.Deployable;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The verticles that {@code verticles.json} may name, and how to build each from the context. */
public final class VerticleCatalog {
  private static final Map<String, Function<AppContext, Deployable>> FACTORIES = Map.of(
      "ingest", IngestVerticle::new,
      "admin", AdminVerticle::new,
      "buffer", app -> new ChannelBufferVerticle(app.bufferFactory(), app.config().channels().values()),
      "stream", app -> new StreamVerticle(app.config().channels(), new StreamVerticle.Observer() {
        @Override
        public void acked(String channel, long millis) {
          app.metrics().ackLatency(channel, millis * 1_000_000);
        }

        @Override
        public void connectors(String channel, String protocol, int count) {
          app.metrics().connectors(channel, protocol, count);
        }
      }),
      "module:log", app -> new LogModuleVerticle(),
      "module:save_to_disk", app -> new SaveToDiskModuleVerticle(app.env()),
      "module:redis_publish", app -> new RedisPublishModuleVerticle(),
      "module:redis_rq", app -> new RedisRqModuleVerticle(app.env()),
      "module:rabbitmq", app -> new RabbitMqModuleVerticle(app.env()),
      "module:http_webhook", app -> new HttpWebhookModuleVerticle());

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
