package io.cwm.module.mysql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.sql.SqlFailures;
import io.vertx.mysqlclient.MySQLException;
import java.util.Map;

/**
 * Types a MySQL / MariaDB failure. When the server answered, its error number decides, then its
 * SQLSTATE class. Retryable: too many connections, a server shutting down or read-only (a
 * fail-over in progress), out of memory or disk, killed connections, lock wait timeouts, statement
 * timeouts, deadlocks, SQLSTATE 08 (connection) and 40 (transaction rollback). Not retryable:
 * constraint violations (duplicate key, NULL in a NOT NULL column, foreign key, CHECK; SQLSTATE 23)
 * REJECTED; values the column cannot hold (out of range, too long, not a date, not JSON; SQLSTATE
 * 22) VALIDATION; access denied for the user (1045) AUTH; missing privileges PERMISSION; unknown
 * database, table or column and syntax (SQLSTATE 42) CONFIG; anything else INTERNAL. When it did
 * not answer, {@link SqlFailures}: refused, reset or closed connections and timeouts are
 * retryable, an unknown host or failed TLS is CONFIG.
 *
 * <p>Messages carry the error number and SQLSTATE, never the server's text (it can quote payload
 * values) nor the host.
 */
final class MySqlFailures {
  private static final Map<Integer, Category> BY_CODE = Map.ofEntries(
      Map.entry(1040, Category.UNAVAILABLE), // too many connections
      Map.entry(1203, Category.UNAVAILABLE), // max_user_connections
      Map.entry(1226, Category.UNAVAILABLE), // user resource limit
      Map.entry(1053, Category.UNAVAILABLE), // server shutdown in progress
      Map.entry(1290, Category.UNAVAILABLE), // --read-only (fail-over)
      Map.entry(1792, Category.UNAVAILABLE), // read-only transaction
      Map.entry(1836, Category.UNAVAILABLE), // read-only mode
      Map.entry(1037, Category.UNAVAILABLE), // out of memory
      Map.entry(1038, Category.UNAVAILABLE), // out of sort memory
      Map.entry(1041, Category.UNAVAILABLE), // out of memory
      Map.entry(1213, Category.UNAVAILABLE), // deadlock
      Map.entry(1021, Category.IO), // disk full
      Map.entry(1030, Category.IO), // storage engine error
      Map.entry(1114, Category.IO), // table full
      Map.entry(1205, Category.TIMEOUT), // lock wait timeout
      Map.entry(1317, Category.TIMEOUT), // query interrupted
      Map.entry(1969, Category.TIMEOUT), // MariaDB max_statement_time
      Map.entry(3024, Category.TIMEOUT), // MySQL max_execution_time
      Map.entry(1927, Category.CONNECTION), // MariaDB: connection killed
      Map.entry(1152, Category.CONNECTION), // aborted connection
      Map.entry(1184, Category.CONNECTION), // aborted new connection
      Map.entry(1045, Category.AUTH), // access denied for user
      Map.entry(1044, Category.PERMISSION), // access denied to database
      Map.entry(1142, Category.PERMISSION), // command denied on table
      Map.entry(1143, Category.PERMISSION), // command denied on column
      Map.entry(1227, Category.PERMISSION), // needs a privilege
      Map.entry(1049, Category.CONFIG), // unknown database
      Map.entry(1146, Category.CONFIG), // no such table
      Map.entry(1054, Category.CONFIG), // unknown column
      Map.entry(1364, Category.REJECTED), // field has no default value
      Map.entry(1366, Category.VALIDATION), // incorrect value for column
      Map.entry(1292, Category.VALIDATION), // incorrect datetime value
      Map.entry(1406, Category.VALIDATION), // data too long
      Map.entry(1264, Category.VALIDATION), // out of range
      Map.entry(3140, Category.VALIDATION), // MySQL: invalid JSON text
      Map.entry(4038, Category.VALIDATION)); // MariaDB: JSON syntax error

  private MySqlFailures() {}

  static ModuleFailure classify(Throwable failure) {
    // with ssl true and a server without TLS the driver's handshake fails (an SSLException)
    return SqlFailures.classify(failure, "MySQL", null,
        cause -> cause instanceof MySQLException mysql ? fromError(mysql.getErrorCode(), mysql.getSqlState()) : null);
  }

  static ModuleFailure fromError(int code, String sqlState) {
    String state = sqlState == null ? "" : sqlState;
    String suffix = " (error " + code + ", SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ")";
    Category category = BY_CODE.get(code);
    if (category == null) {
      category = byState(state);
    }
    String what = switch (category) {
      case CONNECTION -> "MySQL connection failure";
      case TIMEOUT -> "MySQL cancelled the statement";
      case IO -> "MySQL storage error";
      case UNAVAILABLE -> "MySQL is unavailable";
      case REJECTED -> "MySQL rejected the row: constraint violation";
      case VALIDATION -> "MySQL rejected a value";
      case AUTH -> "MySQL refused the credentials";
      case PERMISSION -> "MySQL denied the privilege";
      case CONFIG -> "MySQL refused the statement (database, table or column mismatch)";
      case INTERNAL -> "MySQL error";
    };
    return new ModuleFailure(category, what + suffix);
  }

  private static Category byState(String state) {
    if (state.startsWith("08")) {
      return Category.CONNECTION;
    }
    if (state.startsWith("40")) {
      return Category.UNAVAILABLE;
    }
    if (state.startsWith("23")) {
      return Category.REJECTED;
    }
    if (state.startsWith("22")) {
      return Category.VALIDATION;
    }
    if (state.startsWith("28")) {
      return Category.AUTH;
    }
    if (state.startsWith("42") || state.startsWith("3D")) {
      return Category.CONFIG;
    }
    return Category.INTERNAL;
  }
}
