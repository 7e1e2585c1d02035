package io.cwm.app;

import io.cwm.admin.AdminVerticle;
import io.cwm.buffer.ChannelBufferVerticle;
import io.cwm.config.ChannelOwners;
import io.cwm.config.ChannelSpec;
import io.cwm.ingest.IngestVerticle;
import io.cwm.stream.ChannelVerticle;
import io.cwm.stream.StreamVerticle;
import io.cwm.module.ModuleType;
import io.vertx.core.Deployable;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The verticles that {@code verticles.json} may name, and how to build each from the context. */
public final class VerticleCatalog {
  /** Builds one instance of a verticle; {@code instance} says which, and which channels it owns. */
  @FunctionalInterface
  public interface Factory {
    Deployable create(AppContext app, Instance instance);
  }

  /**
   * One instance of a deployment line.
   *
   * @param index its number, 0 to count - 1
   * @param owners for a per-channel verticle (buffer, stream), which instance owns which channel; else null
   */
  public record Instance(int index, ChannelOwners owners) {
    /** The channels this instance owns, by name, as configured. */
    Map<String, ChannelSpec> channels(AppContext app) {
      Map<String, ChannelSpec> owned = new LinkedHashMap<>();
      app.config().channels().forEach((name, spec) -> {
        if (owners == null || owners.ownerOf(name) == index) {
          owned.put(name, spec);
        }
      });
      return owned;
    }
  }

  private static final Map<String, Factory> FACTORIES = withModules(Map.ofEntries(
      Map.entry("ingest", (app, instance) -> new IngestVerticle(app.ingest())),
      Map.entry("admin", (app, instance) -> new AdminVerticle(app.admin())),
      Map.entry("buffer", (app, instance) -> new ChannelBufferVerticle(app.bufferFactory(),
          instance.channels(app).values(), instance.index(), app.bufferObserver(), instance.owners())),
      Map.entry("stream", VerticleCatalog::stream),
      Map.entry("channel", (app, instance) -> new ChannelVerticle(new ChannelBufferVerticle(app.bufferFactory(),
          instance.channels(app).values(), instance.index(), app.bufferObserver(), instance.owners()),
          stream(app, instance)))));

  private static StreamVerticle stream(AppContext app, Instance instance) {
    return new StreamVerticle(instance.channels(app), new StreamVerticle.Observer() {
      @Override
      public void acked(String channel, long millis) {
        app.metrics().ackLatency(channel, millis * 1_000_000);
      }

      @Override
      public void connectors(String channel, String protocol, int count) {
        app.metrics().connectors(channel, protocol, count);
      }

      @Override
      public void paused(String channel, int count) {
        app.metrics().pausedSessions(channel, count);
      }
    }, Clock.systemUTC(), instance.index(), instance.owners()).tracing(app.tracing());
  }

  /** One ConnectorVerticle per configured connector (channel); deployed by the Launcher. */
  public static final String CONNECTOR = "connector";

  private VerticleCatalog() {}

  /** Adds {@code module:<name>} for every module type of {@link ModuleCatalog} that a verticle serves. */
  private static Map<String, Factory> withModules(Map<String, Factory> others) {
    Map<String, Factory> factories = new HashMap<>(others);
    for (ModuleType<?> module : ModuleCatalog.all()) {
      if (module.hasVerticle()) {
        factories.put("module:" + module.name(), (app, instance) -> module.verticle(app.env()));
      }
    }
    return Map.copyOf(factories);
  }

  public static Factory factory(String name) {
    if (name.equals(CONNECTOR)) {
      return (app, instance) -> {
        throw new IllegalStateException("connectors are deployed per connector config by the Launcher");
      };
    }
    Factory factory = FACTORIES.get(name);
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
