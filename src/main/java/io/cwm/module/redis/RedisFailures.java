package io.cwm.module.redis;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what the Vert.x Redis client fails with into a typed {@link ModuleFailure}: unreachable
 * or dropped connections and timeouts are retryable, an authentication error or a refused
 * command is not. Messages name the operation only, never the host.
 */
final class RedisFailures {
  private RedisFailures() {}

  static ModuleFailure classify(String operation, Throwable cause) {
    if (cause instanceof ModuleFailure failure) {
      return failure;
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
        return new ModuleFailure(Category.UNAVAILABLE, operation + " failed: too many calls waiting for a connection");
      }
      if (t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return new ModuleFailure(Category.TIMEOUT, operation + " timed out");
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException) {
        return new ModuleFailure(Category.CONNECTION, operation + " failed: Redis is unreachable");
      }
      if (t instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, operation + " failed: connection lost");
      }
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.startsWith("NOPERM")) {
      return new ModuleFailure(Category.AUTH, operation + " failed: Redis refused the credentials");
    }
    if (message.startsWith("LOADING") || message.startsWith("BUSY") || message.startsWith("TRYAGAIN")
        || message.startsWith("MASTERDOWN") || message.startsWith("READONLY") || message.startsWith("OOM")) {
      return new ModuleFailure(Category.UNAVAILABLE, operation + " failed: Redis is busy or read-only");
    }
    if (cause instanceof VertxException && message.toLowerCase(java.util.Locale.ROOT).contains("connection")) {
      return new ModuleFailure(Category.CONNECTION, operation + " failed: connection lost");
    }
    if (message.startsWith("ERR") || message.startsWith("WRONGTYPE")) {
      return new ModuleFailure(Category.REJECTED, operation + " failed: Redis refused the command");
    }
    return new ModuleFailure(Category.CONNECTION, operation + " failed");
  }
}
