package io.cwm.testing;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerFilter;
import org.apache.activemq.broker.ConnectionContext;
import org.apache.activemq.broker.ProducerBrokerExchange;
import org.apache.activemq.command.ConnectionInfo;

/**
 * A real ActiveMQ Classic broker in the test JVM, started once and shared: a STOMP transport on a
 * free loopback port, no persistence (messages live in the broker's memory), no JMX, no
 * advisories. Anonymous access is allowed and {@link #USER}/{@link #PASSWORD} may log in (any
 * other login is refused); nobody may write to a {@code forbidden.*} destination, for permission
 * failures. Tests
 * read messages back with the JMS client over the in-JVM {@code vm://} transport.
 */
public final class ActiveMqBroker {
  public static final String USER = "cwm";
  public static final String PASSWORD = "cwm-secret";
  private static ActiveMqBroker shared;

  private final BrokerService broker;
  private final int stompPort;
  private final Connection jms;

  /** One message as read back: its body, its JMS properties and delivery mode. */
  public record Received(byte[] body, boolean text, Map<String, Object> properties, boolean persistent) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private ActiveMqBroker() throws Exception {
    stompPort = TestServer.freePort();
    broker = new BrokerService();
    broker.setBrokerName("cwm-test-" + UUID.randomUUID().toString().substring(0, 8));
    broker.setPersistent(false);
    broker.setUseJmx(false);
    broker.setAdvisorySupport(false);
    broker.setUseShutdownHook(true);
    broker.setPlugins(new BrokerPlugin[] {TestSecurity::new});
    broker.addConnector("stomp://127.0.0.1:" + stompPort);
    broker.start();
    broker.waitUntilStarted();
    jms = new ActiveMQConnectionFactory("vm://" + broker.getBrokerName() + "?create=false").createConnection();
    jms.start();
  }

  /**
   * Credentials and write permission without JAAS (not on the test classpath): a login must be
   * USER/PASSWORD (anonymous is allowed), and nobody may write to {@code forbidden.*}. The
   * messages are ActiveMQ's own.
   */
  private static final class TestSecurity extends BrokerFilter {
    TestSecurity(Broker next) {
      super(next);
    }

    @Override
    public void addConnection(ConnectionContext context, ConnectionInfo info) throws Exception {
      String user = info.getUserName();
      if (user != null && !(USER.equals(user) && PASSWORD.equals(info.getPassword()))) {
        throw new SecurityException("User name [" + user + "] or password is invalid.");
      }
      super.addConnection(context, info);
    }

    @Override
    public void send(ProducerBrokerExchange exchange, org.apache.activemq.command.Message message) throws Exception {
      if (message.getDestination().getPhysicalName().startsWith("forbidden.")) {
        throw new SecurityException("User " + exchange.getConnectionContext().getUserName()
            + " is not authorized to write to: " + message.getDestination().getQualifiedName());
      }
      super.send(exchange, message);
    }
  }

  /** The broker of this JVM, started on first use. */
  public static synchronized ActiveMqBroker shared() throws Exception {
    if (shared == null) {
      shared = new ActiveMqBroker();
    }
    return shared;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int stompPort() {
    return stompPort;
  }

  /** A connection object of type activemq for this broker at host:port (anonymous). */
  public io.vertx.core.json.JsonObject connection(String host, int port) {
    return new io.vertx.core.json.JsonObject().put("type", "activemq").put("host", host).put("port", port);
  }

  /** A consumer of a queue (or topic), started now; read with {@link #next}. Close it after use. */
  public MessageConsumer consumer(String name, boolean topic) throws Exception {
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Destination destination = topic ? session.createTopic(name) : session.createQueue(name);
    return session.createConsumer(destination);
  }

  /** The next message of {@code consumer}, waiting up to {@code millis}, or null. */
  public static Received next(MessageConsumer consumer, long millis) throws Exception {
    Message message = consumer.receive(millis);
    if (message == null) {
      return null;
    }
    Map<String, Object> properties = new HashMap<>();
    for (Enumeration<?> names = message.getPropertyNames(); names.hasMoreElements(); ) {
      String name = (String) names.nextElement();
      properties.put(name, message.getObjectProperty(name));
    }
    boolean persistent = message.getJMSDeliveryMode() == jakarta.jms.DeliveryMode.PERSISTENT;
    if (message instanceof TextMessage text) {
      return new Received(text.getText().getBytes(StandardCharsets.UTF_8), true, properties, persistent);
    }
    BytesMessage bytes = (BytesMessage) message;
    byte[] body = new byte[(int) bytes.getBodyLength()];
    bytes.readBytes(body);
    return new Received(body, false, Collections.unmodifiableMap(properties), persistent);
  }

  /** Removes a queue this test made (and what it holds). */
  public void removeQueue(String name) {
    try {
      broker.getRegionBroker().removeDestination(broker.getAdminConnectionContext(), new ActiveMQQueue(name), 1_000);
    } catch (Exception e) {
      // already gone
    }
  }

  /** Messages waiting in a queue (for tests that check nothing arrived). */
  public long queueSize(String name) throws Exception {
    org.apache.activemq.broker.region.Destination destination =
        broker.getDestination(new ActiveMQQueue(name));
    return destination == null ? 0 : destination.getDestinationStatistics().getMessages().getCount();
  }
}
