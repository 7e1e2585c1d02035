package io.cwm.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Calls of the Webhook Connect HTTP surface that tests repeat: ingest, status, ack. */
public final class ConnectApi {
  private final int port;

  public ConnectApi(TestServer server) {
    this.port = server.port();
  }

  public int port() {
    return port;
  }

  /** Posts a JSON webhook; asserts 200 and returns the relay message id. */
  public String post(String webhookId, String json) throws IOException, InterruptedException {
    HttpResponse<String> posted = Http.post(port, "/webhook/" + webhookId, json, "Content-Type", "application/json");
    if (posted.statusCode() != 200) {
      throw new AssertionError("webhook " + webhookId + " answered " + posted.statusCode() + ": " + posted.body());
    }
    return posted.headers().firstValue("x-webhook-message-id")
        .orElseThrow(() -> new AssertionError("no X-Webhook-Message-Id"));
  }

  /** The {@code stats} object of {@code GET /connect/status/{channel}}. */
  public JsonObject stats(String channel, String token) throws IOException, InterruptedException {
    HttpResponse<String> status = Http.get(port, "/connect/status/" + channel, "Authorization", "Bearer " + token);
    if (status.statusCode() != 200) {
      throw new AssertionError("status of " + channel + " answered " + status.statusCode() + ": " + status.body());
    }
    return new JsonObject(status.body()).getJsonObject("stats");
  }

  /** Polls the channel stats until {@code condition} holds (10 s deadline); returns the last stats. */
  public JsonObject awaitStats(String channel, String token, Predicate<JsonObject> condition)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonObject stats = stats(channel, token);
    while (!condition.test(stats)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("channel " + channel + " never reached the expected stats: " + stats.encode());
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling with a deadline
      stats = stats(channel, token);
    }
    return stats;
  }

  /** {@code POST /connect/ack} in the query form the Python connector uses. */
  public HttpResponse<String> ack(String messageId, String status, String connectionId, String token)
      throws IOException, InterruptedException {
    return Http.post(port, "/connect/ack?message_id=" + messageId + "&status=" + status, "",
        "X-Connection-ID", connectionId, "Authorization", "Bearer " + token);
  }
}
