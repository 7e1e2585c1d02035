package io.cwm.module.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.module.ModuleFailure.Category;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.core.VertxException;
import io.vertx.mqtt.MqttConnectionException;
import io.vertx.mqtt.MqttException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Which MQTT failures are retryable and which are not. */
class MqttFailuresTest {
  private static Category category(Throwable failure) {
    return MqttFailures.classify(failure).category();
  }

  @Test
  void brokerUnreachableOrBusyIsRetryable() {
    assertEquals(Category.CONNECTION, category(new ConnectException("Connection refused")));
    assertEquals(Category.TIMEOUT, category(new ConnectTimeoutException("connection timed out")));
    assertEquals(Category.CONNECTION, category(new VertxException("Closed")));
    assertEquals(Category.UNAVAILABLE,
        category(new MqttConnectionException(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE)));
    assertEquals(Category.UNAVAILABLE, category(new MqttException(MqttException.MQTT_INFLIGHT_QUEUE_FULL)));
  }

  @Test
  void refusedClientsAndUntrustedCertificatesAreNot() {
    assertEquals(Category.AUTH,
        category(new MqttConnectionException(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD)));
    assertEquals(Category.AUTH,
        category(new MqttConnectionException(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)));
    assertEquals(Category.CONFIG,
        category(new MqttConnectionException(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED)));
    assertEquals(Category.CONFIG, category(new MqttConnectionException(
        MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION)));
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertificateException("unable to find valid certification path"));
    assertEquals(Category.CONFIG, category(untrusted));
    assertEquals(Category.CONNECTION, category(new SSLHandshakeException("Connection reset")));
  }
}
