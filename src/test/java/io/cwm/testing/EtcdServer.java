package io.cwm.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd for tests: Debian's {@code etcd-server} ({@code /usr/bin/etcd}; {@code .ci/run}
 * installs it) run as a child process, a single-member cluster on free client and peer ports on
 * 127.0.0.1, with its data in a temporary directory. One per test class (tests kill it, restart it
 * and turn authentication on). {@link #kill()} ends it at once, as a crash would; {@link #start()}
 * brings it back on the same ports with the same data.
 *
 * <p>The helpers write through etcd's JSON gateway with the JDK's client, never through the code
 * under test; after {@link #enableAuth} they write as {@code root}.
 */
public final class EtcdServer implements AutoCloseable {
  public static final String BINARY = "/usr/bin/etcd";
  public static final String ROOT_PASSWORD = "root-test-secret";
  static final long START_TIMEOUT_MILLIS = 30_000;

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private String rootToken;

  private EtcdServer(Path dir, int clientPort, int peerPort) {
    this.dir = dir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
  }

  /** Whether the binary is installed (tests skip with a message when it is not). */
  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /** A new member, started. */
  public static EtcdServer launch() {
    try {
      EtcdServer server = new EtcdServer(Files.createTempDirectory("cwm-etcd"), TestServer.freePort(),
          TestServer.freePort());
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return clientPort;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the process (same ports and data as before) and waits until {@code /health} says true. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    try {
      process = new ProcessBuilder(BINARY, "--name", "cwm-test", "--data-dir", dir.resolve("data").toString(),
          "--listen-client-urls", client, "--advertise-client-urls", client,
          "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
          "--initial-cluster", "cwm-test=" + peer, "--initial-cluster-state", "new")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
          .start();
      Process started = process;
      boolean ready = TestConnector.await(START_TIMEOUT_MILLIS, () -> !started.isAlive() || healthy());
      if (!started.isAlive()) {
        process = null;
        throw new IllegalStateException("etcd exited with " + started.exitValue() + "; see " + dir.resolve("etcd.log"));
      }
      if (!ready) {
        kill();
        throw new IllegalStateException("etcd was not healthy within " + START_TIMEOUT_MILLIS + " ms");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting etcd", e);
    }
  }

  /** Kills the process (SIGKILL, as a crash) and returns once it has exited; its data stays. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private boolean healthy() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(2))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sets {@code key} to {@code value}. */
  public void put(String key, String value) {
    call("/v3/kv/put", new JsonObject().put("key", encode(key)).put("value", encode(value)));
  }

  /** Sets every key of {@code values} in one transaction (one revision, one watch response). */
  public void putAll(Map<String, String> values) {
    JsonArray puts = new JsonArray();
    values.forEach((key, value) -> puts.add(new JsonObject().put("request_put",
        new JsonObject().put("key", encode(key)).put("value", encode(value)))));
    call("/v3/kv/txn", new JsonObject().put("success", puts));
  }

  public void delete(String key) {
    call("/v3/kv/deleterange", new JsonObject().put("key", encode(key)));
  }

  /**
   * Turns authentication on: user {@code root} ({@link #ROOT_PASSWORD}), and {@code user} with
   * {@code password} that may only read the keys starting with {@code prefix}.
   */
  public void enableAuth(String user, String password, String prefix) {
    call("/v3/auth/user/add", new JsonObject().put("name", "root").put("password", ROOT_PASSWORD));
    call("/v3/auth/role/add", new JsonObject().put("name", "root"));
    call("/v3/auth/user/grant", new JsonObject().put("user", "root").put("role", "root"));
    call("/v3/auth/role/add", new JsonObject().put("name", "cwm-reader"));
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    end[end.length - 1]++;
    call("/v3/auth/role/grant", new JsonObject().put("name", "cwm-reader").put("perm", new JsonObject()
        .put("permType", "READ").put("key", encode(prefix)).put("range_end", Base64.getEncoder().encodeToString(end))));
    call("/v3/auth/user/add", new JsonObject().put("name", user).put("password", password));
    call("/v3/auth/user/grant", new JsonObject().put("user", user).put("role", "cwm-reader"));
    call("/v3/auth/enable", new JsonObject());
    rootToken = call("/v3/auth/authenticate", new JsonObject().put("name", "root").put("password", ROOT_PASSWORD))
        .getString("token");
  }

  /**
   * Sets {@code user}'s password (to the same one, if wanted): etcd then refuses every token it
   * gave that user, as when they expire.
   */
  public void changePassword(String user, String password) {
    call("/v3/auth/user/changepw", new JsonObject().put("name", user).put("password", password));
  }

  /** A fresh token of {@code user}. */
  public String token(String user, String password) {
    return send("/v3/auth/authenticate", new JsonObject().put("name", user).put("password", password))
        .getString("token");
  }

  /** Whether etcd still takes {@code token} (a read of one key with it is not refused). */
  public boolean tokenValid(String token, String key) {
    HttpRequest request = HttpRequest.newBuilder(uri("/v3/kv/range")).timeout(Duration.ofSeconds(10))
        .header("Authorization", token)
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("key", encode(key)).encode())).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() != 401;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private JsonObject call(String path, JsonObject body) {
    try {
      return send(path, body);
    } catch (Unauthenticated e) {
      rootToken = null;
      rootToken = send("/v3/auth/authenticate", new JsonObject().put("name", "root").put("password", ROOT_PASSWORD))
          .getString("token");
      return send(path, body);
    }
  }

  /** etcd answered 401: the root token expired or the member restarted and forgot it. */
  private static final class Unauthenticated extends IllegalStateException {
    Unauthenticated(String message) {
      super(message);
    }
  }

  private JsonObject send(String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (rootToken != null) {
      request.header("Authorization", rootToken);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401 && rootToken != null) {
        throw new Unauthenticated(response.body());
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException("etcd " + path + " answered " + response.statusCode() + ": "
            + response.body());
      }
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + clientPort + path);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Kills the process and deletes its directory. */
  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
