package io.cwm.module.mqtt;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.mqtt.MqttConnectionException;
import io.vertx.mqtt.MqttException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Types the failures of the {@code mqtt} module: the broker unreachable, refusing for now or not
 * answering is retryable; a refused client (credentials, client id, protocol version), an
 * untrusted TLS certificate or unreadable PEM files are not. Messages are client-safe.
 */
final class MqttFailures {
  private MqttFailures() {}

  static ModuleFailure classify(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ModuleFailure typed) {
        return typed;
      }
      if (cause instanceof MqttConnectionException refused) {
        return switch (refused.code()) {
          case CONNECTION_REFUSED_SERVER_UNAVAILABLE, CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
               CONNECTION_REFUSED_SERVER_BUSY, CONNECTION_REFUSED_QUOTA_EXCEEDED ->
              new ModuleFailure(Category.UNAVAILABLE, "MQTT broker unavailable");
          case CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD ->
              new ModuleFailure(Category.AUTH, "MQTT broker refused the user name or password");
          case CONNECTION_REFUSED_NOT_AUTHORIZED, CONNECTION_REFUSED_NOT_AUTHORIZED_5 ->
              new ModuleFailure(Category.AUTH, "MQTT broker refused the client: not authorised");
          case CONNECTION_REFUSED_IDENTIFIER_REJECTED, CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID ->
              new ModuleFailure(Category.CONFIG, "MQTT broker refused the client id");
          case CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION ->
              new ModuleFailure(Category.CONFIG, "MQTT broker does not speak MQTT 3.1.1");
          default -> new ModuleFailure(Category.REJECTED, "MQTT broker refused the connection ("
              + refused.code() + ")");
        };
      }
      if (cause instanceof MqttException mqtt) {
        return mqtt.code() == MqttException.MQTT_INFLIGHT_QUEUE_FULL
            ? new ModuleFailure(Category.UNAVAILABLE, "too many MQTT messages in flight")
            : new ModuleFailure(Category.CONFIG, "MQTT client refused the topic");
      }
      if (cause instanceof ConnectTimeoutException) {
        return new ModuleFailure(Category.TIMEOUT, "connecting to the MQTT broker timed out");
      }
      if (cause instanceof SSLHandshakeException && hasCertificateProblem(cause)) {
        return new ModuleFailure(Category.CONFIG, "MQTT broker's TLS certificate is not trusted");
      }
      if (cause instanceof FileNotFoundException || cause instanceof NoSuchFileException) {
        return new ModuleFailure(Category.CONFIG, "a TLS file of the MQTT connection cannot be read");
      }
      if (cause instanceof GeneralSecurityException) {
        return new ModuleFailure(Category.CONFIG, "a TLS file of the MQTT connection is invalid");
      }
      if (cause instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, "MQTT broker unreachable");
      }
    }
    // vertx-mqtt reports a connection closed before CONNACK as a plain exception ("Closed")
    return new ModuleFailure(Category.CONNECTION, "MQTT connection failed");
  }

  private static boolean hasCertificateProblem(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException || cause instanceof java.security.cert.CertPathValidatorException
          || String.valueOf(cause.getMessage()).contains("No subject alternative")
          || String.valueOf(cause.getMessage()).contains("unable to find valid certification path")) {
        return true;
      }
    }
    return false;
  }
}
