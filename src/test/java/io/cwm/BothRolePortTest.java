package io.cwm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import io.cwm.connector.ConnectorVerticle;
import io.cwm.testing.Http;
import io.cwm.testing.LogCapture;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job ({@code both} with the example config) on another port than 8000: the
 * built-in connector dials the port the receiver really listens on, also with {@code --port 0},
 * whatever {@code PORT} says.
 */
class BothRolePortTest {
  static final Path CONF = Path.of("src/main/resources/conf");

  @TempDir
  Path dir;

  private Main.Started startExample(Map<String, String> env, String port, StringWriter out) {
    String[] args = {"both", "--host", "127.0.0.1", "--port", port,
        "--webhooks", CONF.resolve("webhooks.json").toString(),
        "--connections", CONF.resolve("connections.json").toString(),
        "--config", CONF.resolve("connector.json").toString(),
        "--data-dir", dir.resolve("data").toString()};
    Main.Started started = Main.start(args, Env.of(env), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    assertEquals(0, started.exitCode());
    return started;
  }

  /** Posts to relay_demo and waits for the built-in connector's log module to write it. */
  private static void relaysThroughTheBuiltInConnector(int port, LogCapture webhooks) throws Exception {
    assertEquals(200, Http.post(port, "/webhook/relay_demo", "{\"id\":\"evt_2\"}",
        "Authorization", "Bearer relay-token").statusCode());
    assertTrue(TestConnector.await(20_000, () -> webhooks.messages().stream()
        .anyMatch(line -> line.contains("relay_demo") && line.contains("evt_2"))), webhooks.messages()::toString);
  }

  private static String dialled(LogCapture connector) {
    return connector.messages().stream().filter(line -> line.contains("starting: websocket to ")).findFirst()
        .orElseThrow(() -> new AssertionError("no connector started: " + connector.messages()));
  }

  @Test
  void aNonDefaultPortIsDialledNotTheDefaultNorAStalePortVariable() throws Exception {
    int port = TestServer.freePort();
    StringWriter out = new StringWriter();
    try (ServerSocket decoy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LogCapture webhooks = LogCapture.of("cwm.webhooks");
        LogCapture connector = LogCapture.of(ConnectorVerticle.class)) {
      // what the connector dialled before: PORT (here a decoy that would receive the channel token), else 8000
      Main.Started started = startExample(Map.of("PORT", String.valueOf(decoy.getLocalPort())), String.valueOf(port),
          out);
      try {
        relaysThroughTheBuiltInConnector(port, webhooks);
        assertTrue(dialled(connector).contains("websocket to http://127.0.0.1:" + port + " "), dialled(connector));
        decoy.setSoTimeout(1);
        assertThrows(SocketTimeoutException.class, decoy::accept, "nothing dialled PORT");
        assertTrue(out.toString().contains("cwm both listening on http://127.0.0.1:" + port + " "), out.toString());
      } finally {
        started.running().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void portZeroIsDialledAsThePortTheReceiverBound() throws Exception {
    StringWriter out = new StringWriter();
    try (LogCapture webhooks = LogCapture.of("cwm.webhooks");
        LogCapture connector = LogCapture.of(ConnectorVerticle.class)) {
      Main.Started started = startExample(Map.of(), "0", out);
      try {
        int bound = started.running().app().boundPort().get();
        assertTrue(bound > 0, "bound " + bound);
        relaysThroughTheBuiltInConnector(bound, webhooks);
        assertTrue(dialled(connector).contains("websocket to http://127.0.0.1:" + bound + " "), dialled(connector));
        assertFalse(dialled(connector).contains(":8000"), dialled(connector));
        assertTrue(out.toString().contains("cwm both listening on http://127.0.0.1:" + bound + " "), out.toString());
      } finally {
        started.running().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void portZeroIsOnePortForEveryEdgeInstance() throws Exception {
    StringWriter out = new StringWriter();
    Main.Started started = Main.start(new String[] {"receiver", "--host", "127.0.0.1", "--port", "0",
        "--webhooks", CONF.resolve("webhooks.json").toString(), "--data-dir", dir.resolve("data").toString()},
        Env.of(Map.of()), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    try {
      int bound = started.running().app().boundPort().get();
      assertNotEquals(-1, bound);
      // every request (new connection each time) lands on a listener: all instances share the port
      for (int i = 0; i < 8; i++) {
        assertEquals(200, Http.post(bound, "/webhook/demo", "{}", "Authorization", "Bearer demo-token").statusCode());
      }
      assertEquals(List.of("cwm receiver listening on http://127.0.0.1:" + bound + " (6 webhooks)"),
          out.toString().lines().toList());
    } finally {
      started.running().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
