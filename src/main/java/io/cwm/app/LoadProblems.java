package io.cwm.app;

import io.cwm.config.ConfigException;
import io.cwm.config.ConfigProblem;
import io.cwm.config.ConfigProblem.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The problems one {@link ConfigLoader} run collects, in the order found, and how each names its
 * file, entry and key. Shared by the readers of the webhooks file, the connections file and the
 * cross-checks.
 */
final class LoadProblems {
  private final List<ConfigProblem> found = new ArrayList<>();
  private final String webhooksFile;
  private final String connectionsFile;

  LoadProblems(String webhooksFile, String connectionsFile) {
    this.webhooksFile = webhooksFile;
    this.connectionsFile = connectionsFile;
  }

  String webhooksFile() {
    return webhooksFile;
  }

  String connectionsFile() {
    return connectionsFile;
  }

  void add(ConfigProblem problem) {
    found.add(problem);
  }

  /** A mark for {@link #since}: the number of problems so far. */
  int mark() {
    return found.size();
  }

  /** The problems found after {@code mark} (a live view). */
  List<ConfigProblem> since(int mark) {
    return found.subList(mark, found.size());
  }

  boolean errorSince(int mark) {
    return since(mark).stream().anyMatch(ConfigProblem::isError);
  }

  boolean anyError() {
    return errorSince(0);
  }

  List<ConfigProblem> all() {
    return List.copyOf(found);
  }

  ConfigProblem webhookError(String id, String key, String message) {
    return new ConfigProblem(Severity.ERROR, webhooksFile, "webhook", id, key, message);
  }

  ConfigProblem webhookWarning(String id, String key, String message) {
    return new ConfigProblem(Severity.WARNING, webhooksFile, "webhook", id, key, message);
  }

  ConfigProblem connection(Severity severity, String name, String key, String message) {
    return new ConfigProblem(severity, connectionsFile, "connection", name, key, message);
  }

  static ConfigProblem fileError(String file, String message) {
    return new ConfigProblem(Severity.ERROR, file, null, null, null, message);
  }

  /**
   * Runs one parse of webhook {@code id}; a ConfigException becomes an error at {@code key} (its
   * own key appended) and the result is {@code fallback}.
   */
  <T> T attempt(String id, String key, Supplier<T> parse, T fallback) {
    try {
      return parse.get();
    } catch (ConfigException e) {
      found.add(webhookError(id, e.key() == null || e.key().isEmpty() ? key : key + "." + e.key(), e.getMessage()));
      return fallback;
    }
  }
}
