package io.cwm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server for tests: Adobe S3Mock (5.x exec jar, fetched by the build to the
 * path in system property {@code cwm.s3mock.jar}) run as a child process on free ports, its store
 * in a temporary directory, its output in {@code target/s3mock/s3mock-<port>.log}.
 *
 * <p>One JVM-wide instance, started on first {@link #shared()} (about 6–8 s; readiness = the HTTP
 * port answering {@code GET /}) and destroyed with its store by a shutdown hook, so test classes
 * share it. {@link #stop()} and {@link #start()} take it down and bring it back on the same port
 * with the same store (buckets and objects survive), for down-and-back tests: a test that stops
 * it must start it again (in a {@code finally}).
 *
 * <p>S3Mock accepts any credentials; {@link #connectionJson()} gives a connections.json entry for
 * it (the receiver needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}). Its HTTP port listens on all
 * interfaces (S3Mock binds only its HTTPS port to {@code server.address}).
 */
public final class S3Server {
  public static final String ACCESS_KEY = "cwm-test";
  public static final String SECRET_KEY = "cwm-test-secret";
  private static final long START_TIMEOUT_MILLIS = 90_000;
  private static S3Server shared;

  private final Path jar;
  private final Path store;
  private final Path log;
  private final int httpPort;
  private final List<Integer> otherPorts;
  private Process process;

  private S3Server(Path jar, Path store, int httpPort, List<Integer> otherPorts) {
    this.jar = jar;
    this.store = store;
    this.httpPort = httpPort;
    this.otherPorts = otherPorts;
    this.log = jar.getParent().resolve("s3mock-" + httpPort + ".log");
  }

  /** The shared server, started on first use. */
  public static synchronized S3Server shared() {
    if (shared == null) {
      try {
        Path jar = Paths.get(System.getProperty("cwm.s3mock.jar", "target/s3mock/s3mock-exec.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
          throw new IllegalStateException("S3Mock jar not found at " + jar
              + " (mvn process-test-resources fetches it; property cwm.s3mock.jar)");
        }
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          ports.add(TestServer.freePort());
        }
        S3Server server = new S3Server(jar, Files.createTempDirectory("cwm-s3mock"), ports.get(0), ports.subList(1, 4));
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "s3mock-shutdown"));
        server.start();
        shared = server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** {@code http://127.0.0.1:<port>}: the endpoint_url for connections and clients. */
  public String endpoint() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int port() {
    return httpPort;
  }

  /** A connections.json entry of type s3 for this server (static test credentials). */
  public String connectionJson() {
    return """
        {"type": "s3", "endpoint_url": "%s", "region": "us-east-1",
         "aws_access_key_id": "%s", "aws_secret_access_key": "%s"}""".formatted(endpoint(), ACCESS_KEY, SECRET_KEY);
  }

  /** A new synchronous client for this server (path-style, test credentials); the caller closes it. */
  public S3Client client() {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(endpoint()))
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  public void createBucket(String bucket) {
    try (S3Client client = client()) {
      client.createBucket(request -> request.bucket(bucket));
    }
  }

  /** Deletes every object of {@code bucket} and the bucket (test cleanup). */
  public void deleteBucket(String bucket) {
    try (S3Client client = client()) {
      ListObjectsV2Response page;
      String token = null;
      do {
        String continuation = token;
        page = client.listObjectsV2(request -> request.bucket(bucket).continuationToken(continuation));
        List<ObjectIdentifier> keys = page.contents().stream()
            .map(S3Object::key).map(key -> ObjectIdentifier.builder().key(key).build()).toList();
        if (!keys.isEmpty()) {
          client.deleteObjects(request -> request.bucket(bucket).delete(Delete.builder().objects(keys).build()));
        }
        token = page.nextContinuationToken();
      } while (token != null);
      client.deleteBucket(request -> request.bucket(bucket));
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the process (same port and store as before) and waits until it answers. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    List<String> command = List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toString(),
        "--http.port=" + httpPort,
        "--server.address=127.0.0.1",
        "--server.port=" + otherPorts.get(0),
        "--vectors.http.port=" + otherPorts.get(1),
        "--vectors.https.port=" + otherPorts.get(2),
        "--com.adobe.testing.s3mock.store.root=" + store,
        "--com.adobe.testing.s3mock.store.retainFilesOnExit=true", // a restart keeps buckets; we delete the store
        "--spring.main.banner-mode=off");
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      awaitReady();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting S3Mock", e);
    }
  }

  /** Ends the process (its store stays for {@link #start()}); returns when the port is closed. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private void awaitReady() throws InterruptedException {
    Process started = process;
    boolean ready = TestConnector.await(START_TIMEOUT_MILLIS, () -> !started.isAlive() || answers());
    if (!started.isAlive()) {
      process = null;
      throw new IllegalStateException("S3Mock exited with " + started.exitValue() + "; see " + log);
    }
    if (!ready) {
      stop();
      throw new IllegalStateException("S3Mock did not answer within " + START_TIMEOUT_MILLIS + " ms; see " + log);
    }
  }

  private boolean answers() {
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
      connection.setConnectTimeout(1000);
      connection.setReadTimeout(5000);
      int status = connection.getResponseCode();
      connection.disconnect();
      return status == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  private synchronized void destroy() {
    stop();
    try (Stream<Path> files = Files.walk(store)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: best effort
    }
  }
}
