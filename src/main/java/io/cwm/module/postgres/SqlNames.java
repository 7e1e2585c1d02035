package io.cwm.module.postgres;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identifier rules of the {@code postgresql} module (modules.md §3.16) and the only way SQL
 * text gets an identifier: {@link #quote} refuses anything that did not pass the rules, so even a
 * name that slipped past a check cannot change the statement.
 *
 * <p>Table and index names: trimmed, 1–63 characters of {@code ^[A-Za-z_][A-Za-z0-9_]*$}, not
 * exactly a listed SQL keyword, not starting with {@code pg_}: an unqualified name resolves in
 * {@code pg_catalog} first, so {@code pg_class} would mean the system catalog. {@code xp_},
 * {@code sp_} or {@code pg_} inside a name ({@code shop_pg_orders}, {@code wasp_events}) are
 * allowed (modules.md §5.6): names are pattern-checked and always quoted, so no substring can
 * change a statement. Column names: the same pattern and length, no keyword list.
 */
final class SqlNames {
  static final int MAX_IDENTIFIER = 63;
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
  private static final Set<String> KEYWORDS = Set.of("select", "insert", "update", "delete", "drop",
      "create", "alter", "truncate", "exec", "execute", "union", "script", "table", "database",
      "schema", "user", "role", "grant", "revoke");

  private SqlNames() {}

  /** Null when {@code name} (already trimmed) is an acceptable table or index name, else why not. */
  static String tableProblem(String name) {
    String problem = columnProblem(name);
    if (problem != null) {
      return problem;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (KEYWORDS.contains(lower)) {
      return "must not be the SQL keyword '" + lower + "'";
    }
    if (lower.startsWith("pg_")) {
      return "must not start with 'pg_' (the system catalog's prefix)";
    }
    return null;
  }

  /** Null when {@code name} (already trimmed) is an acceptable column name, else why not. */
  static String columnProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must be a non-empty name";
    }
    if (name.length() > MAX_IDENTIFIER) {
      return "must be at most " + MAX_IDENTIFIER + " characters";
    }
    if (!IDENTIFIER.matcher(name).matches()) {
      return "must start with a letter or '_' and contain only letters, digits and '_'";
    }
    return null;
  }

  /**
   * {@code name} double-quoted. Call-time re-check: only names matching the identifier pattern
   * get here, so there is never a quote to escape.
   */
  static String quote(String name) {
    if (columnProblem(name) != null) {
      throw new IllegalArgumentException("refusing to quote an unchecked identifier");
    }
    return '"' + name + '"';
  }
}
