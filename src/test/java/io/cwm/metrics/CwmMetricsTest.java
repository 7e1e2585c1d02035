package io.cwm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.ChannelStats;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The facade's meters, read back from the Prometheus text. */
class CwmMetricsTest {
  private final CwmMetrics metrics = new CwmMetrics(CwmMetrics.newRegistry(), Set.of("stripe"),
      Set.of("payments"), false);

  /** The value of the sample written exactly as {@code series} (name and labels), or NaN. */
  static double value(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  @Test
  void channelMetersAppearWithTheFirstStatsAndFollowTheLatest() {
    assertFalse(metrics.scrape().contains("cwm_channel_depth"), "no made-up zero before the backend answered");
    metrics.channelStats(new ChannelStats("payments", 5, 2, 100, 3, 4, Map.of()));
    metrics.channelStats(new ChannelStats("payments", 7, 1, 120, 3, 5, Map.of()));
    metrics.channelStats(new ChannelStats("elsewhere", 1, 1, 1, 1, 1, Map.of()));
    String scrape = metrics.scrape();
    assertEquals(7.0, value(scrape, "cwm_channel_depth{channel=\"payments\"}"), scrape);
    assertEquals(1.0, value(scrape, "cwm_channel_in_flight{channel=\"payments\"}"));
    assertEquals(120.0, value(scrape, "cwm_channel_delivered_total{channel=\"payments\"}"));
    assertEquals(3.0, value(scrape, "cwm_channel_expired_total{channel=\"payments\"}"));
    assertEquals(5.0, value(scrape, "cwm_channel_dead_lettered_total{channel=\"payments\"}"));
    assertTrue(scrape.contains("aggregate with max, not sum"), "HELP says how to aggregate");
    assertFalse(scrape.contains("elsewhere"), "channels outside the config are ignored");
  }

  @Test
  void connectorsAreCountedPerChannelAndProtocol() {
    metrics.connectors("payments", CwmMetrics.WEBSOCKET, 3);
    metrics.connectors("payments", CwmMetrics.LONG_POLL, 1);
    metrics.connectors("payments", "carrier-pigeon", 9);
    metrics.connectors("elsewhere", CwmMetrics.SSE, 9);
    String scrape = metrics.scrape();
    assertEquals(3.0, value(scrape, "cwm_connect_connectors{channel=\"payments\",protocol=\"websocket\"}"), scrape);
    assertEquals(0.0, value(scrape, "cwm_connect_connectors{channel=\"payments\",protocol=\"sse\"}"));
    assertEquals(1.0, value(scrape, "cwm_connect_connectors{channel=\"payments\",protocol=\"long_poll\"}"));
    assertFalse(scrape.contains("carrier-pigeon") || scrape.contains("elsewhere"), scrape);
  }

  @Test
  void ackLatencyIsAHistogramInSeconds() {
    metrics.ackLatency("payments", TimeUnit.MILLISECONDS.toNanos(3));
    metrics.ackLatency("payments", TimeUnit.MILLISECONDS.toNanos(250));
    metrics.ackLatency("elsewhere", TimeUnit.MILLISECONDS.toNanos(1));
    String scrape = metrics.scrape();
    assertEquals(2.0, value(scrape, "cwm_relay_post_to_ack_seconds_count{channel=\"payments\"}"), scrape);
    assertEquals(0.253, value(scrape, "cwm_relay_post_to_ack_seconds_sum{channel=\"payments\"}"), 1e-9);
    assertEquals(2.0, value(scrape, "cwm_relay_post_to_ack_seconds_bucket{channel=\"payments\",le=\"+Inf\"}"));
    long buckets = scrape.lines().filter(line -> line.startsWith("cwm_relay_post_to_ack_seconds_bucket{")).count();
    assertTrue(buckets > 10 && buckets < 100, "bounded bucket count: " + buckets);
    assertFalse(scrape.contains("elsewhere"));
  }

  @Test
  void webhookIdsOutsideTheConfigFoldIntoUnknown() {
    metrics.webhookReceived("stripe", 200);
    for (int i = 0; i < 100; i++) {
      metrics.webhookReceived("random-" + i, 404);
    }
    String scrape = metrics.scrape();
    assertEquals(1.0, value(scrape, "cwm_webhooks_received_total{status=\"200\",webhook_id=\"stripe\"}"), scrape);
    assertEquals(100.0, value(scrape, "cwm_webhooks_received_total{status=\"404\",webhook_id=\"_unknown\"}"));
    assertFalse(scrape.contains("random-"));
  }

  @Test
  void validationReasonsComeFromTheFailureCode() {
    metrics.validationFailed("hmac", CwmException.unauthorized("Invalid HMAC signature"));
    metrics.validationFailed("rate_limit", new CwmException(FailureCode.RATE_LIMITED, "Rate limit exceeded", 60));
    metrics.validationFailed("hmac", new IllegalStateException("bug"));
    String scrape = metrics.scrape();
    assertEquals(1.0, value(scrape, "cwm_validation_failures_total{reason=\"unauthorized\",validator=\"hmac\"}"),
        scrape);
    assertEquals(1.0, value(scrape, "cwm_validation_failures_total{reason=\"rate_limited\",validator=\"rate_limit\"}"));
    assertEquals(1.0, value(scrape, "cwm_validation_failures_total{reason=\"internal\",validator=\"hmac\"}"));
    assertFalse(scrape.contains("Invalid HMAC"), "messages are not labels");
  }

  @Test
  void webhookIdsCanBeHiddenLikeStats() {
    CwmMetrics hiding = new CwmMetrics(CwmMetrics.newRegistry(), Set.of("stripe"), Set.of(), true);
    hiding.webhookReceived("stripe", 200);
    String scrape = hiding.scrape();
    assertFalse(scrape.contains("stripe"), scrape);
    assertTrue(scrape.contains("webhook_id=\"webhook_"), scrape);
  }
}
