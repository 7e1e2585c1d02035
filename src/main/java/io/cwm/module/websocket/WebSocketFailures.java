package io.cwm.module.websocket;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.websocket.WebSocketModuleVerticle.ProtocolFailure;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.UpgradeRejectedException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Types the failures of the {@code websocket} module (see {@link WebSocketModuleVerticle}):
 * WebSocket protocol failures come back as {@link ProtocolFailure} (re-attempted at once), the
 * rest as a plain {@link ModuleFailure}. Messages are client-safe (no URL, no header).
 */
final class WebSocketFailures {
  private WebSocketFailures() {}

  /** A failure to open the WebSocket (address check, TCP, TLS, upgrade). */
  static Throwable connectFailure(Throwable failure) {
    if (failure instanceof ModuleFailure || failure instanceof ProtocolFailure) {
      return failure;
    }
    if (failure instanceof UpgradeRejectedException rejected) {
      int status = rejected.getStatus();
      if (status >= 500 || status == 429) {
        return new ProtocolFailure(new ModuleFailure(Category.UNAVAILABLE,
            "WebSocket upgrade refused with HTTP " + status));
      }
      return new ModuleFailure(Category.REJECTED, "WebSocket upgrade refused with HTTP " + status);
    }
    if (failure instanceof WebSocketHandshakeException || failure instanceof HttpClosedException) {
      return new ProtocolFailure(new ModuleFailure(Category.CONNECTION,
          "WebSocket connection closed during the handshake"));
    }
    return classify(failure);
  }

  /** Anything else: refused or timed-out connections, TLS trust, unexpected failures. */
  static ModuleFailure classify(Throwable failure) {
    if (failure instanceof ModuleFailure typed) {
      return typed;
    }
    if (failure instanceof ProtocolFailure protocol) {
      return protocol.failure();
    }
    if (failure instanceof ConnectTimeoutException || failure instanceof TimeoutException
        || (failure instanceof io.vertx.core.VertxException && String.valueOf(failure.getMessage()).contains("timeout"))) {
      return new ModuleFailure(Category.TIMEOUT, "WebSocket server did not answer in time");
    }
    if (failure instanceof UnknownHostException) {
      return new ModuleFailure(Category.CONNECTION, "cannot resolve the WebSocket host");
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException || cause instanceof CertPathValidatorException) {
        return new ModuleFailure(Category.CONFIG, "WebSocket server's TLS certificate is not trusted");
      }
    }
    if (failure instanceof SSLHandshakeException) {
      return new ModuleFailure(Category.CONNECTION, "TLS handshake with the WebSocket server failed");
    }
    return new ModuleFailure(Category.CONNECTION, "connection to the WebSocket server failed: "
        + failure.getClass().getSimpleName());
  }
}
