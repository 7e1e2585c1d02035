package io.cwm.stream;

import io.cwm.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector sessions of every receiver of a cluster (spec §4.9, Java column), for what must
 * hold cluster-wide: {@code max_connections} per channel, the admin views of connected clients
 * and counts, and an admin disconnect of a session held by another node.
 *
 * <p>Each node writes its sessions into one cluster map (Hazelcast, through Vert.x shared data),
 * keyed by connection id, with a time to live that the owning node refreshes; a node that dies
 * stops refreshing and its entries vanish within {@link #TTL_MS}. Admission takes a cluster lock
 * per channel around count-then-put, so two nodes cannot both admit the last free slot. The
 * views of other nodes' sessions are as fresh as their last refresh ({@link #REFRESH_MS}).
 */
final class ClusterSessions {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSessions.class);
  static final long TTL_MS = 30_000;
  static final long REFRESH_MS = 10_000;
  private static final long LOCK_TIMEOUT_MS = 5_000;
  private static final long REMOTE_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final String nodeId = UUID.randomUUID().toString();
  private AsyncMap<String, JsonObject> map;
  private MessageConsumer<JsonObject> remote;

  ClusterSessions(Vertx vertx) {
    this.vertx = vertx;
  }

  String nodeId() {
    return nodeId;
  }

  /**
   * Opens the map and serves other nodes' requests: {@code {"op": "disconnect", "channel",
   * "connection_id"}} answered by {@code disconnect} (true, or a {@link StreamFailure}).
   */
  Future<Void> start(Function<JsonObject, Future<Boolean>> disconnect) {
    remote = vertx.eventBus().<JsonObject>consumer(Addresses.streamNode(nodeId), message -> {
      JsonObject body = message.body();
      if (!"disconnect".equals(body.getString("op"))) {
        StreamFailure.fail(message, StreamFailure.Reason.NOT_FOUND);
        return;
      }
      disconnect.apply(body).onComplete(done -> {
        if (done.succeeded()) {
          message.reply(done.result());
        } else if (done.cause() instanceof StreamFailure refused) {
          StreamFailure.fail(message, refused.reason());
        } else {
          StreamFailure.fail(message, StreamFailure.Reason.NOT_FOUND);
        }
      });
    });
    return vertx.sharedData().<String, JsonObject>getAsyncMap("cwm.stream.sessions")
        .compose(opened -> {
          map = opened;
          return remote.completion();
        });
  }

  Future<Void> stop() {
    return remote == null ? Future.succeededFuture() : remote.unregister();
  }

  private JsonObject entry(Session session) {
    return session.toJson().put("node", nodeId);
  }

  /** Admits {@code session} when its channel has fewer than {@code max} sessions cluster-wide. */
  Future<Boolean> admit(Session session, int max) {
    return vertx.sharedData().getLockWithTimeout("cwm.stream.channel." + session.channel, LOCK_TIMEOUT_MS)
        .compose(lock -> sessions(session.channel)
            .compose(current -> current.size() >= max ? Future.succeededFuture(false)
                : map.put(session.id, entry(session), TTL_MS).map(true))
            .andThen(done -> lock.release()));
  }

  void removed(String connectionId) {
    map.remove(connectionId).onFailure(failure -> LOG.warn("[connection_id: {}] could not leave the cluster "
        + "session map: {}", connectionId, failure.getMessage()));
  }

  /** Keeps this node's sessions alive in the map (and current in the admin views). */
  void refresh(Iterable<Session> local) {
    for (Session session : local) {
      if (!session.closed) {
        map.put(session.id, entry(session), TTL_MS);
      }
    }
  }

  /** Every live session of {@code channel} in the cluster, as the admin API shows them. */
  Future<List<JsonObject>> sessions(String channel) {
    return map.values().map(values -> {
      List<JsonObject> result = new ArrayList<>();
      for (JsonObject value : values) {
        if (channel.equals(value.getString("channel"))) {
          result.add(value);
        }
      }
      return result;
    });
  }

  /** The node holding {@code connectionId}, or null. */
  Future<String> owner(String connectionId) {
    return map.get(connectionId).map(value -> value == null ? null : value.getString("node"));
  }

  /** Asks the node that holds the session to end it; its refusal comes back as a {@link StreamFailure}. */
  Future<Boolean> disconnectRemote(String node, String channel, String connectionId) {
    JsonObject body = new JsonObject().put("op", "disconnect").put("channel", channel)
        .put("connection_id", connectionId);
    return vertx.eventBus().<Boolean>request(Addresses.streamNode(node), body,
            new DeliveryOptions().setSendTimeout(REMOTE_TIMEOUT_MS))
        .transform(done -> done.succeeded() ? Future.succeededFuture(done.result().body())
            : Future.failedFuture(StreamFailure.decode(done.cause())));
  }

  /** Entries as a map by connection id (tests and views). */
  Future<Map<String, JsonObject>> all() {
    return map.entries();
  }
}
