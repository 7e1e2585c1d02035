package io.cwm.module.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.aws.AwsFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The SQS message a webhook becomes (body, attributes, size) and the typing of SQS failures. */
class SqsMessageTest {

  @Test
  void bodies() {
    assertEquals("{\"a\":1,\"b\":[true,null]}", SqsMessage.of(new JsonObject("{\"a\":1,\"b\":[true,null]}"),
        Map.of()).body());
    assertEquals("[1,\"x\"]", SqsMessage.of(new JsonArray().add(1).add("x"), Map.of()).body());
    assertEquals("plain text", SqsMessage.of("plain text", Map.of()).body());
    assertEquals("42", SqsMessage.of(42, Map.of()).body());
    assertEquals("null", SqsMessage.of(null, Map.of()).body());
    SqsMessage blob = SqsMessage.of(Buffer.buffer(new byte[] {0, 1, (byte) 0xff}), Map.of());
    assertEquals("AAH/", blob.body());
    assertEquals("base64", blob.attributes().get("content-transfer-encoding").stringValue());
  }

  @Test
  void theFirstTenAcceptedHeadersInNameOrderBecomeStringAttributes() {
    Map<String, String> headers = new LinkedHashMap<>();
    for (char c = 'l'; c >= 'a'; c--) {
      headers.put("x-" + c, "v" + c);
    }
    headers.put("aws.trace", "refused prefix");
    headers.put("amazon.x", "refused prefix");
    headers.put("x-empty", "");
    headers.put("x-long", "v".repeat(257));
    headers.put("x-control", "a\u0001b");
    headers.put("a..b", "refused name");
    headers.put("a b", "refused name");
    headers.put("content-transfer-encoding", "base64");
    SqsMessage message = SqsMessage.of(new JsonObject(), headers);
    List<String> expected = new ArrayList<>();
    for (char c = 'a'; c <= 'j'; c++) {
      expected.add("x-" + c);
    }
    assertEquals(expected, new ArrayList<>(message.attributes().keySet()));
    assertEquals("String", message.attributes().get("x-a").dataType());
    assertEquals("va", message.attributes().get("x-a").stringValue());
    assertEquals(headers.size() - 10, message.droppedHeaders());
    // a value of exactly 256 characters is kept
    assertEquals("v".repeat(256), SqsMessage.of("x", Map.of("x-max", "v".repeat(256))).attributes().get("x-max")
        .stringValue());
  }

  @Test
  void aBlobKeepsNineHeadersBesideItsEncoding() {
    Map<String, String> headers = new TreeMap<>();
    for (int i = 10; i < 22; i++) {
      headers.put("h" + i, "v");
    }
    SqsMessage message = SqsMessage.of(Buffer.buffer("x"), headers);
    assertEquals(10, message.attributes().size());
    assertTrue(message.attributes().containsKey("content-transfer-encoding"));
    assertTrue(message.attributes().containsKey("h18"));
    assertFalse(message.attributes().containsKey("h19"));
  }

  @Test
  void sizeCountsBodyAndAttributesInUtf8() {
    SqsMessage message = SqsMessage.of("é€😀", Map.of("k", "vé"));
    assertEquals(2 + 3 + 4 + 1 + "String".length() + 3, message.size());
  }

  private static SqsException answered(int status, String code) {
    return (SqsException) SqsException.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("queue my-secret-queue").build())
        .message("queue my-secret-queue").build();
  }

  private static Category category(Throwable failure) {
    return SqsFailures.classify(new CompletionException(failure)).category();
  }

  @Test
  void failureClassification() {
    assertEquals(Category.UNAVAILABLE, category(answered(400, "ThrottlingException")));
    assertEquals(Category.UNAVAILABLE, category(answered(400, "AWS.SimpleQueueService.RequestThrottled")));
    assertEquals(Category.UNAVAILABLE, category(answered(500, "InternalError")));
    assertEquals(Category.UNAVAILABLE, category(answered(503, null)));
    assertEquals(Category.UNAVAILABLE, category(answered(400, "QueueDeletedRecently")));
    assertEquals(Category.CONFIG, category(answered(400, "AWS.SimpleQueueService.NonExistentQueue")));
    assertEquals(Category.CONFIG, category(answered(400, "QueueDoesNotExist")));
    assertEquals(Category.PERMISSION, category(answered(403, "AccessDenied")));
    assertEquals(Category.PERMISSION, category(answered(400, "KmsAccessDenied")));
    assertEquals(Category.AUTH, category(answered(403, "InvalidClientTokenId")));
    assertEquals(Category.AUTH, category(answered(400, "SignatureDoesNotMatch")));
    assertEquals(Category.REJECTED, category(answered(400, "InvalidParameterValue")));
    assertEquals(Category.REJECTED, category(answered(400, "InvalidMessageContents")));
    assertEquals(Category.CONNECTION, category(SdkClientException.builder().message("x")
        .cause(new ConnectException("Connection refused: /127.0.0.1:1")).build()));
    assertEquals(Category.TIMEOUT, category(ApiCallTimeoutException.create(30_000)));
    assertEquals(Category.AUTH, category(SdkClientException.builder()
        .message("Unable to load credentials from any of the providers in the chain").build()));
    String text = SqsFailures.classify(answered(400, "AWS.SimpleQueueService.NonExistentQueue")).getMessage();
    assertTrue(text.startsWith("SQS queue does not exist"), text);
    assertFalse(text.contains("my-secret-queue"), text);
    assertFalse(AwsFailures.classify(SdkClientException.builder().message("x")
        .cause(new ConnectException("Connection refused: /127.0.0.1:1")).build(), "SQS", "send",
        SqsFailures::answered).getMessage().contains("127.0.0.1"));
  }
}
