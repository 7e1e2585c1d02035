package io.cwm.app;

import io.cwm.config.ConfigProblem;
import io.cwm.config.ConfigProblem.Severity;
import io.cwm.config.Env;
import io.cwm.config.SecretRules;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The receiver's secret checks, which look past one entry's own content: placeholders
 * ({@code REPLACE_ME…}, {@code changeme}) and blank required secrets are errors; the example
 * config's demo values are errors unless the receiver listens on a loopback address (warnings
 * when the address is unknown); placeholder admin and stats tokens in the environment are errors.
 */
final class SecretChecks {
  private final Env env;
  private final String listenHost;
  private final LoadProblems problems;

  /** @param listenHost the address the receiver listens on, or null when unknown */
  SecretChecks(Env env, String listenHost, LoadProblems problems) {
    this.env = env;
    this.listenHost = listenHost;
    this.problems = problems;
  }

  /**
   * Checks the secrets of one substituted entry; {@code rawEntry} is the entry as written (for
   * the variables a secret came from). A key that already has an error since {@code mark} (a
   * validator refusing an empty secret) is not reported twice.
   */
  void entry(String id, JsonObject entry, JsonObject rawEntry, int mark) {
    List<ConfigProblem> found = List.copyOf(problems.since(mark));
    for (SecretRules.Site site : SecretRules.sites(entry)) {
      String block = site.key().contains(".") ? site.key().substring(0, site.key().indexOf('.')) : site.key();
      if (found.stream().anyMatch(p -> p.isError() && p.key() != null
          && (p.key().equals(site.key()) || p.key().equals(block)))) {
        continue;
      }
      SecretRules.Placeholder placeholder = SecretRules.classify(site.value());
      if (placeholder == null || (placeholder == SecretRules.Placeholder.BLANK && !site.required())) {
        continue;
      }
      List<String> variables = SecretRules.variables(SecretRules.raw(rawEntry, site.key()));
      ConfigProblem problem = problem(placeholder, variables, site.key(), id);
      if (problem != null) {
        problems.add(problem);
      }
    }
  }

  private ConfigProblem problem(SecretRules.Placeholder placeholder, List<String> variables, String key, String id) {
    String origin = SecretRules.origin(variables);
    if (placeholder != SecretRules.Placeholder.DEMO) {
      return problems.webhookError(id, key, placeholder.text() + ": set the real secret" + origin);
    }
    if (SecretRules.isLoopback(listenHost)) {
      return null;
    }
    String set = variables.isEmpty() ? "set a real secret" : "set " + String.join(", ",
        variables.stream().map(name -> "{$" + name + "}").toList()) + " to a real secret";
    if (listenHost == null) {
      return problems.webhookWarning(id, key,
          placeholder.text() + ", accepted only while the receiver listens on a loopback address (--host 127.0.0.1)");
    }
    return problems.webhookError(id, key, placeholder.text() + ", accepted only while the receiver listens on a "
        + "loopback address, not on " + listenHost + ": start with --host 127.0.0.1, or " + set);
  }

  /** The receiver's secrets from the environment (admin and stats tokens), when set. */
  void environment() {
    for (String name : SecretRules.SECRET_VARIABLES) {
      String value = env.get(name).orElse("");
      SecretRules.Placeholder placeholder = value.isBlank() ? null : SecretRules.classify(value);
      if (placeholder == SecretRules.Placeholder.REPLACE_ME || placeholder == SecretRules.Placeholder.CHANGE_ME) {
        problems.add(new ConfigProblem(Severity.ERROR, "environment", null, null, name,
            placeholder.text() + ": set the real token, or leave " + name + " unset"));
      }
    }
  }
}
