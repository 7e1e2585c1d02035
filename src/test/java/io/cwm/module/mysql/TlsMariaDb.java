package io.cwm.module.mysql;

import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private MariaDB (the machine's {@code mariadbd}) that only accepts TLS, started on a free port
 * with its own data directory and a test CA made with {@code openssl}: a server certificate, and a
 * client certificate for users created {@code REQUIRE X509}. Root (no password) may connect over
 * TLS from 127.0.0.1. {@link #close} stops it and deletes everything.
 */
final class TlsMariaDb implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process server;

  TlsMariaDb() throws Exception {
    dir = Files.createTempDirectory("cwm-tls-mariadb");
    port = TestServer.freePort();
    run(20, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca-key.pem"),
        "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=cwm test CA");
    for (String name : List.of("server", "client")) {
      run(20, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path(name + "-key.pem"),
          "-out", path(name + ".csr"), "-subj", "/CN=cwm-test-" + name);
      run(20, "openssl", "x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"), "-CAkey",
          path("ca-key.pem"), "-CAcreateserial", "-out", path(name + ".pem"), "-days", "2");
    }
    run(60, "mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + path("data"),
        "--auth-root-authentication-method=normal", "--skip-test-db");
    server = new ProcessBuilder("mariadbd", "--no-defaults", "--user=root", "--datadir=" + path("data"),
        "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + path("sock"), "--pid-file=" + path("pid"),
        "--log-error=" + path("error.log"), "--skip-log-bin", "--innodb-buffer-pool-size=16M",
        "--ssl-ca=" + path("ca.pem"), "--ssl-cert=" + path("server.pem"), "--ssl-key=" + path("server-key.pem"),
        "--require-secure-transport=ON")
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    if (!TestConnector.await(30_000, this::answers)) {
      close();
      throw new IllegalStateException("the TLS MariaDB did not start");
    }
  }

  int port() {
    return port;
  }

  /** A file of the test CA (ca.pem, client.pem, client-key.pem). */
  String path(String name) {
    return dir.resolve(name).toString();
  }

  /** Runs SQL as root over TLS and returns the tab-separated rows. */
  String sql(String statement) throws Exception {
    return run(30, "mysql", "-h", "127.0.0.1", "-P", String.valueOf(port), "--protocol=tcp", "-u", "root", "--ssl",
        "-N", "-B", "-e", statement).trim();
  }

  private boolean answers() {
    try {
      sql("SELECT 1");
      return true;
    } catch (Exception notYet) {
      return false;
    }
  }

  private String run(int seconds, String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile(dir, "command", ".log");
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    boolean finished = process.waitFor(seconds, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    Files.delete(output);
    if (!finished || process.exitValue() != 0) {
      throw new IllegalStateException(command[0] + " failed: " + text);
    }
    return text;
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
