package io.cwm.module.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The clickhouse module's load-time checks, connection settings, row encoding and failure types. */
class ClickHouseTargetTest {
  private static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));

  private static ConfigException refusedTable(Object table) {
    return assertThrows(ConfigException.class, () -> ClickHouseTarget.fromConfig(new JsonObject().put("table", table)));
  }

  @Test
  void defaultsAreWebhookLogsWithHeaders() {
    ClickHouseTarget target = ClickHouseTarget.fromConfig(new JsonObject());
    assertEquals("webhook_logs", target.table());
    assertTrue(target.includeHeaders());
    assertFalse(ClickHouseTarget.fromConfig(new JsonObject().put("include_headers", "false")).includeHeaders());
  }

  @Test
  void namesPythonRefusesForAKeywordInsideThemAreAccepted() {
    for (String name : new String[] {"webhook_updates", "created_events", "selection", "wasp_events", "xp_log",
        "sp_data", "dropped_calls", "2024_events", " padded "}) {
      assertEquals(name.trim(), ClickHouseTarget.fromConfig(new JsonObject().put("table", name)).table());
    }
  }

  @Test
  void hostileOrKeywordNamesAreRefusedNamingTheKey() {
    for (String name : new String[] {"", "select", "DROP", "a.b", "t`x", "t; DROP TABLE x", "table\u200bname",
        "../users", "x".repeat(256), "tab le"}) {
      ConfigException refused = refusedTable(name);
      assertEquals("table", refused.key(), name);
    }
    assertEquals("table", refusedTable(42).key());
    assertThrows(ConfigException.class, () -> ClickHouseTarget.fromConfig(new JsonObject().put("include_headers", 3)));
  }

  @Test
  void quotingRefusesUncheckedIdentifiers() {
    assertEquals("`db`.`t_1`", ClickHouseNames.qualified("db", "t_1"));
    assertThrows(IllegalArgumentException.class, () -> ClickHouseNames.quote("a`b"));
  }

  @Test
  void theNativePortMeansHttp8123AndOtherPortsAreHttp() {
    JsonObject python = new JsonObject().put("type", "clickhouse").put("host", "ch.example.com").put("port", 9000);
    assertEquals(8123, ClickHouseConnection.of(python, Env.of(Map.of())).httpPort());
    assertEquals(18123, ClickHouseConnection.of(python.copy().put("http_port", "18123"), Env.of(Map.of())).httpPort());
    assertEquals(8124, ClickHouseConnection.of(python.copy().put("port", 8124), Env.of(Map.of())).httpPort());
    assertEquals("port", assertThrows(ConfigException.class,
        () -> ClickHouseConnection.of(python.copy().put("port", 9440), Env.of(Map.of()))).key());
    ClickHouseConnection defaults = ClickHouseConnection.of(python, Env.of(Map.of()));
    assertEquals("default", defaults.database());
    assertEquals("default", defaults.user());
    assertEquals("", defaults.password());
  }

  @Test
  void hostRulesAndDatabaseNamesAreChecked() {
    JsonObject local = new JsonObject().put("host", "127.0.0.1").put("port", 9000);
    assertEquals("host", assertThrows(ConfigException.class,
        () -> ClickHouseConnection.of(local, Env.of(Map.of()))).key());
    assertEquals("127.0.0.1", ClickHouseConnection.of(local, LOCAL).host());
    assertEquals("database", assertThrows(ConfigException.class,
        () -> ClickHouseConnection.of(local.copy().put("database", "a.b"), LOCAL)).key());
  }

  @Test
  void payloadsAreJsonTextTheirOwnTextOrBase64() {
    assertEquals("{\"a\":1}", ClickHouseRow.payloadText(new JsonObject().put("a", 1)));
    assertEquals("[1,\"x\"]", ClickHouseRow.payloadText(new JsonArray().add(1).add("x")));
    assertEquals("plain text", ClickHouseRow.payloadText("plain text"));
    assertEquals("42", ClickHouseRow.payloadText(42));
    assertEquals("true", ClickHouseRow.payloadText(true));
    assertEquals("null", ClickHouseRow.payloadText(null));
    assertEquals("AAH/", ClickHouseRow.payloadText(Buffer.buffer(new byte[] {0, 1, (byte) 0xff})));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-event", "a\"b");
    assertEquals("{\"x-event\":\"a\\\"b\"}", ClickHouseRow.headersText(headers, true));
    assertEquals("{}", ClickHouseRow.headersText(headers, false));
  }

  @Test
  void aRowIsOneJsonEachRowLineWithEpochSeconds() {
    Buffer rows = Buffer.buffer();
    ClickHouseRow.append(rows, "hook", Instant.ofEpochSecond(1_765_090_000L), "p\n", "{}");
    String line = rows.toString();
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    JsonObject row = new JsonObject(line);
    assertEquals(ClickHouseRow.COLUMNS, java.util.List.copyOf(row.fieldNames()));
    assertEquals(1_765_090_000L, row.getLong("timestamp"));
    assertEquals("p\n", row.getString("payload"));
  }

  @Test
  void serverCodesAreTypedWhetherTheClientParsedThemOrNot() {
    assertEquals(Category.AUTH, ClickHouseFailures.fromServer(0, 401,
        "Code: 193, e.displayText() = DB::Exception: Wrong password for user x").category());
    assertEquals(Category.CONFIG, ClickHouseFailures.fromServer(60, 404, "").category());
    assertEquals(Category.VALIDATION, ClickHouseFailures.fromServer(0, 500, "Code: 27, e.displayText() = x").category());
    assertEquals(Category.UNAVAILABLE, ClickHouseFailures.fromServer(252, 500, "Too many parts").category());
    assertEquals(Category.UNAVAILABLE, ClickHouseFailures.fromServer(0, 0, "x (transport error: 503)").category());
    assertEquals(Category.TIMEOUT, ClickHouseFailures.fromServer(159, 500, "").category());
    assertEquals(Category.PERMISSION, ClickHouseFailures.fromServer(497, 500, "").category());
    assertEquals(Category.INTERNAL, ClickHouseFailures.fromServer(0, 500, "no code").category());
    assertFalse(ClickHouseFailures.fromServer(0, 500, "Code: 27, e.displayText() = secret value 'abc'").getMessage()
        .contains("abc"), "the server's text never reaches the message");
  }

  @Test
  void failuresWithoutAnAnswerAreRetryable() {
    assertEquals(Category.CONNECTION, ClickHouseFailures.classify(
        new RuntimeException(new java.net.ConnectException("refused"))).category());
    assertEquals(Category.TIMEOUT, ClickHouseFailures.classify(new java.util.concurrent.TimeoutException()).category());
    assertEquals(Category.TIMEOUT, ClickHouseFailures.classify(
        new RuntimeException(new java.net.SocketTimeoutException("read"))).category());
    assertEquals(Category.UNAVAILABLE, ClickHouseFailures.classify(
        new java.util.concurrent.RejectedExecutionException()).category());
    assertEquals(Category.CONFIG, ClickHouseFailures.classify(
        new RuntimeException(new java.net.UnknownHostException("x"))).category());
    assertEquals(Category.INTERNAL, ClickHouseFailures.classify(new IllegalStateException("bug")).category());
  }
}
