package io.cwm.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.cwm.config.ConfigException;
import io.cwm.config.FieldSelector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rule of a {@link Filter}: a field (a header name or a JSON pointer, {@link FieldSelector})
 * and one operator ({@code equals}, {@code in}, {@code exists}, {@code prefix}, {@code regex}), or
 * {@code any}: a list of such rules of which one must match. Immutable, thread-safe.
 *
 * <p>Values compare by JSON type: a string equals only a string, a number only a number (by value:
 * {@code 1} equals {@code 1.0}), {@code true} only a boolean, {@code null} only a JSON null. A
 * header's value is text, so a rule on a header takes string values only (checked at load).
 * {@code prefix} and {@code regex} match strings only. A field that is not there matches no
 * operator except {@code "exists": false}.
 */
abstract sealed class FilterRule permits FilterRule.Field, FilterRule.Any {
  /** The operators, in the order messages name them. */
  static final List<String> OPERATORS = List.of("equals", "in", "exists", "prefix", "regex");
  /** Longest {@code regex} pattern accepted, in characters. */
  static final int MAX_PATTERN_LENGTH = 256;
  /**
   * A string longer than this (in characters) never matches a {@code regex}: RE2 runs in time
   * linear in the input, and the cap keeps one rule's cost on the event loop within microseconds.
   */
  static final int MAX_REGEX_INPUT = 8192;
  /** Most values of one {@code in} list. */
  static final int MAX_IN_VALUES = 1024;
  /** Most rules of one {@code any} list. */
  static final int MAX_ANY_RULES = 64;
  /** Longest {@code equals} / {@code in} / {@code prefix} string, in characters. */
  static final int MAX_VALUE_LENGTH = 4096;

  /** Stands for a JSON null written as a rule's value. */
  private static final Object JSON_NULL = new Object();

  abstract boolean matches(Map<String, String> headers, Object payload);

  abstract boolean matches(JsonObject headers, Object payload);

  /**
   * Reads one rule; every problem goes to {@code problems} with its key relative to {@code key}'s
   * list ({@code accept[0].in}); null when there was one.
   */
  static FilterRule parse(Object raw, String key, List<ConfigException> problems, boolean nested) {
    if (!(raw instanceof JsonObject rule)) {
      problems.add(new ConfigException(key, "must be a rule object like {\"field\": \"/type\", \"equals\": \"...\"}"));
      return null;
    }
    if (rule.containsKey("any")) {
      return nested ? refuse(problems, key + ".any", "an \"any\" rule cannot hold another \"any\"")
          : Any.parse(rule, key, problems);
    }
    return Field.parse(rule, key, problems);
  }

  private static FilterRule refuse(List<ConfigException> problems, String key, String message) {
    problems.add(new ConfigException(key, message));
    return null;
  }

  /** {@code {"any": [rule, ...]}}: matches when one of its rules does. */
  static final class Any extends FilterRule {
    private final FilterRule[] rules;

    private Any(FilterRule[] rules) {
      this.rules = rules;
    }

    static FilterRule parse(JsonObject rule, String key, List<ConfigException> problems) {
      int before = problems.size();
      for (String name : rule.fieldNames()) {
        if (!name.equals("any")) {
          problems.add(new ConfigException(key + "." + name, "unknown key '" + name
              + "' beside \"any\" (an \"any\" rule holds only its list of rules)"));
        }
      }
      if (!(rule.getValue("any") instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_ANY_RULES) {
        problems.add(new ConfigException(key + ".any", "must be a list of 1 to " + MAX_ANY_RULES + " rules"));
        return null;
      }
      List<FilterRule> rules = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        FilterRule parsed = FilterRule.parse(list.getValue(i), key + ".any[" + i + "]", problems, true);
        if (parsed != null) {
          rules.add(parsed);
        }
      }
      return problems.size() > before ? null : new Any(rules.toArray(FilterRule[]::new));
    }

    @Override
    boolean matches(Map<String, String> headers, Object payload) {
      for (FilterRule rule : rules) {
        if (rule.matches(headers, payload)) {
          return true;
        }
      }
      return false;
    }

    @Override
    boolean matches(JsonObject headers, Object payload) {
      for (FilterRule rule : rules) {
        if (rule.matches(headers, payload)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code {"field": ..., "<operator>": ...}}. */
  static final class Field extends FilterRule {
    private final FieldSelector field;
    private final String operator;
    /** equals: the value (or {@link #JSON_NULL}); exists: Boolean; prefix: String; regex: Pattern. */
    private final Object operand;
    /** in: the string values (fast path). */
    private final Set<String> strings;
    /** in: the other values (numbers, booleans, {@link #JSON_NULL}). */
    private final Object[] others;

    private Field(FieldSelector field, String operator, Object operand, Set<String> strings, Object[] others) {
      this.field = field;
      this.operator = operator;
      this.operand = operand;
      this.strings = strings;
      this.others = others;
    }

    static FilterRule parse(JsonObject rule, String key, List<ConfigException> problems) {
      int before = problems.size();
      String operator = null;
      for (String name : rule.fieldNames()) {
        if (OPERATORS.contains(name)) {
          if (operator != null) {
            problems.add(new ConfigException(key, "has both '" + operator + "' and '" + name
                + "': one operator per rule (write two rules, or an \"any\" rule)"));
          } else {
            operator = name;
          }
        } else if (!name.equals("field")) {
          problems.add(new ConfigException(key + "." + name, "unknown key '" + name + "' in a rule (a rule is "
              + "\"field\" and one of " + String.join(", ", OPERATORS) + "; or \"any\")"));
        }
      }
      FieldSelector field = null;
      Object rawField = rule.getValue("field");
      if (!(rawField instanceof String text)) {
        problems.add(new ConfigException(key + ".field", rawField == null && !rule.containsKey("field")
            ? "is required: a header name or a JSON pointer starting with \"/\""
            : "must be a string: a header name or a JSON pointer starting with \"/\""));
      } else {
        try {
          field = FieldSelector.parse(text);
        } catch (IllegalArgumentException e) {
          problems.add(new ConfigException(key + ".field", e.getMessage()));
        }
      }
      if (operator == null) {
        if (problems.size() == before) {
          problems.add(new ConfigException(key, "has no operator: add one of " + String.join(", ", OPERATORS)));
        }
        return null;
      }
      boolean header = field != null && field.isHeader();
      String at = key + "." + operator;
      Object value = rule.getValue(operator);
      Object operand = null;
      Set<String> strings = null;
      Object[] others = null;
      switch (operator) {
        case "equals" -> operand = scalar(value, header, at, problems);
        case "in" -> {
          if (!(value instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_IN_VALUES) {
            problems.add(new ConfigException(at, "must be a list of 1 to " + MAX_IN_VALUES + " values"));
            break;
          }
          strings = new HashSet<>();
          List<Object> rest = new ArrayList<>();
          for (int i = 0; i < list.size(); i++) {
            Object item = scalar(list.getValue(i), header, at + "[" + i + "]", problems);
            if (item instanceof String text) {
              strings.add(text);
            } else if (item != null) {
              rest.add(item);
            }
          }
          others = rest.toArray();
        }
        case "exists" -> {
          if (!(value instanceof Boolean)) {
            problems.add(new ConfigException(at, "must be true or false"));
          }
          operand = value;
        }
        case "prefix" -> {
          if (!(value instanceof String text) || text.isEmpty() || text.length() > MAX_VALUE_LENGTH) {
            problems.add(new ConfigException(at, "must be a non-empty string of at most " + MAX_VALUE_LENGTH
                + " characters (to match any value, use \"exists\": true)"));
          }
          operand = value;
        }
        default -> operand = regex(value, at, problems);
      }
      if (problems.size() > before) {
        return null;
      }
      return new Field(field, operator, operand, strings, others);
    }

    /** An equals / in value: string, number, boolean or null (a string only for a header). */
    private static Object scalar(Object value, boolean header, String key, List<ConfigException> problems) {
      if (value instanceof String text) {
        if (text.length() > MAX_VALUE_LENGTH) {
          problems.add(new ConfigException(key, "is longer than " + MAX_VALUE_LENGTH + " characters"));
          return null;
        }
        return text;
      }
      if (header) {
        problems.add(new ConfigException(key, "must be a string: a header's value is text (write \""
            + (value instanceof Number || value instanceof Boolean ? value : "...") + "\")"));
        return null;
      }
      if (value == null) {
        return JSON_NULL;
      }
      if (value instanceof Number || value instanceof Boolean) {
        return value;
      }
      problems.add(new ConfigException(key, "must be a string, number, boolean or null (objects and lists are "
          + "not compared)"));
      return null;
    }

    private static Pattern regex(Object value, String key, List<ConfigException> problems) {
      if (!(value instanceof String text) || text.isEmpty()) {
        problems.add(new ConfigException(key, "must be a non-empty regular expression (RE2 syntax)"));
        return null;
      }
      if (text.length() > MAX_PATTERN_LENGTH) {
        problems.add(new ConfigException(key, "is longer than " + MAX_PATTERN_LENGTH + " characters"));
        return null;
      }
      try {
        return Pattern.compile(text);
      } catch (PatternSyntaxException e) {
        // RE2 has no backreferences nor lookaround: that is what keeps matching linear
        problems.add(new ConfigException(key, "is not a valid RE2 regular expression (RE2 has no "
            + "backreferences nor lookaround): " + e.getDescription()));
        return null;
      }
    }

    @Override
    boolean matches(Map<String, String> headers, Object payload) {
      return test(field.find(headers, payload));
    }

    @Override
    boolean matches(JsonObject headers, Object payload) {
      return test(field.find(headers, payload));
    }

    boolean test(Object found) {
      if (found == FieldSelector.ABSENT) {
        return operator.equals("exists") && !((Boolean) operand);
      }
      return switch (operator) {
        case "equals" -> same(operand, found);
        case "in" -> found instanceof String text ? strings.contains(text) : inOthers(found);
        case "exists" -> (Boolean) operand;
        case "prefix" -> found instanceof String text && text.startsWith((String) operand);
        default -> found instanceof String text && text.length() <= MAX_REGEX_INPUT
            && ((Pattern) operand).matcher(text).find();
      };
    }

    private boolean inOthers(Object found) {
      for (Object other : others) {
        if (same(other, found)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A rule value against a found value, by JSON type. */
  static boolean same(Object expected, Object found) {
    if (expected == JSON_NULL) {
      return found == null;
    }
    if (expected instanceof String text) {
      return found instanceof String other && text.equals(other);
    }
    if (expected instanceof Number number) {
      return found instanceof Number other && numbersEqual(number, other);
    }
    return expected.equals(found); // Boolean
  }

  static boolean numbersEqual(Number a, Number b) {
    if (integral(a) && integral(b)) {
      return a.longValue() == b.longValue();
    }
    BigDecimal x = decimal(a);
    BigDecimal y = decimal(b);
    if (x == null || y == null) { // NaN or an infinity
      return a.doubleValue() == b.doubleValue();
    }
    return x.compareTo(y) == 0;
  }

  private static boolean integral(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
  }

  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal decimal) {
      return decimal;
    }
    if (n instanceof BigInteger integer) {
      return new BigDecimal(integer);
    }
    if (integral(n)) {
      return BigDecimal.valueOf(n.longValue());
    }
    double d = n.doubleValue();
    return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
  }
}
