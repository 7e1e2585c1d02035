package io.cwm.module;

import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.Function;

/**
 * One output module as the composition root sees it: its registry name (as webhooks.json names it)
 * and aliases, whether this build serves it, the load-time check that turns a module-config into
 * the typed target every call then carries, and how to build the verticle that serves it. Each
 * module sub-package implements it; the catalogue of all of them is {@code app.ModuleCatalog}.
 *
 * @param <T> the module's target: its module-config parsed and checked
 */
public interface ModuleType<T> {

  /** The canonical registry name (the event-bus address is {@code cwm.module.<name>}). */
  String name();

  /** Other names that configs may use for this module. */
  default Set<String> aliases() {
    return Set.of();
  }

  /** Whether this build serves the module (some known names are refused as not in this build). */
  default boolean available() {
    return true;
  }

  /**
   * Parses and checks one module-config at load; the result is what the module's calls carry.
   *
   * @param moduleConfig the substituted module-config (a chain item's merged over the entry's)
   * @param entry the substituted webhook entry, for modules that read top-level keys
   *     ({@code topic}, {@code queue_name}, {@code redis}, {@code data_type})
   * @throws io.cwm.config.ConfigException naming the key, relative to the module-config
   */
  T target(JsonObject moduleConfig, JsonObject entry, Env env);

  /**
   * Load-time check of a connection that a webhook uses with this module (its substituted object
   * from connections.json): the connection keys the module reads. Default: none, the module
   * checks them when it builds the connection's client.
   *
   * @throws io.cwm.config.ConfigException naming the key, relative to the connection
   */
  default void checkConnection(JsonObject connection, Env env) {
  }

  /** Whether a module verticle serves this module (not webhook_connect: the ingest relays it). */
  default boolean hasVerticle() {
    return available();
  }

  /** A new verticle serving this module; only called when {@link #hasVerticle()}. */
  ModuleVerticle<T> verticle(Env env);

  /** A module's load-time check: its module-config (and entry) to its typed target. */
  @FunctionalInterface
  interface TargetCheck<T> {
    /** @throws io.cwm.config.ConfigException naming the key, relative to the module-config */
    T check(JsonObject moduleConfig, JsonObject entry, Env env);
  }

  /** A module's load-time check of a connection it uses (see {@link #checkConnection}). */
  @FunctionalInterface
  interface ConnectionCheck {
    /** @throws io.cwm.config.ConfigException naming the key, relative to the connection */
    void check(JsonObject connection, Env env);
  }

  /**
   * A module this build serves, from its parts.
   *
   * @param aliases other names configs may use
   * @param check the load-time check ({@link #target})
   * @param verticle builds the verticle serving the module ({@link #verticle})
   */
  static <T> ModuleType<T> served(String name, Set<String> aliases, TargetCheck<T> check,
      Function<Env, ModuleVerticle<T>> verticle) {
    return new DeclaredModule<>(name, aliases, true, check, (connection, env) -> { }, verticle);
  }

  /**
   * A module this build serves whose connections are checked at load too.
   *
   * @param connectionCheck the load-time check of a connection the module uses ({@link #checkConnection})
   */
  static <T> ModuleType<T> served(String name, Set<String> aliases, TargetCheck<T> check,
      ConnectionCheck connectionCheck, Function<Env, ModuleVerticle<T>> verticle) {
    return new DeclaredModule<>(name, aliases, true, check, connectionCheck, verticle);
  }

  /** A module known by name (so configs get a clear refusal) that this build does not serve. */
  static ModuleType<Void> unavailable(String name, String... aliases) {
    return new DeclaredModule<>(name, Set.of(aliases), false, (moduleConfig, entry, env) -> {
      throw new IllegalStateException("module '" + name + "' is not in this build");
    }, (connection, env) -> { }, env -> {
      throw new IllegalStateException("module '" + name + "' is not in this build");
    });
  }
}
