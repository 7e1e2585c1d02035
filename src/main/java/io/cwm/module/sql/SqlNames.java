package io.cwm.module.sql;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identifier rules of one SQL module (modules.md §3.16, §3.17) and the only way SQL text gets
 * an identifier: {@link #quote} refuses anything that did not pass the rules, so even a name that
 * slipped past a check cannot change the statement.
 *
 * <p>Table and index names: trimmed, 1 to {@code maxIdentifier} characters of
 * {@code ^[A-Za-z_][A-Za-z0-9_]*$}, not exactly one of the dialect's keywords (index names also not
 * one of its index keywords), not starting with its reserved prefix (PostgreSQL's {@code pg_}).
 * Python's substring bans ({@code xp_}, {@code sp_}, {@code pg_}, MySQL's {@code mysql.}) are not
 * copied (modules.md §5.6): names are pattern-checked and always quoted, so no substring can change
 * a statement, and a dot never passes the pattern. Column names: the same pattern and length, no
 * keyword list.
 */
public final class SqlNames {
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
  /** Python's exact-name list, common to both SQL modules. */
  public static final Set<String> KEYWORDS = Set.of("select", "insert", "update", "delete", "drop",
      "create", "alter", "truncate", "exec", "execute", "union", "script", "table", "database",
      "schema", "user", "role", "grant", "revoke");

  private final char quote;
  private final int maxIdentifier;
  private final Set<String> tableKeywords;
  private final Set<String> indexKeywords;
  private final String reservedPrefix;

  /**
   * @param quote the identifier quote character ({@code "} or {@code `})
   * @param tableKeywords exact names (lower case) refused for tables and indexes
   * @param indexKeywords exact names (lower case) refused for indexes on top of those
   * @param reservedPrefix a prefix (lower case) refused for tables and indexes, or null
   */
  public SqlNames(char quote, int maxIdentifier, Set<String> tableKeywords, Set<String> indexKeywords,
      String reservedPrefix) {
    this.quote = quote;
    this.maxIdentifier = maxIdentifier;
    this.tableKeywords = Set.copyOf(tableKeywords);
    this.indexKeywords = Set.copyOf(indexKeywords);
    this.reservedPrefix = reservedPrefix;
  }

  public int maxIdentifier() {
    return maxIdentifier;
  }

  /** Null when {@code name} (already trimmed) is an acceptable table name, else why not. */
  public String tableProblem(String name) {
    String problem = columnProblem(name);
    if (problem != null) {
      return problem;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (tableKeywords.contains(lower)) {
      return "must not be the SQL keyword '" + lower + "'";
    }
    if (reservedPrefix != null && lower.startsWith(reservedPrefix)) {
      return "must not start with '" + reservedPrefix + "' (the system catalog's prefix)";
    }
    return null;
  }

  /** Null when {@code name} (already trimmed) is an acceptable index name, else why not. */
  public String indexProblem(String name) {
    String problem = tableProblem(name);
    if (problem == null && indexKeywords.contains(name.toLowerCase(Locale.ROOT))) {
      return "must not be the SQL keyword '" + name.toLowerCase(Locale.ROOT) + "'";
    }
    return problem;
  }

  /** Null when {@code name} (already trimmed) is an acceptable column name, else why not. */
  public String columnProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must be a non-empty name";
    }
    if (name.length() > maxIdentifier) {
      return "must be at most " + maxIdentifier + " characters";
    }
    if (!IDENTIFIER.matcher(name).matches()) {
      return "must start with a letter or '_' and contain only letters, digits and '_'";
    }
    return null;
  }

  /**
   * {@code name} quoted. Call-time re-check: only names matching the identifier pattern get here,
   * so there is never a quote to escape.
   */
  public String quote(String name) {
    if (columnProblem(name) != null) {
      throw new IllegalArgumentException("refusing to quote an unchecked identifier");
    }
    return quote + name + quote;
  }
}
