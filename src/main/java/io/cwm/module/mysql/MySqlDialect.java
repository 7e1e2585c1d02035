package io.cwm.module.mysql;

import io.cwm.module.ModuleFailure;
import io.cwm.module.sql.ColumnType;
import io.cwm.module.sql.SqlDialect;
import io.cwm.module.sql.SqlNames;
import io.cwm.module.sql.SqlTarget;
import io.cwm.module.sql.SqlTarget.Field;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MySQL's and MariaDB's side of the SQL modules (modules.md §3.17): backtick-quoted names of at
 * most 64 characters; besides the common keyword list, tables and indexes may not be exactly
 * {@code show}, {@code describe}, {@code explain}, {@code use} or {@code set}, indexes not
 * {@code index}; TEXT, BIGINT, DOUBLE, BOOLEAN, DATETIME, DATE, TIME, JSON; {@code ?} placeholders
 * with JSON values sent as their JSON text; {@code ON DUPLICATE KEY UPDATE c = VALUES(c)}.
 *
 * <p>Two changes from Python so the DDL also works on MySQL (not only MariaDB, which accepts
 * both): a text field declared UNIQUE is a {@code VARCHAR(255)} (MySQL cannot make a TEXT column a
 * unique key, so an upsert on a string key would never get its table), and a TEXT column in an
 * index is indexed on its first 255 characters. DATETIME has no zone: moments are stored in UTC.
 */
public final class MySqlDialect extends SqlDialect {
  static final int MAX_IDENTIFIER = 64;
  /** The length of a unique text column and of an indexed text prefix. */
  static final int KEY_CHARACTERS = 255;
  private static final SqlNames NAMES = new SqlNames('`', MAX_IDENTIFIER, keywords(), Set.of("index"), null);
  /** After NAMES: the constructor reads it. */
  public static final MySqlDialect INSTANCE = new MySqlDialect();

  private MySqlDialect() {
    super(MySqlModuleVerticle.NAME, "MySQL", NAMES, Map.of(ColumnType.TIMESTAMP, "DATETIME"),
        "CHAR(36) PRIMARY KEY DEFAULT (UUID())");
  }

  private static Set<String> keywords() {
    Set<String> keywords = new HashSet<>(SqlNames.KEYWORDS);
    keywords.addAll(Set.of("show", "describe", "explain", "use", "set"));
    return keywords;
  }

  @Override
  public String columnSql(Field field) {
    if (field.type() == ColumnType.TEXT && field.constraints().contains("UNIQUE")) {
      return "VARCHAR(" + KEY_CHARACTERS + ")";
    }
    return typeSql(field.type());
  }

  @Override
  public String placeholder(ColumnType type, int index) {
    return "?";
  }

  @Override
  public String upsert(String conflictColumn, List<String> updated) {
    // fires on any unique key; the only other one is id, a fresh UUID per row
    return "ON DUPLICATE KEY UPDATE "
        + String.join(", ", updated.stream().map(column -> column + " = VALUES(" + column + ")").toList());
  }

  @Override
  public String indexColumn(SqlTarget target, String column) {
    boolean text = column.equals("webhook_id") || target.fields().stream()
        .anyMatch(field -> field.column().equals(column) && columnSql(field).equals("TEXT"));
    return text ? NAMES.quote(column) + "(" + KEY_CHARACTERS + ")" : NAMES.quote(column);
  }

  @Override
  public Object bind(ColumnType type, Object parameter) {
    // DATETIME has no zone and the driver takes LocalDateTime: the moment in UTC
    return parameter instanceof OffsetDateTime moment
        ? moment.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime() : parameter;
  }

  @Override
  public ModuleFailure classify(Throwable failure) {
    return MySqlFailures.classify(failure);
  }
}
