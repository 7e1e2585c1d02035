package io.cwm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} on webhooks.json and connector.json files with filters: every problem printed with its key. */
class FiltersCheckTest {
  @TempDir
  Path dir;

  record Outcome(int exitCode, String out) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    int code = Main.run(args, Env.of(Map.of()), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    return new Outcome(code, out.toString());
  }

  @Test
  void checkPrintsEveryProblemOfAWebhooksFilters() throws IOException {
    Path webhooks = Files.writeString(dir.resolve("webhooks.json"), """
        {"stripe": {"module": "log",
                    "filters": {"accept": [{"field": "/type", "in": []}, {"field": "X-Env", "equals": 1}],
                                "drop": [{"field": "/id", "regex": "(?<=x)"}]}},
         "github": {"module": "log", "filters": {"accept": [{"field": "X-GitHub-Event", "equal": "push"}]}},
         "fine": {"module": "log", "filters": {"drop": [{"field": "X-GitHub-Event", "equals": "ping"}]}}}
        """);
    Outcome outcome = run("check", "--webhooks", webhooks.toString(), "--host", "127.0.0.1");
    assertEquals(1, outcome.exitCode(), outcome.out());
    String prefix = "error: " + webhooks + ": webhook '";
    assertEquals(prefix + "stripe': filters.accept[0].in: must be a list of 1 to 1024 values\n"
        + prefix + "stripe': filters.accept[1].equals: must be a string: a header's value is text (write \"1\")\n"
        + prefix + "stripe': filters.drop[0].regex: is not a valid RE2 regular expression (RE2 has no "
        + "backreferences nor lookaround): invalid named capture\n"
        + prefix + "github': filters.accept[0].equal: unknown key 'equal' in a rule (a rule is \"field\" and one of "
        + "equals, in, exists, prefix, regex; or \"any\")\n"
        + "REFUSED: 4 error(s), 0 warning(s)\n", outcome.out());
  }

  @Test
  void checkAcceptsGoodFiltersOnBothSides() throws IOException {
    Path webhooks = Files.writeString(dir.resolve("webhooks.json"), """
        {"stripe": {"module": "log",
                    "filters": {"accept": [{"field": "/type", "in": ["payment_intent.succeeded"]}]}}}
        """);
    Path connector = Files.writeString(dir.resolve("connector.json"), """
        {"cloud_url": "http://127.0.0.1:8000", "channel": "payments", "token": "payments-token-0123456789",
         "default_target": {"url": "http://127.0.0.1:9000/in",
                            "filters": {"drop": [{"field": "/livemode", "equals": false}]}}}
        """);
    Outcome outcome = run("check", "--webhooks", webhooks.toString(), "--host", "127.0.0.1");
    assertEquals(0, outcome.exitCode(), outcome.out());
    Outcome connectorCheck = run("check", "--connector", connector.toString());
    assertEquals(0, connectorCheck.exitCode(), connectorCheck.out());
  }

  @Test
  void checkPrintsTheProblemsOfATargetsFilters() throws IOException {
    Path connector = Files.writeString(dir.resolve("connector.json"), """
        {"cloud_url": "http://127.0.0.1:8000", "channel": "payments", "token": "payments-token-0123456789",
         "targets": {"stripe": {"url": "http://127.0.0.1:9000/in",
                                "filters": {"accept": [{"field": "/type", "prefix": "payment", "exists": true}]}}}}
        """);
    Outcome outcome = run("check", "--connector", connector.toString());
    assertEquals(1, outcome.exitCode(), outcome.out());
    assertTrue(outcome.out().startsWith("error: " + connector + ": targets.stripe.filters.accept[0]: has both "
        + "'prefix' and 'exists': one operator per rule (write two rules, or an \"any\" rule)\n"), outcome.out());
  }
}
