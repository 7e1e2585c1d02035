package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.retry.RetryCurve;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@link CircuitOutageTest} (short, every transport and buffer) and {@link CircuitOutageIT}
 * (ten minutes) run. Issue 16, point 4, end to end: a real receiver and our connector (role {@code both}, one
 * process), a real local HTTP target that goes down under load (connection refused: nothing
 * listens; or HTTP 503) and comes back. Proves: nothing is dead-lettered although the channel allows
 * only 3 deliveries per message; everything posted arrives once the target is back; the connector's
 * attempts during the outage stay under a bound computed from the probe curve (one probe per step);
 * the admin API shows the paused session with its open circuit and {@code /metrics} the circuit.
 * The outage lasts {@code -Dcwm.circuit.outage.seconds} (15 s by default in the short test, 600 s in
 * the IT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CircuitOutageCase {
  /** The target: 2 attempts of at most 2 s, 0.2 s apart. */
  static final int ATTEMPTS = 2;
  static final int MAX_CONCURRENT = 10;
  static final String ADMIN_TOKEN = "circuit-outage-admin-token-7f3a9c";
  private static final Pattern STATE = Pattern.compile("cwm_connector_circuit_state\\{[^}]*\\} ([0-9.]+)");
  private static final Pattern PROBES = Pattern.compile("cwm_connector_circuit_probes_total\\{[^}]*\\} ([0-9.]+)");
  private static final Pattern PAUSED = Pattern.compile("cwm_connect_sessions_paused\\{[^}]*\\} ([0-9.]+)");

  protected final String suffix = UUID.randomUUID().toString().substring(0, 8);

  /** The buffer's environment: embedded here. */
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false");
  }

  /** The circuit: opens after 3 failures in a row; probes after 0.5 s doubling to 4 s. */
  protected CircuitSettings settings() {
    return new CircuitSettings(3, 0.5, 4, 2);
  }

  protected long outageMillis() {
    return (long) (Double.parseDouble(System.getProperty("cwm.circuit.outage.seconds", "15")) * 1000);
  }

  /** Posts per second during the outage. */
  protected int loadPerSecond() {
    return 10;
  }

  /** The upper bound of the connector's attempts during an outage of {@code outageMillis}. */
  static long attemptBound(CircuitSettings settings, long outageMillis) {
    // before it opens: the failures that open it and the deliveries running meanwhile, each with its attempts
    long beforeOpen = (long) (settings.failureThreshold() + MAX_CONCURRENT) * ATTEMPTS;
    return beforeOpen + probeBound(settings, outageMillis);
  }

  /** Probes that fit in {@code outageMillis}: one per step of the curve, plus one for the timing at the edges. */
  static long probeBound(CircuitSettings settings, long outageMillis) {
    RetryCurve curve = settings.curve();
    long elapsed = 0;
    int probes = 0;
    while (true) {
      elapsed += curve.delayMillis(probes);
      if (elapsed > outageMillis) {
        return probes + 1;
      }
      probes++;
    }
  }

  /** One run: its own channel, receiver, connector and target. */
  protected final class Scenario {
    private final String protocol;
    private final boolean refused;
    private final String channel;
    private final Set<Integer> received = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger posted = new AtomicInteger();
    private volatile boolean failing;
    private Vertx vertx;
    private HttpServer target;
    private int targetPort;

    protected Scenario(String protocol, boolean refused) {
      this.protocol = protocol;
      this.refused = refused;
      this.channel = "circuit-" + protocol.replace('_', '-') + "-" + suffix;
    }

    @Override
    public String toString() {
      return protocol + (refused ? ", target refusing connections" : ", target answering 503");
    }

    public void run() throws Exception {
      vertx = Vertx.vertx();
      ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
      try {
        targetPort = TestServer.freePort();
        up();
        go(load);
      } finally {
        load.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
    }

    private void up() throws Exception {
      failing = false;
      if (target == null) {
        target = vertx.createHttpServer()
            .requestHandler(request -> request.body().onSuccess(body -> {
              requests.incrementAndGet();
              if (failing) {
                request.response().setStatusCode(503).end();
                return;
              }
              received.add(body.toJsonObject().getInteger("n"));
              request.response().end();
            }))
            .listen(targetPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }

    private void down() throws Exception {
      if (refused) { // nothing listens: connection refused
        target.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        target = null;
      } else {
        failing = true;
      }
    }

    private void go(ScheduledExecutorService load) throws Exception {
      Path dir = Files.createTempDirectory("cwm-circuit");
      String webhooks = """
          {"relay": {"module": "webhook_connect", "module-config": {"channel": "%s", "channel_token": "tok",
                     "max_deliveries": 3}}}""".formatted(channel);
      int port = TestServer.freePort();
      Target http = new Target("http://127.0.0.1:" + targetPort + "/in", "POST", Map.of(), 2, true, ATTEMPTS, 0.2, 2,
          settings());
      ConnectorConfig connector = TestConnectors.http(port, channel, "tok", protocol, http);
      Map<String, String> env = new HashMap<>(backendEnv());
      env.put("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN_TOKEN);
      try (TestServer server = TestServer.startIn(dir, port, "both", webhooks, "{}", env, List.of(connector))) {
        ConnectApi api = new ConnectApi(server);
        for (int n = 0; n < 20; n++) {
          api.post("relay", "{\"n\":" + n + "}");
        }
        posted.set(20);
        assertTrue(TestConnector.await(20_000, () -> received.size() == 20), () -> "before: " + received.size());

        down();
        int before = requests.get();
        long outageStart = System.currentTimeMillis();
        long period = Math.max(1, 1000 / loadPerSecond());
        load.scheduleAtFixedRate(() -> {
          int n = posted.getAndIncrement();
          try {
            api.post("relay", "{\"n\":" + n + "}");
          } catch (Exception | AssertionError e) {
            posted.decrementAndGet(); // not accepted: not expected at the target either
          }
        }, 0, period, TimeUnit.MILLISECONDS);

        // the circuit opens: the session is paused at the receiver, the admin API and /metrics say so
        assertTrue(TestConnector.await(15_000, () -> metric(server, PAUSED) == 1 && metric(server, STATE) >= 1),
            () -> "circuit never shown open: " + scrape(server));
        JsonObject session = pausedSession(server);
        JsonArray circuits = session.getJsonObject("flow").getJsonArray("circuits");
        assertEquals("default_target", circuits.getJsonObject(0).getString("target"), session::encode);
        assertTrue(circuits.getJsonObject(0).getString("since").length() >= 20, session::encode);

        long outageEnd = outageStart + outageMillis();
        TestConnector.await(outageMillis() + 1000, () -> System.currentTimeMillis() >= outageEnd);
        load.shutdownNow();
        assertTrue(load.awaitTermination(10, TimeUnit.SECONDS));
        long probes = (long) metric(server, PROBES);
        int attempts = requests.get() - before;
        long elapsed = System.currentTimeMillis() - outageStart;
        long probeBound = probeBound(settings(), elapsed);
        assertTrue(probes <= probeBound, "probes during the outage: " + probes + " > bound " + probeBound);
        assertTrue(probes >= 2, "probes during the outage: " + probes);
        if (!refused) { // the target counts what reached it
          long bound = attemptBound(settings(), elapsed);
          assertTrue(attempts <= bound, "attempts during the outage: " + attempts + " > bound " + bound);
        }
        JsonObject during = api.stats(channel, "tok");
        assertEquals(0, during.getLong("messages_dead_lettered"), during::encode);

        up();
        int total = posted.get();
        long longestWait = (long) (settings().probeMaxDelaySeconds() * 1000);
        assertTrue(TestConnector.await(longestWait + 60_000, () -> received.size() >= total),
            () -> "after: " + received.size() + " of " + total);
        JsonObject stats = api.awaitStats(channel, "tok", s -> s.getLong("messages_delivered") >= total
            && s.getLong("messages_queued") == 0 && s.getLong("messages_in_flight") == 0);
        assertEquals(0, stats.getLong("messages_dead_lettered"), stats::encode);
        assertTrue(TestConnector.await(10_000, () -> metric(server, STATE) == 0 && metric(server, PAUSED) == 0),
            () -> "circuit still shown open: " + scrape(server));
      }
    }

    private JsonObject pausedSession(TestServer server) throws Exception {
      HttpResponse<String> view = Http.get(server.port(), "/admin/webhook-connect/channels/" + channel,
          "Authorization", "Bearer " + ADMIN_TOKEN);
      assertEquals(200, view.statusCode(), view.body());
      for (Object client : new JsonObject(view.body()).getJsonArray("connected_clients")) {
        JsonObject session = (JsonObject) client;
        if (session.getBoolean("paused", false)) {
          return session;
        }
      }
      throw new AssertionError("no paused session: " + view.body());
    }
  }

  static String scrape(TestServer server) {
    try {
      return Http.get(server.port(), "/metrics", "Authorization", "Bearer " + ADMIN_TOKEN).body();
    } catch (Exception e) {
      return "";
    }
  }

  /** The value of the one sample of {@code pattern} in /metrics, -1 when absent. */
  static double metric(TestServer server, Pattern pattern) {
    Matcher found = pattern.matcher(scrape(server));
    return found.find() ? Double.parseDouble(found.group(1)) : -1;
  }
}
