package io.cwm.module;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A module verticle's links by connection name: one per named connection, created on first use
 * and reused; when the connection object under a name changes (or the link says it cannot be
 * reused), a new link takes over and the old one retires, closing after its calls in flight.
 * {@link #closeAll} closes current and retiring links (on undeploy).
 */
public final class ConnectionLinks<L extends ConnectionLink> {
  private final Map<String, L> current = new HashMap<>();
  private final List<L> retired = new ArrayList<>();

  /**
   * The link for {@code name} and {@code connection}; {@code create} builds a new one (and may
   * throw, e.g. a ConfigException, before anything changes).
   */
  public L get(String name, JsonObject connection, Supplier<L> create) {
    L link = current.get(name);
    if (link != null && link.connection().equals(connection) && link.reusable()) {
      return link;
    }
    L created = create.get();
    retired.removeIf(ConnectionLink::isClosed);
    if (link != null) {
      link.retire();
      if (!link.isClosed()) {
        retired.add(link);
      }
    }
    current.put(name, created);
    return created;
  }

  public Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    current.values().forEach(link -> closing.add(link.close()));
    retired.forEach(link -> closing.add(link.close()));
    current.clear();
    retired.clear();
    return Future.join(closing).mapEmpty();
  }
}
