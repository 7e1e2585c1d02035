package io.cwm.module.clickhouse;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identifier rules of the {@code clickhouse} module (modules.md §3.10) and the only way a
 * statement gets an identifier: {@link #quote} refuses anything that did not pass the rules.
 *
 * <p>Table names: trimmed, 1–255 characters of {@code ^[A-Za-z0-9_]+$}, not exactly one of the
 * SQL keywords Python lists. Python refuses a name that merely <em>contains</em> a keyword or
 * {@code xp_} / {@code sp_} ({@code webhook_updates}, {@code created_events}, {@code wasp_log}):
 * here only the whole name is compared, since a name of letters, digits and {@code _} that is
 * always backtick-quoted cannot change a statement whatever it contains (modules.md §5.5).
 */
public final class ClickHouseNames {
  static final int MAX_TABLE = 255;
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z0-9_]+$");
  private static final Set<String> KEYWORDS = Set.of("select", "insert", "update", "delete", "drop",
      "create", "alter", "truncate", "exec", "execute", "union", "script");

  private ClickHouseNames() {}

  /** Null when {@code name} (already trimmed) is an acceptable table name, else why not. */
  public static String tableProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must be a non-empty name";
    }
    if (name.length() > MAX_TABLE) {
      return "must be at most " + MAX_TABLE + " characters";
    }
    if (!IDENTIFIER.matcher(name).matches()) {
      return "must contain only letters, digits and '_'";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (KEYWORDS.contains(lower)) {
      return "must not be the SQL keyword '" + lower + "'";
    }
    return null;
  }

  /** Null when {@code name} is an acceptable database name (same characters, no keyword check). */
  static String databaseProblem(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_TABLE || !IDENTIFIER.matcher(name).matches()) {
      return "must be 1 to " + MAX_TABLE + " letters, digits or '_'";
    }
    return null;
  }

  /**
   * {@code name} backtick-quoted. Call-time re-check: only names of the identifier pattern get
   * here, so there is never a quote to escape.
   */
  static String quote(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("refusing to quote an unchecked identifier");
    }
    return '`' + name + '`';
  }

  /** {@code `database`.`table`}: every statement names the database (see ClickHouseConnection). */
  static String qualified(String database, String table) {
    return quote(database) + "." + quote(table);
  }
}
