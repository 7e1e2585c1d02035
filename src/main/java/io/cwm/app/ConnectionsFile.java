package io.cwm.app;

import io.cwm.config.ConfigException;
import io.cwm.config.ConfigProblem;
import io.cwm.config.ConfigProblem.Severity;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.config.Secrets;
import io.cwm.config.Substitution;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * connections.json, substituted: its entries by name, and their checks against the connection
 * rules once the webhooks are read. A flaw in a connection no webhook uses (an unset variable, a
 * refused host) is a warning, so an unused bad entry never stops the receiver; in a used one it
 * is an error.
 */
final class ConnectionsFile {
  private final Env env;
  private final LoadProblems problems;
  private final List<Substitution.Problem> unresolved = new ArrayList<>();
  private final Map<String, JsonObject> connections = new LinkedHashMap<>();

  ConnectionsFile(JsonObject json, Env env, LoadProblems problems) {
    this(json, env, Secrets.NONE, problems);
  }

  ConnectionsFile(JsonObject json, Env env, Secrets secrets, LoadProblems problems) {
    this.env = env;
    this.problems = problems;
    JsonObject substituted = Substitution.apply(json, env, secrets, unresolved);
    for (String name : substituted.fieldNames()) {
      Object value = substituted.getValue(name);
      if (value instanceof JsonObject object) {
        connections.put(name, object);
      } else if (!name.startsWith("_")) {
        problems.add(problems.connection(Severity.ERROR, name, null, "must be an object"));
      }
      // keys starting with '_' holding non-objects ("_comment": "...") are comments
    }
  }

  /** The connections by name, in file order. */
  Map<String, JsonObject> connections() {
    return connections;
  }

  /** Checks every connection and reports its unresolved variables; {@code referenced}: the names webhooks use. */
  void check(Set<String> referenced) {
    for (Map.Entry<String, JsonObject> connection : connections.entrySet()) {
      try {
        if (connection.getKey().length() > 256) {
          throw new ConfigException(null, "connection name longer than 256 characters");
        }
        ConnectionRules.check(connection.getValue(), env);
      } catch (ConfigException e) {
        // a bad entry nobody uses must not take the whole receiver down
        boolean used = referenced.contains(connection.getKey());
        problems.add(problems.connection(used ? Severity.ERROR : Severity.WARNING, connection.getKey(), e.key(),
            e.getMessage() + (used ? "" : " (not used by any webhook)")));
      }
    }
    for (Substitution.Problem problem : unresolved) {
      List<String> path = problem.path();
      String entry = path.isEmpty() ? null : path.get(0);
      String key = path.size() < 2 ? null : ConfigProblem.keyPath(path.subList(1, path.size()));
      boolean used = entry != null && referenced.contains(entry);
      problems.add(problems.connection(used ? Severity.ERROR : Severity.WARNING, entry, key,
          problem.message() + (used ? "" : " (not used by any webhook)")));
    }
  }
}
