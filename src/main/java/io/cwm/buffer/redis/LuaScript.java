package io.cwm.buffer.redis;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script of the Redis buffer: {@code common.lua} followed by {@code <name>.lua} from this
 * package's resources. Run by EVALSHA; a Redis that lost its script cache (restart, SCRIPT FLUSH)
 * answers NOSCRIPT and gets the source by EVAL, which caches it again.
 */
final class LuaScript {
  private final String name;
  private final String source;
  private final String sha;

  /** {@code body} runs after common.lua. */
  LuaScript(String name, String body) {
    this.name = name;
    this.source = resource("common.lua") + "\n" + body;
    this.sha = sha1(source);
  }

  static LuaScript load(String name) {
    return new LuaScript(name, resource(name + ".lua"));
  }

  String name() {
    return name;
  }

  String sha() {
    return sha;
  }

  /** SCRIPT LOAD; fails when Redis computes another digest (it never should). */
  Future<Void> preload(Redis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source)).compose(loaded ->
        sha.equals(loaded.toString()) ? Future.succeededFuture()
            : Future.failedFuture("script " + name + " loaded as " + loaded + ", expected " + sha));
  }

  /** Arguments are String, Buffer or Long. */
  Future<Response> run(Redis redis, List<String> keys, List<Object> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(failure -> {
      String message = failure.getMessage();
      if (message != null && message.startsWith("NOSCRIPT")) {
        return redis.send(request(Command.EVAL, source, keys, args));
      }
      return Future.failedFuture(failure);
    });
  }

  private static Request request(Command command, String script, List<String> keys, List<Object> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      if (arg instanceof Buffer buffer) {
        request.arg(buffer);
      } else if (arg instanceof Long number) {
        request.arg(number.longValue());
      } else {
        request.arg(String.valueOf(arg));
      }
    }
    return request;
  }

  private static String resource(String file) {
    try (InputStream in = LuaScript.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
