package io.cwm.module.redis;

import io.cwm.module.ConnectionLink;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * The pooled Redis client of one named {@code redis-rq} connection, shared by every call that
 * uses it; replaced by a changed connection, it closes once its last call has finished.
 */
final class RqLink extends ConnectionLink {
  private final Redis client;

  RqLink(JsonObject connection, Redis client) {
    super(connection);
    this.client = client;
  }

  /** Sends the commands as one pipelined batch, counted in flight. */
  Future<List<Response>> batch(List<Request> commands) {
    return counted(() -> client.batch(commands));
  }

  @Override
  protected Future<Void> release() {
    return client.close();
  }
}
