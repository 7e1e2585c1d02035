package io.cwm.buffer.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Redis} that sends every command over a few long-lived connections, pipelined: many
 * commands are on the wire at once instead of one per pooled connection (the pooled client waits
 * for each reply before a connection takes the next command, which capped ingest at a few
 * thousand messages a second). A connection that fails or ends is replaced on the next call.
 */
final class PipelinedRedis implements Redis {
  private final Redis connector;
  private final Future<RedisConnection>[] connections;
  private final AtomicInteger next = new AtomicInteger();

  @SuppressWarnings("unchecked")
  PipelinedRedis(Redis connector, int connections) {
    this.connector = connector;
    this.connections = new Future[connections];
  }

  private Future<RedisConnection> connection() {
    int index = Math.floorMod(next.getAndIncrement(), connections.length);
    synchronized (connections) {
      Future<RedisConnection> current = connections[index];
      if (current == null || current.failed()) {
        Promise<RedisConnection> opening = Promise.promise();
        current = opening.future();
        connections[index] = current;
        Future<RedisConnection> slot = current;
        connector.connect().onComplete(done -> {
          if (done.succeeded()) {
            RedisConnection connection = done.result();
            Runnable forget = () -> {
              synchronized (connections) {
                if (connections[index] == slot) {
                  connections[index] = null;
                }
              }
            };
            connection.exceptionHandler(failure -> forget.run());
            connection.endHandler(ended -> forget.run());
            opening.complete(connection);
          } else {
            synchronized (connections) {
              if (connections[index] == slot) {
                connections[index] = null;
              }
            }
            opening.fail(done.cause());
          }
        });
      }
      return current;
    }
  }

  @Override
  public Future<RedisConnection> connect() {
    return connection();
  }

  @Override
  public Future<Response> send(Request request) {
    return connection().compose(connection -> connection.send(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return connection().compose(connection -> connection.batch(requests));
  }

  @Override
  public Future<Void> close() {
    synchronized (connections) {
      for (int i = 0; i < connections.length; i++) {
        Future<RedisConnection> connection = connections[i];
        if (connection != null && connection.succeeded()) {
          connection.result().close();
        }
        connections[i] = null;
      }
    }
    return connector.close();
  }
}
