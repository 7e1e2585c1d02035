package io.cwm.module.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.aws.AwsConnection;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The aws_sqs module-config and connection rules, without Python's false refusals. */
class SqsTargetTest {

  private static SqsTarget target(JsonObject config) {
    return SqsModuleVerticle.TYPE.target(config, new JsonObject().put("module", "aws_sqs"), Env.of(Map.of()));
  }

  private static void assertRefused(String key, JsonObject config) {
    ConfigException e = assertThrows(ConfigException.class, () -> target(config), config::encode);
    assertEquals(key, e.key(), e::getMessage);
  }

  @Test
  void queueNameByTheSpecsRulePlusFifo() {
    SqsTarget target = target(new JsonObject().put("queue_name", " webhook-queue "));
    assertEquals("webhook-queue", target.queueName());
    assertNull(target.queueUrl());
    assertFalse(target.createQueue());
    assertFalse(target.fifo());
    assertTrue(target(new JsonObject().put("queue_name", "orders.fifo")).fifo());
    assertEquals("a".repeat(80), target(new JsonObject().put("queue_name", "a".repeat(80))).queueName());
    assertTrue(target(new JsonObject().put("queue_name", "x").put("create_queue", "true")).createQueue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a--b", "a__b", "a.b", "a/b", "q;x", "", " ", ".fifo", "x.fifo.fifo", "ü"})
  void badQueueNamesAreRefused(String name) {
    assertRefused("queue_name", new JsonObject().put("queue_name", name));
  }

  @Test
  void tooLongNamesAreRefused() {
    assertRefused("queue_name", new JsonObject().put("queue_name", "a".repeat(81)));
    assertRefused("queue_name", new JsonObject().put("queue_name", "a".repeat(76) + ".fifo"));
  }

  @Test
  void awsQueueUrlsOfAnyLengthAndTheirRegion() {
    String url = "https://sqs.eu-central-1.amazonaws.com/123456789012/" + "q".repeat(80);
    SqsTarget target = target(new JsonObject().put("queue_url", url));
    assertEquals(url, target.queueUrl());
    assertEquals("q".repeat(80), target.queueName());
    assertEquals("eu-central-1", target.urlRegion());
    assertEquals("us-east-1", target(new JsonObject()
        .put("queue_url", "https://us-east-1.queue.amazonaws.com/123456789012/q")).urlRegion());
    assertEquals("cn-north-1", target(new JsonObject()
        .put("queue_url", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo")).urlRegion());
    // queue_url wins over queue_name
    assertEquals("q", target(new JsonObject().put("queue_url", "https://sqs.us-east-1.amazonaws.com/1/q")
        .put("queue_name", "other")).queueName());
  }

  @Test
  void emulatorUrlsAreAcceptedWithoutARegion() {
    SqsTarget target = target(new JsonObject().put("queue_url", "http://localstack:4566/000000000000/webhook-queue"));
    assertNull(target.urlRegion());
    assertEquals("webhook-queue", target.queueName());
    assertNull(target(new JsonObject().put("queue_url", "http://127.0.0.1:9324/queue/q")).urlRegion());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://evil.com/q", "https://evil.com/sqs.amazonaws.com", "ftp://sqs.us-east-1.amazonaws.com/1/q",
      "http://sqs.us-east-1.amazonaws.com/1/q", "https://sqs.us-east-1.amazonaws.com/1/a--b",
      "https://sqs.us-east-1.amazonaws.com/1/q?x=1", "https://u:p@sqs.us-east-1.amazonaws.com/1/q",
      "https://sqs.us-east-1.amazonaws.com/1/q/x", "https://s3.amazonaws.com/1/q", "not a url",
      "https://sqs.us-east-1.amazonaws.com/1/q#f", "https://sqs.us-east-1.amazonaws.com//q"})
  void badQueueUrlsAreRefused(String url) {
    assertRefused("queue_url", new JsonObject().put("queue_url", url));
  }

  @Test
  void longUrlsAreRefusedAbove1024() {
    assertRefused("queue_url", new JsonObject().put("queue_url", "http://" + "h".repeat(1020) + "/1/q"));
  }

  @Test
  void missingQueueAndMisusedOptions() {
    assertRefused("queue_name", new JsonObject());
    assertRefused("create_queue", new JsonObject().put("queue_url", "https://sqs.us-east-1.amazonaws.com/1/q")
        .put("create_queue", true));
    assertRefused("create_queue", new JsonObject().put("queue_name", "q").put("create_queue", "maybe"));
    assertRefused("message_group_id", new JsonObject().put("queue_name", "q.fifo").put("message_group_id", ""));
    assertEquals("g-1", target(new JsonObject().put("queue_name", "q.fifo").put("message_group_id", "g-1"))
        .messageGroupId());
  }

  @Test
  void regionNameWinsOverRegionAndBothAreChecked() {
    Env strict = Env.of(Map.of());
    assertEquals("eu-west-1", AwsConnection.from(new JsonObject().put("region_name", "eu-west-1")
        .put("region", "us-west-2"), strict, SqsModuleVerticle.REGION_KEYS).region());
    assertEquals("us-west-2", AwsConnection.from(new JsonObject().put("region", "us-west-2"), strict,
        SqsModuleVerticle.REGION_KEYS).region());
    assertEquals("us-east-1", AwsConnection.from(new JsonObject(), strict, SqsModuleVerticle.REGION_KEYS).region());
    ConfigException e = assertThrows(ConfigException.class, () -> AwsConnection.from(
        new JsonObject().put("region_name", "eu/west"), strict, SqsModuleVerticle.REGION_KEYS));
    assertEquals("region_name", e.key());
    // the Python fixture's LocalStack endpoint is a plain host name: accepted at load
    assertEquals("http://localstack:4566", AwsConnection.from(new JsonObject()
        .put("endpoint_url", "http://localstack:4566"), strict, SqsModuleVerticle.REGION_KEYS).endpoint().toString());
  }
}
