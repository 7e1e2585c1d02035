package io.cwm.module.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** SQLSTATE and transport errors to failure categories: both sides of retryable. */
class PostgresFailuresTest {

  private static ModuleFailure state(String sqlState) {
    return PostgresFailures.classify(new PgException("secret value 4242 in the server text", "ERROR", sqlState, "detail"));
  }

  @Test
  void sqlStatesThatRetryingCanFix() {
    Map<String, Category> retryable = Map.of("08006", Category.CONNECTION, "08001", Category.CONNECTION,
        "53300", Category.UNAVAILABLE, "57P01", Category.UNAVAILABLE, "57P02", Category.UNAVAILABLE,
        "57P03", Category.UNAVAILABLE, "40001", Category.UNAVAILABLE, "40P01", Category.UNAVAILABLE,
        "57014", Category.TIMEOUT, "58030", Category.IO);
    retryable.forEach((sqlState, category) -> {
      ModuleFailure failure = state(sqlState);
      assertEquals(category, failure.category(), sqlState);
      assertTrue(failure.retryable(), sqlState);
    });
  }

  @Test
  void sqlStatesThatRetryingCannotFix() {
    Map<String, Category> final_ = Map.of("23505", Category.REJECTED, "23502", Category.REJECTED,
        "22P02", Category.VALIDATION, "22003", Category.VALIDATION, "42P01", Category.CONFIG,
        "42703", Category.CONFIG, "42501", Category.PERMISSION, "28P01", Category.AUTH,
        "3D000", Category.CONFIG, "XX000", Category.INTERNAL);
    final_.forEach((sqlState, category) -> {
      ModuleFailure failure = state(sqlState);
      assertEquals(category, failure.category(), sqlState);
      assertFalse(failure.retryable(), sqlState);
    });
  }

  @Test
  void messagesCarryTheSqlStateButNotTheServerText() {
    ModuleFailure failure = state("23505");
    assertTrue(failure.getMessage().contains("23505"), failure.getMessage());
    assertFalse(failure.getMessage().contains("4242"), failure.getMessage());
  }

  @Test
  void transportFailuresAreRetryable() {
    assertEquals(Category.CONNECTION, PostgresFailures.classify(new ConnectException("Connection refused")).category());
    assertEquals(Category.CONNECTION, PostgresFailures.classify(ClosedConnectionException.INSTANCE).category());
    assertEquals(Category.CONNECTION, PostgresFailures.classify(new VertxException("Connection reset", new IOException("reset"))).category());
    assertEquals(Category.CONNECTION, PostgresFailures.classify(new VertxException("pool closed")).category());
    assertEquals(Category.TIMEOUT, PostgresFailures.classify(new TimeoutException("no answer")).category());
    assertEquals(Category.TIMEOUT, PostgresFailures.classify(new NoStackTraceTimeoutLike()).category());
  }

  @Test
  void unknownHostsAndTlsFailuresAreConfig() {
    assertEquals(Category.CONFIG, PostgresFailures.classify(new VertxException("x", new UnknownHostException("db"))).category());
    assertEquals(Category.CONFIG, PostgresFailures.classify(new SSLHandshakeException("bad cert")).category());
    assertEquals(Category.CONFIG, PostgresFailures.classify(new Exception("Postgres Server does not handle SSL connection")).category());
  }

  @Test
  void typedFailuresPassThroughAndOthersAreInternal() {
    ModuleFailure typed = new ModuleFailure(Category.VALIDATION, "v");
    assertEquals(typed, PostgresFailures.classify(new RuntimeException("wrapped", typed)));
    assertEquals(Category.INTERNAL, PostgresFailures.classify(new IllegalStateException("?")).category());
  }

  /** Stands for Vert.x's NoStackTraceTimeoutException (matched by name, an internal class). */
  private static final class NoStackTraceTimeoutLike extends VertxException {
    NoStackTraceTimeoutLike() {
      super("The timeout period of 5000ms has been exceeded", true);
    }
  }
}
