package io.cwm.buffer;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Counters of one channel, in the field names of the admin API (spec §6.4); cluster-wide
 * (every receiver on the backend) and persisted. {@code pending}: ready depth per webhook id of
 * the channel ({@code queued} is their sum).
 */
public record ChannelStats(String channel, long queued, long inFlight, long delivered, long expired,
    long deadLettered, Map<String, Long> pending) {

  public JsonObject toJson(int connectedClients) {
    return new JsonObject()
        .put("channel", channel)
        .put("messages_queued", queued)
        .put("messages_in_flight", inFlight)
        .put("messages_delivered", delivered)
        .put("messages_expired", expired)
        .put("messages_dead_lettered", deadLettered)
        .put("connected_clients", connectedClients);
  }
}
