package io.cwm.buffer.rabbitmq;

import io.cwm.buffer.TokenState;
import io.vertx.core.json.JsonObject;

/**
 * What a channel needs beyond the shared layout and RabbitMQ has no store for: the token state and
 * the highest sequence number reserved by any receiver (numbers are handed out in blocks, so a
 * crash never reuses one). Kept as the one message of the channel's state queue
 * ({@link RabbitLayout#stateQueue}); every write replaces it (last writer wins). The counters it
 * still carries were written by earlier versions and are only read (as a base): counters now
 * live in {@link CounterRecord}s, which concurrent writers cannot overwrite.
 *
 * @param token null until the first open wrote it
 */
record JavaState(TokenState token, long sequence, long delivered, long expired, long deadLettered) {
  static final JavaState EMPTY = new JavaState(null, 0, 0, 0, 0);

  JavaState withToken(TokenState value) {
    return new JavaState(value, sequence, delivered, expired, deadLettered);
  }

  JavaState withSequence(long value) {
    return new JavaState(token, value, delivered, expired, deadLettered);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("version", 1)
        .put("sequence", sequence)
        .put("delivered", delivered)
        .put("expired", expired)
        .put("dead_lettered", deadLettered);
    if (token != null) {
      json.put("token", new JsonObject()
          .put("current", token.currentHash())
          .put("previous", token.previousHash())
          .put("previous_expires_at", token.previousExpiresAtMillis())
          .put("config", token.configHash())
          .put("rotated_at", token.rotatedAtMillis()));
    }
    return json;
  }

  static JavaState fromJson(JsonObject json) {
    JsonObject token = json.getJsonObject("token");
    TokenState state = token == null || token.getString("current") == null ? null
        : new TokenState(token.getString("current"), token.getString("previous"),
            token.getLong("previous_expires_at", 0L), token.getString("config"), token.getLong("rotated_at", 0L));
    return new JavaState(state, json.getLong("sequence", 0L), json.getLong("delivered", 0L),
        json.getLong("expired", 0L), json.getLong("dead_lettered", 0L));
  }
}
