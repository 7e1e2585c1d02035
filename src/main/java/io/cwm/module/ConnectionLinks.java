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

  /**
   * After a config reload: every link whose connection is gone or changed retires (it closes after
   * its calls in flight), so an instance that gets no further call for that name does not keep an
   * outdated client open; {@code keep} names a link that never retires here (the default link).
   *
   * @param connections the connections of the new config, by name
   */
  public void retireOutdated(Map<String, JsonObject> connections, String keep) {
    retired.removeIf(ConnectionLink::isClosed);
    current.entrySet().removeIf(entry -> {
      JsonObject now = connections.get(entry.getKey());
      if (entry.getKey().equals(keep) || entry.getValue().connection().equals(now)) {
        return false;
      }
      L link = entry.getValue();
      link.retire();
      if (!link.isClosed()) {
        retired.add(link);
      }
      return true;
    });
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
