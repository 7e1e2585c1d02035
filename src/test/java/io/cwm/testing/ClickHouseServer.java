package io.cwm.testing;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real ClickHouse server for tests: Debian's {@code clickhouse-server} (18.16; {@code .ci/run}
 * installs it) run as a child process with a config generated into a temporary directory:
 * listening on 127.0.0.1 only, free HTTP and native TCP ports, data, logs and tmp in that
 * directory, time zone UTC, users {@code default} (no password) and {@link #USER} /
 * {@link #PASSWORD}, both from 127.0.0.1 only.
 *
 * <p>One JVM-wide instance, started on first {@link #shared()} (readiness: {@code GET /ping}
 * answers {@code Ok.}, within {@value #START_TIMEOUT_MILLIS} ms) and stopped, its directory
 * deleted, by a shutdown hook, so every test class shares it. {@link #stop()} and {@link #start()}
 * take it down and bring it back on the same ports with the same data for down-and-back tests (a
 * test that stops it starts it again in a {@code finally}). {@link #query} runs SQL over the HTTP
 * interface with the JDK's client (the checks never go through the code under test).
 */
public final class ClickHouseServer {
  public static final String USER = "cwm_writer";
  public static final String PASSWORD = "cwm-test-secret";
  static final long START_TIMEOUT_MILLIS = 60_000;
  private static final String BINARY = "/usr/sbin/clickhouse-server";
  private static ClickHouseServer shared;

  private final Path dir;
  private final int httpPort;
  private final int tcpPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  private ClickHouseServer(Path dir, int httpPort, int tcpPort) {
    this.dir = dir;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
  }

  /** The shared server, started on first use. */
  public static synchronized ClickHouseServer shared() {
    if (shared == null) {
      if (!Files.isExecutable(Path.of(BINARY))) {
        throw new IllegalStateException(BINARY + " not found: apt-get install clickhouse-server clickhouse-client "
            + "(.ci/run does)");
      }
      try {
        ClickHouseServer server = new ClickHouseServer(Files.createTempDirectory("cwm-clickhouse"),
            TestServer.freePort(), TestServer.freePort());
        server.writeConfig();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "clickhouse-shutdown"));
        server.start();
        shared = server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The native-protocol port (what a Python config names; unused by the Java client). */
  public int tcpPort() {
    return tcpPort;
  }

  private void writeConfig() throws IOException {
    for (String sub : List.of("data", "tmp", "user_files", "log")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Files.writeString(dir.resolve("config.xml"), """
        <?xml version="1.0"?>
        <yandex>
          <logger><level>warning</level><log>%1$s/log/server.log</log><errorlog>%1$s/log/error.log</errorlog>
            <size>10M</size><count>1</count></logger>
          <http_port>%2$d</http_port>
          <tcp_port>%3$d</tcp_port>
          <listen_host>127.0.0.1</listen_host>
          <max_connections>1024</max_connections>
          <keep_alive_timeout>3</keep_alive_timeout>
          <max_concurrent_queries>200</max_concurrent_queries>
          <uncompressed_cache_size>67108864</uncompressed_cache_size>
          <mark_cache_size>67108864</mark_cache_size>
          <path>%1$s/data/</path>
          <tmp_path>%1$s/tmp/</tmp_path>
          <user_files_path>%1$s/user_files/</user_files_path>
          <users_config>%1$s/users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <timezone>UTC</timezone>
          <mlock_executable>false</mlock_executable>
        </yandex>
        """.formatted(dir, httpPort, tcpPort));
    Files.writeString(dir.resolve("users.xml"), """
        <?xml version="1.0"?>
        <yandex>
          <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
          <users>
            <default><password></password><networks><ip>127.0.0.1</ip></networks>
              <profile>default</profile><quota>default</quota></default>
            <%1$s><password>%2$s</password><networks><ip>127.0.0.1</ip></networks>
              <profile>default</profile><quota>default</quota></%1$s>
          </users>
          <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
            <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
        </yandex>
        """.formatted(USER, PASSWORD));
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the process (same ports and data as before) and waits until it answers. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    try {
      process = new ProcessBuilder(BINARY, "--config-file=" + dir.resolve("config.xml"))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/stdout.log").toFile()))
          .start();
      Process started = process;
      boolean ready = TestConnector.await(START_TIMEOUT_MILLIS, () -> !started.isAlive() || answers());
      if (!started.isAlive()) {
        process = null;
        throw new IllegalStateException("clickhouse-server exited with " + started.exitValue() + "; see "
            + dir.resolve("log"));
      }
      if (!ready) {
        stop();
        throw new IllegalStateException("clickhouse-server did not answer within " + START_TIMEOUT_MILLIS + " ms");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting clickhouse-server", e);
    }
  }

  /** Ends the process (its data stays for {@link #start()}); returns once it has exited. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Runs {@code sql} as {@code default} and returns the body (TabSeparated unless the SQL says FORMAT). */
  public String query(String sql) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException("ClickHouse answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** The lines of {@code sql}'s TabSeparated answer. */
  public List<String> lines(String sql) throws IOException, InterruptedException {
    List<String> lines = new ArrayList<>();
    for (String line : query(sql).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** A fresh database with a random name (returned); the caller drops it with {@link #dropDatabase}. */
  public String createDatabase(String prefix) throws IOException, InterruptedException {
    String name = prefix + "_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    query("CREATE DATABASE " + name);
    return name;
  }

  public void dropDatabase(String name) {
    try {
      query("DROP DATABASE IF EXISTS " + name);
    } catch (IOException | InterruptedException | RuntimeException ignored) {
      // best effort clean-up
    }
  }

  private boolean answers() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
          + "/ping")).timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().startsWith("Ok");
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private synchronized void destroy() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: best effort
    }
  }
}
