package io.cwm.module.aws;

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
 * What the AWS services' failures have in common, typed so that the transient ones are retried:
 *
 * <ul>
 *   <li>no answer: connection refused or reset, unknown host, other I/O → CONNECTION; the SDK's
 *       call or attempt timeout, socket or pool timeouts → TIMEOUT (both retryable);
 *   <li>the service answered: its status and error code go to the service's own rule
 *       ({@link Answered}); {@link #CREDENTIAL_CODES} are AUTH for every service;
 *   <li>no credentials found by the default chain → AUTH; anything else → INTERNAL.
 * </ul>
 *
 * Messages carry the service's name, the status and the error code, never the resource names,
 * endpoint or credentials.
 */
public final class AwsFailures {
  /** Error codes that say the credentials were refused (any service). */
  public static final Set<String> CREDENTIAL_CODES = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
      "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed",
      "InvalidSecurity", "AccountProblem", "InvalidClientTokenId", "UnrecognizedClientException",
      "MissingAuthenticationToken", "IncompleteSignature", "AuthFailure");

  /** A service's rule for an answered error: HTTP status and error code (may be null) to a failure. */
  @FunctionalInterface
  public interface Answered {
    ModuleFailure classify(int status, String errorCode);
  }

  private AwsFailures() {}

  /**
   * Types a failure of an SDK call.
   *
   * @param service the name in messages ("S3", "SQS")
   * @param action what failed, for the INTERNAL message ("upload", "send")
   */
  public static ModuleFailure classify(Throwable failure, String service, String action, Answered answered) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ModuleFailure typed) {
      return typed;
    }
    if (cause instanceof AwsServiceException error && error.statusCode() > 0) {
      return answered.classify(error.statusCode(), error.awsErrorDetails() == null ? null
          : error.awsErrorDetails().errorCode());
    }
    if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException) {
      return new ModuleFailure(Category.TIMEOUT, service + " did not answer in time");
    }
    for (Throwable inner = cause; inner != null; inner = inner.getCause()) {
      if (inner instanceof TimeoutException || inner instanceof java.net.SocketTimeoutException
          || inner.getClass().getSimpleName().contains("Timeout")) { // Netty's Read/Write/ConnectTimeoutException
        return new ModuleFailure(Category.TIMEOUT, service + " did not answer in time");
      }
      if (inner instanceof UnknownHostException) {
        return new ModuleFailure(Category.CONNECTION, "cannot resolve the " + service + " endpoint");
      }
      if (inner instanceof IOException) {
        return new ModuleFailure(Category.CONNECTION, service + " unreachable: " + inner.getClass().getSimpleName());
      }
      if (inner.getCause() == inner) {
        break;
      }
    }
    if (cause instanceof SdkClientException client && client.getMessage() != null
        && client.getMessage().contains("credentials")) {
      return new ModuleFailure(Category.AUTH, "no AWS credentials found for the " + service + " connection");
    }
    return new ModuleFailure(Category.INTERNAL, service + " " + action + " failed: " + cause.getClass().getSimpleName());
  }

  /** The completion/execution wrappers of a failed future removed. */
  public static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
