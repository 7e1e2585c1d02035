package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.validate.ValidatorContext;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import io.cwm.app.ConfigLoader;

/**
 * The example config of the README's first command ({@code src/main/resources/conf}) and the one list
 * of its demo secrets in {@link SecretRules#DEMO_VALUES}: they stay in sync, and the demo secrets
 * are live only on a loopback address.
 */
class ExampleConfigTest {
  static final Path CONF = Path.of("src/main/resources/conf");
  /** {@code {$VAR:default}} */
  static final Pattern DEFAULTED = Pattern.compile("\\{\\$(\\w+):([^}]*)\\}");
  /** Defaults of the example that are not secrets: the port of connector.json's cloud_url. */
  static final Set<String> NOT_SECRETS = Set.of("8000");

  private static ConfigLoader.Result load(String listenHost) {
    Env env = Env.of(Map.of());
    return ConfigLoader.load(CONF.resolve("webhooks.json"), CONF.resolve("connections.json"), env,
        new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("no HTTP in config tests");
        }), new ConfigLoader.Rules(true, true, false, listenHost));
  }

  @Test
  void everyDefaultOfTheExampleIsADemoValueAndEveryDemoValueIsUsed() throws IOException {
    Set<String> defaults = new TreeSet<>();
    try (Stream<Path> files = Files.list(CONF)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        Matcher matcher = DEFAULTED.matcher(Files.readString(file));
        while (matcher.find()) {
          defaults.add(matcher.group(2));
        }
      }
    }
    defaults.removeAll(NOT_SECRETS);
    assertEquals(new TreeSet<>(SecretRules.DEMO_VALUES), defaults,
        "SecretRules.DEMO_VALUES must list exactly the secrets of the example config");
  }

  @Test
  void everySecretOfTheExampleWebhooksIsADemoValue() throws IOException {
    JsonObject webhooks = new JsonObject(Files.readString(CONF.resolve("webhooks.json")));
    int sites = 0;
    for (String id : webhooks.fieldNames()) {
      JsonObject entry = Substitution.apply(webhooks.getJsonObject(id), Env.of(Map.of()), new java.util.ArrayList<>());
      for (SecretRules.Site site : SecretRules.sites(entry)) {
        sites++;
        assertEquals(SecretRules.Placeholder.DEMO, SecretRules.classify(site.value()), id + ": " + site.key());
      }
    }
    assertEquals(8, sites, "the example's secrets: demo, github, stripe, archive, 2 x stripe_relay, 2 x relay_demo");
  }

  @Test
  void theExampleLoadsWithoutProblemsOnLoopback() {
    ConfigLoader.Result result = load("127.0.0.1");
    assertTrue(result.ok(), () -> result.problems().toString());
    assertEquals(List.of(), result.problems());
  }

  @Test
  void offLoopbackEachDemoSecretIsRefusedNamingItsVariable() {
    ConfigLoader.Result result = load("0.0.0.0");
    List<String> errors = result.errors().stream().map(ConfigProblem::toString).toList();
    assertEquals(8, errors.size(), errors::toString);
    for (String variable : List.of("DEMO_TOKEN", "GITHUB_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET", "ARCHIVE_API_KEY",
        "PAYMENTS_CHANNEL_TOKEN", "RELAY_TOKEN", "DEMO_CHANNEL_TOKEN")) {
      assertTrue(errors.stream().anyMatch(error -> error.contains("set {$" + variable + "} to a real secret")),
          variable + ": " + errors);
    }
    assertTrue(errors.stream().allMatch(error -> error.contains("is a demo value of the example config, accepted only "
        + "while the receiver listens on a loopback address, not on 0.0.0.0: start with --host 127.0.0.1")), errors::toString);
  }
}
