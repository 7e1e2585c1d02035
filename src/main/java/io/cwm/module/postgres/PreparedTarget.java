package io.cwm.module.postgres;

/**
 * What every call of one {@code postgresql} module-config writes, built once at load: the parsed
 * {@link PostgresTarget} and its SQL text.
 *
 * @param target the table settings
 * @param sql the DDL and INSERT of that table
 */
public record PreparedTarget(PostgresTarget target, PostgresSql sql) {

  static PreparedTarget of(PostgresTarget target) {
    return new PreparedTarget(target, PostgresSql.of(target));
  }
}
