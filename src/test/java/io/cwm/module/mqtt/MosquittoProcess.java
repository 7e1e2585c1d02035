package io.cwm.module.mqtt;

import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto broker of the test's own ({@code /usr/sbin/mosquitto -c <generated conf>}) on free
 * loopback ports, with what the machine's anonymous broker cannot show:
 * <ul>
 *   <li>{@link #passwordPort()}: plain MQTT, user name and password required (a
 *       {@code mosquitto_passwd} file with {@link #USER} / {@link #PASSWORD});</li>
 *   <li>{@link #tlsPort()}: TLS with a server certificate for {@code localhost} / 127.0.0.1 signed by
 *       a CA the test generates with the openssl CLI ({@link #caFile()}), user and password required;</li>
 *   <li>{@link #clientCertPort()}: TLS that requires a client certificate signed by that CA
 *       ({@link #clientCertFile()}, {@link #clientKeyFile()}), anonymous otherwise.</li>
 * </ul>
 */
final class MosquittoProcess implements AutoCloseable {
  static final String USER = "hooks";
  static final String PASSWORD = "mq-pass-7Tb2";

  private final Path dir;
  private final int passwordPort;
  private final int tlsPort;
  private final int clientCertPort;
  private final Process process;

  MosquittoProcess() throws Exception {
    dir = Files.createTempDirectory("cwm-mosquitto");
    passwordPort = TestServer.freePort();
    tlsPort = TestServer.freePort();
    clientCertPort = TestServer.freePort();
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=cwm-test-ca",
        "-keyout", "ca.key", "-out", "ca.pem");
    certificate("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    certificate("client", "/CN=cwm-client", "extendedKeyUsage=clientAuth");
    run("mosquitto_passwd", "-c", "-b", "passwords", USER, PASSWORD);
    String conf = """
        per_listener_settings true
        persistence false
        log_dest file %1$s/mosquitto.log
        user root

        listener %2$d 127.0.0.1
        allow_anonymous false
        password_file %1$s/passwords

        listener %3$d 127.0.0.1
        allow_anonymous false
        password_file %1$s/passwords
        cafile %1$s/ca.pem
        certfile %1$s/server.pem
        keyfile %1$s/server.key

        listener %4$d 127.0.0.1
        allow_anonymous true
        cafile %1$s/ca.pem
        certfile %1$s/server.pem
        keyfile %1$s/server.key
        require_certificate true
        """.formatted(dir, passwordPort, tlsPort, clientCertPort);
    Files.writeString(dir.resolve("mosquitto.conf"), conf);
    process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    for (int port : List.of(passwordPort, tlsPort, clientCertPort)) {
      if (!TestConnector.await(10_000, () -> listening(port))) {
        close();
        throw new IllegalStateException("mosquitto did not listen on " + port + ": "
            + Files.readString(dir.resolve("stdout.log")));
      }
    }
  }

  private void certificate(String name, String subject, String extension) throws Exception {
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key",
        "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
    run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
  }

  private void run(String... command) throws Exception {
    Process step = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(step.getInputStream().readAllBytes());
    if (!step.waitFor(30, TimeUnit.SECONDS) || step.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int passwordPort() {
    return passwordPort;
  }

  int tlsPort() {
    return tlsPort;
  }

  int clientCertPort() {
    return clientCertPort;
  }

  String caFile() {
    return dir.resolve("ca.pem").toString();
  }

  String clientCertFile() {
    return dir.resolve("client.pem").toString();
  }

  String clientKeyFile() {
    return dir.resolve("client.key").toString();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
