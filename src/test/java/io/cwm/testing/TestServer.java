package io.cwm.testing;

import io.cwm.app.Launcher;
import io.cwm.config.Env;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.cwm.connector.ConnectorConfig;
import java.util.concurrent.TimeUnit;

/**
 * Starts a real receiver in this JVM (the same {@link Launcher} the jar uses) on a free loopback
 * port, with config files written to a temporary directory.
 */
public final class TestServer implements AutoCloseable {
  private final Launcher.Running running;
  private final int port;
  private final Path dir;

  private TestServer(Launcher.Running running, int port, Path dir) {
    this.running = running;
    this.port = port;
    this.dir = dir;
  }

  public static TestServer start(String webhooksJson) throws Exception {
    return start(webhooksJson, "{}", Map.of());
  }

  /**
   * @param env environment seen by the server; SAVE_TO_DISK_BASE_DIR defaults to the temporary
   *     directory so save_to_disk writes stay inside it
   */
  public static TestServer start(String webhooksJson, String connectionsJson, Map<String, String> env)
      throws Exception {
    return startIn(Files.createTempDirectory("cwm-test"), webhooksJson, connectionsJson, env);
  }

  /** Starts in {@code dir} (config files, data directory): a restart when an earlier server used it. */
  public static TestServer startIn(Path dir, String webhooksJson, String connectionsJson, Map<String, String> env)
      throws Exception {
    return startIn(dir, freePort(), "receiver", webhooksJson, connectionsJson, env, List.of());
  }

  /** Starts {@code role} on {@code port} in {@code dir} with these connectors (role connector or both). */
  public static TestServer startIn(Path dir, int port, String role, String webhooksJson, String connectionsJson,
      Map<String, String> env, List<ConnectorConfig> connectors) throws Exception {
    return startIn(dir, port, role, webhooksJson, connectionsJson, env, connectors, null);
  }

  /** A receiver whose verticles.json is {@code verticlesJson} (instances, channel pins). */
  public static TestServer startWithVerticles(String verticlesJson, String webhooksJson, Map<String, String> env)
      throws Exception {
    return startIn(Files.createTempDirectory("cwm-test"), freePort(), "receiver", webhooksJson, "{}", env, List.of(),
        verticlesJson);
  }

  /**
   * A receiver that joins the Hazelcast cluster the {@code CWM_CLUSTER_*} variables of {@code env}
   * describe ({@code --cluster}), in this JVM: several of them make an in-process cluster.
   */
  public static TestServer startClustered(Path dir, String webhooksJson, Map<String, String> env) throws Exception {
    return startIn(dir, freePort(), "receiver", webhooksJson, "{}", env, List.of(), null, true);
  }

  private static TestServer startIn(Path dir, int port, String role, String webhooksJson, String connectionsJson,
      Map<String, String> env, List<ConnectorConfig> connectors, String verticlesJson) throws Exception {
    return startIn(dir, port, role, webhooksJson, connectionsJson, env, connectors, verticlesJson, false);
  }

  private static TestServer startIn(Path dir, int port, String role, String webhooksJson, String connectionsJson,
      Map<String, String> env, List<ConnectorConfig> connectors, String verticlesJson, boolean cluster)
      throws Exception {
    Path verticles = null;
    if (verticlesJson != null) {
      verticles = dir.resolve("verticles.json");
      Files.writeString(verticles, verticlesJson);
    }
    Path webhooks = dir.resolve("webhooks.json");
    Path connections = dir.resolve("connections.json");
    Files.writeString(webhooks, webhooksJson);
    Files.writeString(connections, connectionsJson);
    Map<String, String> fullEnv = new HashMap<>(env);
    fullEnv.putIfAbsent("SAVE_TO_DISK_BASE_DIR", dir.toString());
    String adminPort = fullEnv.get("WEBHOOK_CONNECT_ADMIN_PORT");
    Launcher.Options options = new Launcher.Options(role, webhooks, connections, verticles,
        "127.0.0.1", port, adminPort == null ? null : Integer.valueOf(adminPort), dir.resolve("data"), Env.of(fullEnv),
        connectors, cluster);
    Launcher.Running running = Launcher.start(options).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return new TestServer(running, port, dir);
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** The temporary directory holding the config files (and the save_to_disk base). */
  public Path dir() {
    return dir;
  }

  public Launcher.Running running() {
    return running;
  }

  @Override
  public void close() throws Exception {
    running.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
