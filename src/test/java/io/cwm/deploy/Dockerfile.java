package io.cwm.deploy;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Dockerfile, read the way the builder reads it: comment lines dropped, continuation lines
 * joined, one instruction per logical line, grouped into stages by FROM.
 */
final class Dockerfile {
  record Instruction(String keyword, String args) {
    /** The exec (JSON array) form's elements, or null for the shell form. */
    List<String> execForm() {
      String trimmed = args.trim();
      if (!trimmed.startsWith("[")) {
        return null;
      }
      return new JsonArray(trimmed).stream().map(String::valueOf).toList();
    }

    /** Leading {@code --flag=value} options, e.g. COPY's --from or HEALTHCHECK's --interval. */
    Map<String, String> flags() {
      Map<String, String> flags = new LinkedHashMap<>();
      for (String word : words()) {
        if (!word.startsWith("--")) {
          break;
        }
        int equals = word.indexOf('=');
        flags.put(equals < 0 ? word.substring(2) : word.substring(2, equals),
            equals < 0 ? "" : word.substring(equals + 1));
      }
      return flags;
    }

    /** The words after the leading flags. */
    List<String> operands() {
      return words().stream().dropWhile(word -> word.startsWith("--")).toList();
    }

    List<String> words() {
      return List.of(args.trim().split("\\s+"));
    }
  }

  record Stage(String base, String alias, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    /** ENV values of this stage (KEY=VALUE pairs, double quotes removed). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (Instruction instruction : all("ENV")) {
        for (String pair : splitQuoted(instruction.args())) {
          int equals = pair.indexOf('=');
          if (equals > 0) {
            env.put(pair.substring(0, equals), pair.substring(equals + 1));
          }
        }
      }
      return env;
    }
  }

  final List<Stage> stages;

  private Dockerfile(List<Stage> stages) {
    this.stages = stages;
  }

  Stage build() {
    return stages.get(0);
  }

  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  static Dockerfile parse(Path file) throws IOException {
    List<Stage> stages = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("#") || trimmed.isEmpty() && logical.length() == 0) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      logical.append(trimmed);
      add(stages, logical.toString().trim());
      logical.setLength(0);
    }
    if (logical.length() > 0) {
      add(stages, logical.toString().trim());
    }
    return new Dockerfile(List.copyOf(stages));
  }

  private static void add(List<Stage> stages, String line) {
    if (line.isEmpty()) {
      return;
    }
    int space = line.indexOf(' ');
    String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String args = space < 0 ? "" : line.substring(space + 1).trim();
    if (keyword.equals("FROM")) {
      String[] words = args.split("\\s+");
      String alias = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
      stages.add(new Stage(words[0], alias, new ArrayList<>()));
      return;
    }
    if (stages.isEmpty()) {
      return; // ARG before the first FROM
    }
    stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, args));
  }

  /** Splits on whitespace outside double quotes, removing the quotes. */
  static List<String> splitQuoted(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : text.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (any) {
          words.add(word.toString());
        }
        word.setLength(0);
        any = false;
      } else {
        word.append(c);
        any = true;
      }
    }
    if (any) {
      words.add(word.toString());
    }
    return words;
  }
}
