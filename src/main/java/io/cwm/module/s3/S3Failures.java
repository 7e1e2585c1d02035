package io.cwm.module.s3;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Types an S3 failure, so that the transient ones are retried:
 *
 * <ul>
 *   <li>no answer: connection refused or reset, unknown host, other I/O → CONNECTION; the SDK's
 *       call or attempt timeout, socket or pool timeouts → TIMEOUT (both retryable);
 *   <li>S3 answered 5xx, 429 or {@code SlowDown} → UNAVAILABLE; 408 or {@code RequestTimeout} →
 *       TIMEOUT (retryable);
 *   <li>401, or the credentials refused ({@code InvalidAccessKeyId}, {@code SignatureDoesNotMatch},
 *       {@code ExpiredToken}, …), or none found by the default chain → AUTH; other 403 → PERMISSION;
 *       404 ({@code NoSuchBucket}) → CONFIG; any other 4xx → REJECTED (not retryable);
 *   <li>anything else → INTERNAL.
 * </ul>
 *
 * Messages carry the status and S3's error code, never the bucket, key, endpoint or credentials.
 */
final class S3Failures {
  private static final Set<String> CREDENTIAL_CODES = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
      "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed",
      "InvalidSecurity", "AccountProblem");

  private S3Failures() {}

  static ModuleFailure classify(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ModuleFailure typed) {
      return typed;
    }
    if (cause instanceof AwsServiceException service && service.statusCode() > 0) {
      return answered(service.statusCode(), service.awsErrorDetails() == null ? null
          : service.awsErrorDetails().errorCode());
    }
    if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException) {
      return new ModuleFailure(Category.TIMEOUT, "S3 did not answer in time");
    }
    for (Throwable inner = cause; inner != null; inner = inner.getCause()) {
      if (inner instanceof TimeoutException || inner instanceof java.net.SocketTimeoutException
          || inner.getClass().getSimpleName().contains("Timeout")) { // Netty's Read/Write/ConnectTimeoutException
        return new ModuleFailure(Category.TIMEOUT, "S3 did not answer in time");
      }
      if (inner instanceof UnknownHostException) {
        return new ModuleFailure(Category.CONNECTION, "cannot resolve the S3 endpoint");
      }
      if (inner instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, "S3 unreachable: " + inner.getClass().getSimpleName());
      }
      if (inner.getCause() == inner) {
        break;
      }
    }
    if (cause instanceof SdkClientException client && client.getMessage() != null
        && client.getMessage().contains("credentials")) {
      return new ModuleFailure(Category.AUTH, "no AWS credentials found for the S3 connection");
    }
    return new ModuleFailure(Category.INTERNAL, "S3 upload failed: " + cause.getClass().getSimpleName());
  }

  /** S3 answered with an error status. */
  static ModuleFailure answered(int status, String errorCode) {
    String code = errorCode == null || errorCode.isBlank() ? "" : " " + errorCode;
    String text = "S3 answered HTTP " + status + code;
    if (status >= 500 || status == 429 || "SlowDown".equals(errorCode)) {
      return new ModuleFailure(Category.UNAVAILABLE, text);
    }
    if (status == 408 || "RequestTimeout".equals(errorCode)) {
      return new ModuleFailure(Category.TIMEOUT, text);
    }
    if (status == 401 || (errorCode != null && CREDENTIAL_CODES.contains(errorCode))) {
      return new ModuleFailure(Category.AUTH, text);
    }
    if (status == 403) {
      return new ModuleFailure(Category.PERMISSION, text);
    }
    if (status == 404) {
      return new ModuleFailure(Category.CONFIG, text);
    }
    return new ModuleFailure(Category.REJECTED, text);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
