package io.cwm.bench;

import io.vertx.core.json.JsonObject;

/**
 * One module's case in {@link ModuleBench} with its baseline: the same server driven by its own
 * client (its CLI benchmark where one exists, such as mysqlslap or a mosquitto_pub loop, else its
 * client library called directly), doing the same work (1 KB JSON per message, the same number
 * of messages in flight) in the same run, so the module's figure is read as a ratio against it.
 * A case starts its server (or checks the machine's) in {@link #start} and cleans up in
 * {@link #close}.
 */
public interface ModuleBenchCase extends AutoCloseable {

  /** The case name, also the id of its webhook entry and the module whose verticle runs it. */
  String name();

  /** Starts or checks the server and makes a fresh destination. */
  void start() throws Exception;

  /** The module's webhook entry (module, module-config, connection) as webhooks.json would hold it. */
  JsonObject entry();

  /** The connections this entry names (name → connection object), possibly empty. */
  JsonObject connections();

  /** What the baseline is, e.g. "mysqlslap, 64 clients, 1 KB INSERT", or null when the case has none. */
  String baselineName();

  /**
   * Runs the baseline for {@code seconds} with {@code outstanding} messages in flight and returns
   * its messages per second (called after the module's timed run, on the same server).
   */
  double baselinePerSecond(int seconds, int outstanding) throws Exception;

  /** Removes what the case created (tables, queues, topics) and stops what it started. */
  @Override
  void close() throws Exception;
}
