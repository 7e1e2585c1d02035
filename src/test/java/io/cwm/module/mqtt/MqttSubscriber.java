package io.cwm.module.mqtt;

import io.cwm.testing.Futures;
import io.cwm.testing.TestConnector;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A plain vertx-mqtt subscriber that reads back what the module published: subscribed (SUBACK
 * received) before the constructor returns, QoS 2, every message kept with its topic, QoS and
 * retain flag.
 */
final class MqttSubscriber implements AutoCloseable {
  /** One message as the broker delivered it. */
  record Received(String topic, byte[] payload, int qos, boolean retained) {
    String text() {
      return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final MqttClient client;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  MqttSubscriber(String host, int port, String filter) {
    this(host, port, filter, new MqttClientOptions());
  }

  MqttSubscriber(String host, int port, String filter, MqttClientOptions options) {
    client = MqttClient.create(vertx, options.setClientId("cwm-test-sub-" + UUID.randomUUID().toString()
        .substring(0, 8)).setAutoKeepAlive(true));
    client.publishHandler(message -> received.add(new Received(message.topicName(), message.payload().getBytes(),
        message.qosLevel().value(), message.isRetain())));
    Promise<Void> subscribed = Promise.promise();
    client.subscribeCompletionHandler(ack -> subscribed.tryComplete());
    Futures.await(client.connect(port, host));
    Futures.await(client.subscribe(filter, MqttQoS.EXACTLY_ONCE.value()));
    Futures.await(subscribed.future());
  }

  /** Options for a subscriber that logs in over TLS with the test CA (and user/password when given). */
  static MqttClientOptions tls(String caFile, String username, String password) {
    MqttClientOptions options = new MqttClientOptions();
    options.setSsl(true);
    options.setHostnameVerificationAlgorithm("HTTPS");
    options.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
    if (username != null) {
      options.setUsername(username).setPassword(password);
    }
    return options;
  }

  static MqttClientOptions clientCertificate(String caFile, String certFile, String keyFile) {
    MqttClientOptions options = tls(caFile, null, null);
    options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
    return options;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** The messages that match, once there are {@code count} of them (15 s deadline), else fails. */
  List<Received> await(int count, Predicate<Received> matching) throws InterruptedException {
    if (!TestConnector.await(15_000, () -> received.stream().filter(matching).count() >= count)) {
      throw new AssertionError("expected " + count + " messages, got " + received.stream().filter(matching).toList()
          .size() + " of " + received.size());
    }
    return received.stream().filter(matching).toList();
  }

  List<Received> await(int count, String topic) throws InterruptedException {
    return await(count, message -> message.topic().equals(topic));
  }

  @Override
  public void close() {
    try {
      Futures.await(client.disconnect());
    } catch (RuntimeException ignored) {
      // already gone
    }
    Futures.await(vertx.close());
  }
}
