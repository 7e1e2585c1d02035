package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ChannelSpec;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.validate.ValidatorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code "ordering": {"key": ...}} in a webhook_connect module-config: read, checked, agreed by every feeder. */
class OrderingConfigTest {
  @TempDir
  Path dir;

  private ConfigLoader.Result load(String webhooks) throws IOException {
    Path file = dir.resolve("webhooks.json");
    Path connections = dir.resolve("connections.json");
    Files.writeString(file, webhooks);
    Files.writeString(connections, "{}");
    Env env = Env.of(Map.of());
    ValidatorContext context = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("no HTTP client in config tests");
    });
    return ConfigLoader.load(file, connections, env, context, true, true);
  }

  private static String relay(String id, String channel, String extra) {
    return "\"" + id + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + channel
        + "\", \"channel_token\": \"tok-for-tests-123\"" + extra + "}}";
  }

  private static List<String> errors(ConfigLoader.Result result) {
    return result.errors().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void headerAndPointerKeysAreReadIntoTheChannel() throws IOException {
    ConfigLoader.Result result = load("{" + relay("stripe", "payments", ", \"ordering\": {\"key\": \"/data/object/id\"}")
        + ", " + relay("github", "code", ", \"ordering\": {\"key\": \"X-GitHub-Hook-ID\"}")
        + ", " + relay("plain", "other", "") + "}");
    assertTrue(result.ok(), () -> "errors: " + errors(result));
    Map<String, ChannelSpec> channels = result.snapshot().channels();
    assertEquals("/data/object/id", channels.get("payments").orderingKey().toString());
    assertEquals("x-github-hook-id", channels.get("code").orderingKey().headerName());
    assertTrue(channels.get("payments").ordered());
    assertNull(channels.get("other").orderingKey(), "no ordering: unordered");
  }

  @Test
  void badKeyIsRefusedNamingTheKey() throws IOException {
    ConfigLoader.Result result = load("{" + relay("a", "ch", ", \"ordering\": {\"key\": \"/a~2\"}") + "}");
    assertEquals(1, result.errors().size(), () -> "errors: " + errors(result));
    String text = errors(result).get(0);
    assertTrue(text.contains("webhook 'a'") && text.contains("ordering.key") && text.contains("JSON pointer"), text);
  }

  @Test
  void missingKeyUnknownKeyAndNonObjectAreRefused() throws IOException {
    ConfigLoader.Result result = load("{" + relay("a", "ch1", ", \"ordering\": {}")
        + ", " + relay("b", "ch2", ", \"ordering\": {\"key\": \"/id\", \"window\": 3}")
        + ", " + relay("c", "ch3", ", \"ordering\": \"/id\"") + "}");
    List<String> errors = errors(result);
    assertEquals(3, errors.size(), () -> "errors: " + errors);
    assertTrue(errors.stream().anyMatch(text -> text.contains("webhook 'a'") && text.contains("ordering.key")), errors::toString);
    assertTrue(errors.stream().anyMatch(text -> text.contains("webhook 'b'") && text.contains("ordering.window")), errors::toString);
    assertTrue(errors.stream().anyMatch(text -> text.contains("webhook 'c'") && text.contains("ordering")), errors::toString);
  }

  @Test
  void feedersOfOneChannelMustAgreeOnTheOrdering() throws IOException {
    ConfigLoader.Result result = load("{" + relay("first", "shared", ", \"ordering\": {\"key\": \"/id\"}")
        + ", " + relay("second", "shared", "") + "}");
    assertEquals(1, result.errors().size(), () -> "errors: " + errors(result));
    assertTrue(errors(result).get(0).contains("webhook 'second'") && errors(result).get(0).contains("ordering"),
        errors(result).get(0));
    ConfigLoader.Result agreeing = load("{" + relay("first", "shared", ", \"ordering\": {\"key\": \"/id\"}")
        + ", " + relay("second", "shared", ", \"ordering\": {\"key\": \"/id\"}") + "}");
    assertTrue(agreeing.ok(), () -> "errors: " + errors(agreeing));
  }
}
