package io.cwm.module.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** MySQL / MariaDB error numbers, SQLSTATEs and transport failures to categories. */
class MySqlFailuresTest {

  private static ModuleFailure server(int code, String sqlState) {
    return MySqlFailures.classify(new MySQLException("Duplicate entry 'secret-4242' for key 'ref'", code, sqlState));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "1040, 08004, UNAVAILABLE", "1053, 08S01, UNAVAILABLE", "1290, HY000, UNAVAILABLE", "1836, HY000, UNAVAILABLE",
      "1213, 40001, UNAVAILABLE", "1205, HY000, TIMEOUT", "1969, 70100, TIMEOUT", "3024, HY000, TIMEOUT",
      "1927, 70100, CONNECTION", "1021, HY000, IO", "1114, HY000, IO", "2013, 08S01, CONNECTION", "9999, 40XXX, UNAVAILABLE"})
  void errorsThatRetryingCanFix(int code, String sqlState, Category expected) {
    ModuleFailure failure = server(code, sqlState);
    assertEquals(expected, failure.category());
    assertEquals(true, failure.retryable());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "1062, 23000, REJECTED", "1048, 23000, REJECTED", "1452, 23000, REJECTED", "4025, 23000, REJECTED",
      "1364, HY000, REJECTED", "1406, 22001, VALIDATION", "1264, 22003, VALIDATION", "1366, HY000, VALIDATION",
      "1292, 22007, VALIDATION", "4038, HY000, VALIDATION", "1045, 28000, AUTH", "1044, 42000, PERMISSION",
      "1142, 42000, PERMISSION", "1049, 42000, CONFIG", "1146, 42S02, CONFIG", "1054, 42S22, CONFIG",
      "1064, 42000, CONFIG", "1105, HY000, INTERNAL"})
  void errorsThatRetryingCannotFix(int code, String sqlState, Category expected) {
    ModuleFailure failure = server(code, sqlState);
    assertEquals(expected, failure.category());
    assertFalse(failure.retryable());
  }

  @Test
  void messagesNameTheErrorButNeverTheServerText() {
    assertEquals("MySQL rejected the row: constraint violation (error 1062, SQLSTATE 23000)", server(1062, "23000").getMessage());
    assertEquals("MySQL error (error 1, SQLSTATE unknown)", server(1, null).getMessage());
  }

  @Test
  void whatTheServerDidNotAnswer() {
    assertEquals(Category.CONNECTION, MySqlFailures.classify(new ConnectException("Connection refused")).category());
    assertEquals(Category.CONNECTION, MySqlFailures.classify(ClosedConnectionException.INSTANCE).category());
    assertEquals(Category.CONNECTION, MySqlFailures.classify(new VertxException("Pool closed")).category());
    assertEquals(Category.CONFIG, MySqlFailures.classify(new VertxException("x", new UnknownHostException("db"))).category());
    assertEquals(Category.CONFIG, MySqlFailures.classify(new SSLHandshakeException("not TLS")).category());
    assertEquals(Category.INTERNAL, MySqlFailures.classify(new IllegalStateException("?")).category());
  }
}
