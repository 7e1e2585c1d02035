package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which S3 failures are worth a retry. */
class S3FailuresTest {

  private static S3Exception answered(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("detail with my-bucket").build())
        .message("detail with my-bucket").build();
  }

  private static ModuleFailure classify(Throwable failure) {
    return S3Failures.classify(new CompletionException(failure));
  }

  @Test
  void serverSideTroubleIsRetryable() {
    assertEquals(Category.UNAVAILABLE, classify(answered(503, "SlowDown")).category());
    assertEquals(Category.UNAVAILABLE, classify(answered(500, "InternalError")).category());
    assertEquals(Category.UNAVAILABLE, classify(answered(429, "TooManyRequests")).category());
    assertEquals(Category.TIMEOUT, classify(answered(400, "RequestTimeout")).category());
  }

  @Test
  void refusalsAreNotRetryable() {
    assertEquals(Category.PERMISSION, classify(answered(403, "AccessDenied")).category());
    assertEquals(Category.AUTH, classify(answered(403, "InvalidAccessKeyId")).category());
    assertEquals(Category.AUTH, classify(answered(403, "SignatureDoesNotMatch")).category());
    assertEquals(Category.CONFIG, classify(answered(404, "NoSuchBucket")).category());
    assertEquals(Category.REJECTED, classify(answered(400, "MetadataTooLarge")).category());
    assertFalse(classify(answered(400, "InvalidArgument")).retryable());
  }

  @Test
  void messagesCarryStatusAndCodeButNotS3sText() {
    ModuleFailure failure = classify(answered(404, "NoSuchBucket"));
    assertEquals("S3 answered HTTP 404 NoSuchBucket", failure.getMessage());
    assertFalse(failure.getMessage().contains("my-bucket"));
  }

  @Test
  void noAnswerIsRetryable() {
    ModuleFailure refused = classify(SdkClientException.builder().message("Unable to execute HTTP request")
        .cause(new ConnectException("Connection refused: /127.0.0.1:9")).build());
    assertEquals(Category.CONNECTION, refused.category());
    assertFalse(refused.getMessage().contains("127.0.0.1"));
    assertEquals(Category.TIMEOUT, classify(ApiCallTimeoutException.create(30_000)).category());
    assertTrue(classify(SdkClientException.builder().message("x")
        .cause(new io.netty.handler.timeout.ReadTimeoutException()).build()).retryable());
  }

  @Test
  void missingCredentialsAreAnAuthProblem() {
    assertEquals(Category.AUTH, classify(SdkClientException.builder()
        .message("Unable to load credentials from any of the providers in the chain").build()).category());
  }
}
