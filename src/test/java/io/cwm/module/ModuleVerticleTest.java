package io.cwm.module;

import io.cwm.testing.Futures;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.cwm.bus.Addresses;
import io.cwm.bus.LocalCodec;
import io.cwm.config.ConfigException;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The base every module verticle shares: a call hands the module the very target object it was
 * given at load (no parse per call), and every way a delivery can go wrong comes back typed.
 */
class ModuleVerticleTest {
  /** A module's parsed target. */
  record ProbeTarget(String name) {}

  /** Records the targets it is handed; fails as the target's name says. */
  static final class ProbeVerticle extends ModuleVerticle<ProbeTarget> {
    final List<ProbeTarget> seen = new CopyOnWriteArrayList<>();

    ProbeVerticle() {
      super("probe", ProbeTarget.class);
    }

    @Override
    protected Future<Void> deliver(ModuleCall call, ProbeTarget target) {
      seen.add(target);
      return switch (target.name()) {
        case "refused connection" -> throw new ConfigException("connection.host", "is not allowed");
        case "bug" -> throw new IllegalStateException("a bug");
        case "unavailable" -> Future.failedFuture(new ModuleFailure(Category.UNAVAILABLE, "try later"));
        default -> Future.succeededFuture();
      };
    }
  }

  private Vertx vertx;
  private ProbeVerticle module;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(ModuleCall.class, new LocalCodec<>(ModuleCall.class));
    module = new ProbeVerticle();
    await(vertx.deployVerticle(module));
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }


  private Future<Object> call(Object target) {
    ModuleCall call = new ModuleCall("hook", "probe", target, null, null, new JsonObject(), Map.of(), null);
    return vertx.eventBus().request(Addresses.module("probe"), call).map(reply -> reply.body());
  }

  private ModuleFailure failureOf(Object target) throws Exception {
    return ModuleFailure.from(Futures.failure(call(target)));
  }

  @Test
  void everyCallHandsTheModuleTheTargetObjectItWasLoadedWith() throws Exception {
    ProbeTarget loaded = new ProbeTarget("ok");
    await(call(loaded));
    await(call(loaded));
    assertEquals(2, module.seen.size());
    module.seen.forEach(seen -> assertSame(loaded, seen));
  }

  @Test
  void aCallWithoutATargetOfTheModulesTypeIsAConfigFailure() throws Exception {
    assertEquals(Category.CONFIG, failureOf(null).category());
    assertEquals(Category.CONFIG, failureOf(new JsonObject().put("name", "ok")).category());
    assertEquals(List.of(), module.seen);
  }

  @Test
  void aConfigExceptionWhileDeliveringIsAConfigFailureNamingModuleAndKey() throws Exception {
    ModuleFailure failure = failureOf(new ProbeTarget("refused connection"));
    assertEquals(Category.CONFIG, failure.category());
    assertEquals("probe connection.host is not allowed", failure.getMessage());
  }

  @Test
  void aTypedFailureKeepsItsCategoryAndAnythingElseIsInternal() throws Exception {
    assertEquals(Category.UNAVAILABLE, failureOf(new ProbeTarget("unavailable")).category());
    ModuleFailure bug = failureOf(new ProbeTarget("bug"));
    assertEquals(Category.INTERNAL, bug.category());
    assertEquals("module failed", bug.getMessage());
  }
}
