package io.cwm.connector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.connector.CircuitSettings;
import io.cwm.connector.ConnectorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code circuit_breaker} of a connector.json target (issue 16): on by default, false, or an object. */
class CircuitBreakerConfigTest {
  @TempDir
  Path dir;

  private ConnectorConfigLoader.Result load(String targets) throws IOException {
    Path file = dir.resolve("connector.json");
    Files.writeString(file, """
        {"cloud_url": "https://cloud.example.com/", "channel": "orders", "token": "secret", %s}""".formatted(targets));
    return ConnectorConfigLoader.load(List.of(file), ConnectorFlags.NONE, Env.of(Map.of()),
        ConnectorConfigLoader.Purpose.START);
  }

  private static ConnectorConfig one(ConnectorConfigLoader.Result result) {
    assertTrue(result.ok(), () -> "errors: " + result.errors());
    return result.connectors().get(0);
  }

  private static List<String> errors(ConnectorConfigLoader.Result result) {
    return result.errors().stream().map(CircuitBreakerConfigTest::keyAndMessage).toList();
  }

  private static String keyAndMessage(ConfigProblem problem) {
    return (problem.key() == null ? "" : problem.key() + ": ") + problem.message();
  }

  @Test
  void onByDefaultOffWithFalseAndEachFieldOfAnObjectRead() throws IOException {
    ConnectorConfig config = one(load("""
        "default_target": {"url": "http://localhost:9000/hook"},
        "targets": {"off": {"url": "http://localhost:9000/off", "circuit_breaker": false},
                    "on": {"url": "http://localhost:9000/on", "circuit_breaker": true},
                    "tuned": {"url": "http://localhost:9000/t", "circuit_breaker": {"failure_threshold": 2,
                        "probe_delay_seconds": 0.5, "probe_max_delay_seconds": 30, "probe_backoff_multiplier": 3}},
                    "disabled": {"url": "http://localhost:9000/d", "circuit_breaker": {"enabled": false}}}"""));
    assertEquals(CircuitSettings.DEFAULT, config.defaultTarget().circuitBreaker());
    assertEquals(new CircuitSettings(5, 1, 60, 2), CircuitSettings.DEFAULT, "5 failures; 1 s doubling to 60 s");
    assertNull(config.targets().get("off").circuitBreaker());
    assertEquals(CircuitSettings.DEFAULT, config.targets().get("on").circuitBreaker());
    assertEquals(new CircuitSettings(2, 0.5, 30, 3), config.targets().get("tuned").circuitBreaker());
    assertNull(config.targets().get("disabled").circuitBreaker());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() throws IOException {
    ConnectorConfigLoader.Result result = load("""
        "targets": {"a": {"url": "http://localhost:9000/a", "circuit_breaker": "yes"},
                    "b": {"url": "http://localhost:9000/b", "circuit_breaker": {"failure_threshold": 0, "tries": 3}},
                    "c": {"url": "http://localhost:9000/c", "circuit_breaker": {"probe_delay_seconds": 10,
                        "probe_max_delay_seconds": 5}}}""");
    assertEquals(List.of(
        "targets.a.circuit_breaker: must be true, false or an object with enabled, failure_threshold, "
            + "probe_delay_seconds, probe_max_delay_seconds, probe_backoff_multiplier, got a string",
        "targets.b.circuit_breaker.tries: unknown key 'tries' in circuit_breaker (known: enabled, failure_threshold, "
            + "probe_delay_seconds, probe_max_delay_seconds, probe_backoff_multiplier)",
        "targets.b.circuit_breaker.failure_threshold: must be at least 1",
        "targets.c.circuit_breaker.probe_max_delay_seconds: must be at least probe_delay_seconds (10.0), got 5.0"),
        errors(result));
    assertTrue(result.connectors().isEmpty());
  }
}
