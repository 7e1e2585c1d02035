package io.cwm.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mysql module against the machine's MariaDB (127.0.0.1:3306, root), json storage, in a
 * database of its own that {@link #close} drops. Baseline: {@code mysqlslap} with as many clients
 * as the module has calls in flight, each running the module's INSERT (same 1 KB JSON payload and
 * headers, autocommit) into the same table the module created, over TCP.
 */
final class MySqlBenchCase implements ModuleBenchCase {
  private static final Pattern AVERAGE = Pattern.compile("Average number of seconds to run all queries: ([0-9.]+) seconds");
  private final String database = "cwm_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String table = "events";

  @Override
  public String name() {
    return "mysql";
  }

  @Override
  public void start() throws Exception {
    mysql("CREATE DATABASE `" + database + "`");
  }

  @Override
  public JsonObject entry() {
    return new JsonObject().put("module", "mysql").put("connection", "bench_mysql")
        .put("module-config", new JsonObject().put("table", table).put("storage_mode", "json"));
  }

  @Override
  public JsonObject connections() {
    return new JsonObject().put("bench_mysql", new JsonObject().put("type", "mysql").put("host", "127.0.0.1")
        .put("port", 3306).put("database", database).put("user", "root"));
  }

  @Override
  public String baselineName() {
    return "mysqlslap, one client per call in flight, the module's 1 KB JSON INSERT (autocommit, TCP)";
  }

  @Override
  public double baselinePerSecond(int seconds, int outstanding) throws Exception {
    // a short run to learn the rate, then one of about `seconds` at that rate
    double rate = mysqlslap(outstanding, outstanding * 20);
    int queries = (int) Math.max(outstanding, Math.round(rate * seconds / outstanding) * outstanding);
    return mysqlslap(outstanding, queries);
  }

  private double mysqlslap(int clients, int queries) throws Exception {
    String payload = new JsonObject().put("event", "payment_intent.succeeded").put("sent_ns", System.nanoTime())
        .put("pad", "x".repeat(940)).encode();
    String headers = new JsonObject().put("content-type", "application/json").put("user-agent", "cwm-bench").encode();
    String insert = "INSERT INTO `" + table + "` (`webhook_id`, `timestamp`, `payload`, `headers`) VALUES ('mysql', "
        + "UTC_TIMESTAMP(), '" + payload + "', '" + headers + "')";
    // --no-drop: without it mysqlslap drops the schema it ran in
    String output = run(List.of("mysqlslap", "-h", "127.0.0.1", "--protocol=tcp", "-u", "root",
        "--create-schema=" + database, "--no-drop", "--concurrency=" + clients, "--number-of-queries=" + queries,
        "--query=" + insert), 600);
    Matcher average = AVERAGE.matcher(output);
    if (!average.find()) {
      throw new IllegalStateException("mysqlslap printed no average: " + output);
    }
    return queries / Double.parseDouble(average.group(1));
  }

  private void mysql(String statement) throws Exception {
    run(List.of("mysql", "-h", "127.0.0.1", "--protocol=tcp", "-u", "root", "-e", statement), 30);
  }

  private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Path log = Files.createTempFile("cwm-bench-mysql", ".txt");
    try {
      Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (!finished || process.exitValue() != 0) {
        throw new IllegalStateException(String.format(Locale.ROOT, "%s failed: %s", command.get(0), output));
      }
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Override
  public void close() throws Exception {
    mysql("DROP DATABASE IF EXISTS `" + database + "`");
  }
}
