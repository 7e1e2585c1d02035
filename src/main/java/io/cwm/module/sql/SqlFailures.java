package io.cwm.module.sql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The failures of an SQL client that the server did not answer, typed the same for every SQL
 * module (each module types its server's own error codes): refused, reset or closed connections
 * and timeouts are retryable; an unknown host, a server without TLS when {@code ssl} is true, or a
 * failed TLS handshake is CONFIG. Messages name the product, never the host.
 */
public final class SqlFailures {
  private SqlFailures() {}

  /**
   * Types {@code failure}: a ModuleFailure or a server error anywhere in its causes first, then
   * what the server did not answer.
   *
   * @param product the server's name in the message
   * @param noTlsText a fragment of the driver's message when the server offers no TLS, or null
   * @param serverError the typed failure of a cause that is the server's own error, else null
   */
  public static ModuleFailure classify(Throwable failure, String product, String noTlsText,
      Function<Throwable, ModuleFailure> serverError) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ModuleFailure typed) {
        return typed;
      }
      ModuleFailure answered = serverError.apply(cause);
      if (answered != null) {
        return answered;
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownHostException) {
        return new ModuleFailure(Category.CONFIG, product + " host name does not resolve");
      }
      if (noTlsText != null && cause.getMessage() != null && cause.getMessage().contains(noTlsText)) {
        return new ModuleFailure(Category.CONFIG, product + " server does not offer TLS (ssl is true)");
      }
      if (cause instanceof SSLException) {
        return new ModuleFailure(Category.CONFIG, product + " TLS handshake failed (check ssl and ssl_ca_cert)");
      }
      if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
        return new ModuleFailure(Category.TIMEOUT, product + " did not answer in time");
      }
      if (cause instanceof ConnectException || cause instanceof ClosedConnectionException
          || cause instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, product + " unreachable");
      }
    }
    if (failure instanceof VertxException) {
      // the client's own connection-level errors ("Connection closed", pool closed, ...)
      return new ModuleFailure(Category.CONNECTION, product + " connection failed");
    }
    return new ModuleFailure(Category.INTERNAL, product + " write failed");
  }
}
