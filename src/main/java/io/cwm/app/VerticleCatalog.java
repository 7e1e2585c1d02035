package io.cwm.app;

import io.cwm.admin.AdminVerticle;
import io.cwm.buffer.ChannelBufferVerticle;
import io.cwm.ingest.IngestVerticle;
import io.cwm.stream.StreamVerticle;
import io.cwm.module.ModuleType;
import io.vertx.core.Deployable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The verticles that {@code verticles.json} may name, and how to build each from the context. */
public final class VerticleCatalog {
  private static final Map<String, Function<AppContext, Deployable>> FACTORIES = withModules(Map.ofEntries(
      Map.entry("ingest", app -> new IngestVerticle(app.ingest())),
      Map.entry("admin", app -> new AdminVerticle(app.admin())),
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
      }))));

  /** One ConnectorVerticle per configured connector (channel); deployed by the Launcher. */
  public static final String CONNECTOR = "connector";

  private VerticleCatalog() {}

  /** Adds {@code module:<name>} for every module type of {@link ModuleCatalog} that a verticle serves. */
  private static Map<String, Function<AppContext, Deployable>> withModules(
      Map<String, Function<AppContext, Deployable>> others) {
    Map<String, Function<AppContext, Deployable>> factories = new HashMap<>(others);
    for (ModuleType<?> module : ModuleCatalog.all()) {
      if (module.hasVerticle()) {
        factories.put("module:" + module.name(), app -> module.verticle(app.env()));
      }
    }
    return Map.copyOf(factories);
  }

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
