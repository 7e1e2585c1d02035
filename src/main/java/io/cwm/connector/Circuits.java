package io.cwm.connector;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The circuits of one connector's HTTP targets (issue 16): one {@link Circuit} per target of
 * connector.json whose {@code circuit_breaker} is on, named as in the file ({@code default_target},
 * {@code targets.<webhook id>}). A message belongs to the circuit of the target its webhook id is
 * delivered to. Module mode has none. Used on the connector's event loop.
 */
final class Circuits {
  static final Circuits NONE = new Circuits(Map.of(), null);

  /** Webhook id → the circuit of its own target (absent: the default target's, if any). */
  private final Map<String, Circuit> byWebhook;
  private final Circuit fallback;
  private final Map<String, Circuit> all = new LinkedHashMap<>();

  /** @param byWebhook webhook id → the circuit of its own target (null: turned off); others: {@code fallback} */
  Circuits(Map<String, Circuit> byWebhook, Circuit fallback) {
    this.byWebhook = byWebhook;
    this.fallback = fallback;
    if (fallback != null) {
      all.put(fallback.target(), fallback);
    }
    byWebhook.values().stream().filter(java.util.Objects::nonNull).forEach(circuit -> all.put(circuit.target(), circuit));
  }

  /** The circuits of the HTTP targets of {@code config} (none in module mode or when every one is off). */
  static Circuits of(ConnectorConfig config, LongSupplier clock) {
    if (!config.httpMode()) {
      return NONE;
    }
    Circuit fallback = config.defaultTarget() == null || config.defaultTarget().circuitBreaker() == null ? null
        : new Circuit("default_target", config.defaultTarget().circuitBreaker(), clock);
    Map<String, Circuit> byWebhook = new LinkedHashMap<>();
    config.targets().forEach((webhookId, target) -> {
      // a webhook with its own target has that target's circuit, or none when it is turned off
      byWebhook.put(webhookId, target.circuitBreaker() == null ? null
          : new Circuit("targets." + webhookId, target.circuitBreaker(), clock));
    });
    return new Circuits(byWebhook, fallback);
  }

  /** The circuit of the target {@code delivery} goes to, or null (none, or turned off). */
  Circuit of(Delivery delivery) {
    String webhookId = delivery.webhookId();
    if (webhookId == null) {
      return null;
    }
    return byWebhook.containsKey(webhookId) ? byWebhook.get(webhookId) : fallback;
  }

  Collection<Circuit> all() {
    return Collections.unmodifiableCollection(all.values());
  }

  boolean isEmpty() {
    return all.isEmpty();
  }

  /** Whether any circuit is open or probing. */
  boolean anyOpen() {
    for (Circuit circuit : all.values()) {
      if (circuit.state() != Circuit.State.CLOSED) {
        return true;
      }
    }
    return false;
  }

  /** Whether a probe is under way. */
  boolean probing() {
    for (Circuit circuit : all.values()) {
      if (circuit.state() == Circuit.State.PROBING) {
        return true;
      }
    }
    return false;
  }

  /** Whether an open circuit's wait for its next probe is over. */
  boolean probeDue() {
    for (Circuit circuit : all.values()) {
      if (circuit.probeDue()) {
        return true;
      }
    }
    return false;
  }

  /** The earliest time an open circuit's next probe is due (epoch ms), or -1 when none waits. */
  long nextProbeAt() {
    long next = -1;
    for (Circuit circuit : all.values()) {
      long at = circuit.nextProbeAt();
      if (at >= 0 && (next < 0 || at < next)) {
        next = at;
      }
    }
    return next;
  }

  /** The circuits that are not closed, as the receiver's admin view shows them. */
  JsonArray report() {
    JsonArray open = new JsonArray();
    for (Circuit circuit : all.values()) {
      if (circuit.state() != Circuit.State.CLOSED) {
        open.add(new JsonObject().put("target", circuit.target())
            .put("state", circuit.state().name().toLowerCase(java.util.Locale.ROOT))
            .put("since", Instant.ofEpochMilli(circuit.openedAt()).toString())
            .put("probes", circuit.probesSent()));
      }
    }
    return open;
  }

  @Override
  public String toString() {
    return all.keySet().toString();
  }
}
