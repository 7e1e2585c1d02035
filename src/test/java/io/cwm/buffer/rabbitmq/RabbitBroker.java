package io.cwm.buffer.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The machine's RabbitMQ for tests ({@code CWM_TEST_RABBITMQ_URL}, else {@code CWM_TEST_RABBITMQ_HOST} /
 * {@code CWM_TEST_RABBITMQ_PORT}, default 127.0.0.1:5672 guest/guest) through the plain Java client,
 * to look at and set up what the buffer sees, and to delete the queues a test made.
 */
public final class RabbitBroker implements AutoCloseable {
  public static final String URL = System.getenv().getOrDefault("CWM_TEST_RABBITMQ_URL",
      "amqp://guest:guest@" + System.getenv().getOrDefault("CWM_TEST_RABBITMQ_HOST", "127.0.0.1") + ":"
          + System.getenv().getOrDefault("CWM_TEST_RABBITMQ_PORT", "5672") + "/");

  private final Connection connection;

  public RabbitBroker() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URL.endsWith("/") ? URL.substring(0, URL.length() - 1) : URL);
    factory.setAutomaticRecoveryEnabled(false);
    connection = factory.newConnection("cwm-test");
  }

  /** A fresh channel (a failed passive declare closes the channel it ran on). */
  Channel channel() throws IOException {
    return connection.createChannel();
  }

  /** Whether the queue exists (passive declare on a throwaway channel). */
  boolean exists(String queue) throws IOException {
    try (Channel channel = channel()) {
      channel.queueDeclarePassive(queue);
      return true;
    } catch (IOException e) {
      return false;
    } catch (TimeoutException e) {
      throw new IOException(e);
    }
  }

  /** Ready messages of a queue. */
  long ready(String queue) throws Exception {
    try (Channel channel = channel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    }
  }

  /** Deletes every queue of the channels' webhooks (main and DLQ) and their state and counts queues. */
  /** The channel's state and counts queues ({@code webhook_connect.j.*}), as the buffer's open declares them. */
  static void declareStateQueues(Channel amqp, String channel) throws IOException {
    amqp.queueDeclare(RabbitLayout.stateQueue(channel), true, false, false,
        RabbitLayout.stateQueueArguments().getMap());
    amqp.queueDeclare(RabbitLayout.countsQueue(channel), true, false, false,
        RabbitLayout.countsQueueArguments().getMap());
  }

  void deleteQueues(List<String> channels, List<String> webhookIds) throws Exception {
    List<String> queues = new ArrayList<>();
    for (String channel : channels) {
      for (String webhookId : webhookIds) {
        queues.add(RabbitLayout.queue(channel, webhookId));
        queues.add(RabbitLayout.deadLetterQueue(channel, webhookId));
      }
      queues.add(RabbitLayout.stateQueue(channel));
      queues.add(RabbitLayout.countsQueue(channel));
      queues.add(RabbitLayout.dedupQueue(channel));
    }
    try (Channel channel = channel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
    }
  }

  /**
   * Deletes every queue whose name contains {@code part} (a run-unique channel suffix); the names
   * come from {@code rabbitmqctl list_queues} (this machine's broker).
   */
  public void deleteQueuesContaining(String part) throws Exception {
    Process list = new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name").redirectErrorStream(true).start();
    String output = new String(list.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    list.waitFor();
    try (Channel channel = channel()) {
      for (String line : output.split("\n")) {
        String queue = line.trim();
        if (queue.contains(part) && queue.startsWith("webhook_connect.")) {
          channel.queueDelete(queue);
        }
      }
    }
  }

  /**
   * Closes, from the broker's side, the connection whose client-provided name is {@code name}
   * ({@code rabbitmqctl close_connection}); false when there is none.
   */
  static boolean closeConnection(String name) throws Exception {
    String listing = rabbitmqctl("-q", "list_connections", "pid", "client_properties");
    for (String line : listing.split("\n")) {
      if (line.contains("\"" + name + "\"")) {
        String pid = line.substring(0, line.indexOf('>') + 1).trim();
        rabbitmqctl("close_connection", pid, "cwm test: connection lost");
        return true;
      }
    }
    return false;
  }

  /** The client-provided names of the broker's connections, as {@code rabbitmqctl list_connections} prints them. */
  static String connectionNames() throws Exception {
    return rabbitmqctl("-q", "list_connections", "client_properties");
  }

  private static String rabbitmqctl(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    process.waitFor();
    return output;
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
