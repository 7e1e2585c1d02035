package io.cwm.module.postgres;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.sql.SqlFailures;
import io.vertx.pgclient.PgException;

/**
 * Types a PostgreSQL failure. The server's SQLSTATE decides when it answered: class 08
 * (connection), 53 (insufficient resources), 57P01/57P02/57P03 (shutting down, cannot connect
 * now), 57014 (statement cancelled or timed out), 58 (server I/O error), 40001/40P01
 * (serialization failure, deadlock) are retryable; 23 (constraint) REJECTED, 22 (data)
 * VALIDATION, 28 (authentication) AUTH, 42501 PERMISSION, other 42 and 3D/3F (missing database or
 * schema) CONFIG, the rest INTERNAL — none of those retryable. When it did not answer: refused,
 * reset or closed connections and timeouts are retryable; an unknown host, a server without TLS
 * when {@code ssl} is true, or a failed TLS handshake is CONFIG ({@link SqlFailures}; the driver
 * says "does not handle SSL" when the server answers 'N' to the TLS request).
 *
 * <p>A database that is down is retryable, whether that shows at connect or at query time
 * (modules.md §4). Messages carry the SQLSTATE but never the server's text (it can quote payload
 * values).
 */
final class PostgresFailures {
  private PostgresFailures() {}

  static ModuleFailure classify(Throwable failure) {
    return SqlFailures.classify(failure, "PostgreSQL", "does not handle SSL",
        cause -> cause instanceof PgException pg ? fromSqlState(pg.getSqlState()) : null);
  }

  static ModuleFailure fromSqlState(String sqlState) {
    String state = sqlState == null ? "" : sqlState;
    String code = " (SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ")";
    if (state.startsWith("08")) {
      return new ModuleFailure(Category.CONNECTION, "PostgreSQL connection failure" + code);
    }
    if (state.startsWith("53") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
      return new ModuleFailure(Category.UNAVAILABLE, "PostgreSQL is unavailable" + code);
    }
    if (state.equals("57014")) {
      return new ModuleFailure(Category.TIMEOUT, "PostgreSQL cancelled the statement" + code);
    }
    if (state.startsWith("58")) {
      return new ModuleFailure(Category.IO, "PostgreSQL system error" + code);
    }
    if (state.equals("40001") || state.equals("40P01")) {
      return new ModuleFailure(Category.UNAVAILABLE, "PostgreSQL transaction conflict" + code);
    }
    if (state.startsWith("23")) {
      return new ModuleFailure(Category.REJECTED, "PostgreSQL rejected the row: constraint violation" + code);
    }
    if (state.startsWith("22")) {
      return new ModuleFailure(Category.VALIDATION, "PostgreSQL rejected a value" + code);
    }
    if (state.startsWith("28")) {
      return new ModuleFailure(Category.AUTH, "PostgreSQL refused the credentials" + code);
    }
    if (state.equals("42501")) {
      return new ModuleFailure(Category.PERMISSION, "PostgreSQL denied the privilege" + code);
    }
    if (state.startsWith("42") || state.startsWith("3D") || state.startsWith("3F")) {
      return new ModuleFailure(Category.CONFIG, "PostgreSQL refused the statement (table or column mismatch)" + code);
    }
    return new ModuleFailure(Category.INTERNAL, "PostgreSQL error" + code);
  }
}
