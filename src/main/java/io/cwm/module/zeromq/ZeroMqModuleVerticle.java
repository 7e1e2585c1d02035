package io.cwm.module.zeromq;

import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zeromq.ZContext;

/**
 * The {@code zeromq} module (modules.md §3.12): sends each webhook as one ZeroMQ frame over a
 * long-lived socket connected as a client to the configured endpoint, one {@link ZeroMqSocket}
 * (with its own thread) per endpoint and socket type, built on first use and closed on stop.
 * Python binds a new socket per webhook, which cannot work (the second bind fails).
 *
 * <p>Frame: a JSON object or array as compact UTF-8 JSON, a string payload as its UTF-8 text
 * (as Python's {@code str}), other scalars as JSON text, a blob as its raw bytes. Request headers
 * are not sent (Python sends none either).
 */
public final class ZeroMqModuleVerticle extends ModuleVerticle<ZeroMqTarget> {
  /** The module's registry name (event-bus address {@code cwm.module.zeromq}). */
  public static final String NAME = "zeromq";
  /** The module as the catalogue sees it. Its target is the checked {@link ZeroMqTarget}. */
  public static final ModuleType<ZeroMqTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> ZeroMqTarget.fromConfig(moduleConfig, env),
      env -> new ZeroMqModuleVerticle());

  private final Map<String, ZeroMqSocket> sockets = new HashMap<>();
  private ZContext zmq;
  private Context owner;

  public ZeroMqModuleVerticle() {
    super(NAME, ZeroMqTarget.class);
  }

  @Override
  protected Future<Void> startModule() {
    owner = vertx.getOrCreateContext();
    zmq = new ZContext(1);
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> stopModule() {
    List<ZeroMqSocket> closing = new ArrayList<>(sockets.values());
    sockets.clear();
    ZContext context = zmq;
    // joins the socket threads and lets ZeroMQ write what it holds: not on the event loop
    return vertx.executeBlocking(() -> {
      closing.forEach(ZeroMqSocket::close);
      if (context != null) {
        context.close();
      }
      return null;
    }, false).mapEmpty();
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, ZeroMqTarget target) {
    ZeroMqSocket socket = sockets.computeIfAbsent(target.socketKey(), key -> new ZeroMqSocket(zmq, target, owner));
    return socket.send(frame(call.payload()), target.timeoutMillis());
  }

  /** The frame of one payload (see the class comment). */
  static byte[] frame(Object payload) {
    if (payload instanceof Buffer bytes) {
      return bytes.getBytes();
    }
    if (payload instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    return Json.encodeToBuffer(payload).getBytes();
  }
}
