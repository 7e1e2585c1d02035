package io.cwm.module.sqs;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.aws.AwsFailures;
import java.util.Set;

/**
 * Types an SQS failure, so that the transient ones are retried:
 *
 * <ul>
 *   <li>no answer (unreachable, timeouts) and missing credentials: as for every AWS service
 *       ({@link AwsFailures});
 *   <li>SQS answered 5xx, 429, or a throttling code ({@code ThrottlingException},
 *       {@code RequestThrottled}, {@code KmsThrottled}, {@code QueueDeletedRecently}: wait and
 *       retry) → UNAVAILABLE; 408 or {@code RequestTimeout} → TIMEOUT (retryable);
 *   <li>the queue does not exist ({@code QueueDoesNotExist},
 *       {@code AWS.SimpleQueueService.NonExistentQueue}) → CONFIG with a clear message;
 *   <li>401 or refused credentials → AUTH; 403, {@code AccessDenied}, the KMS key refused →
 *       PERMISSION; any other 4xx ({@code InvalidParameterValue}, {@code InvalidMessageContents},
 *       a message over the queue's size limit, ...) → REJECTED (not retryable);
 *   <li>anything else → INTERNAL.
 * </ul>
 *
 * Messages carry the status and SQS's error code, never the queue, endpoint or credentials.
 */
final class SqsFailures {
  static final String SERVICE = "SQS";
  private static final Set<String> THROTTLED = Set.of("ThrottlingException", "RequestThrottled",
      "AWS.SimpleQueueService.RequestThrottled", "KmsThrottled", "KMS.ThrottlingException",
      "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", "ServiceUnavailable",
      "InternalError", "InternalFailure", "OverLimit");
  private static final Set<String> NO_QUEUE = Set.of("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
      "NonExistentQueue");
  private static final Set<String> DENIED = Set.of("AccessDenied", "AccessDeniedException", "KmsAccessDenied",
      "KMS.AccessDeniedException", "KmsDisabled", "KMS.DisabledException", "KmsInvalidKeyUsage",
      "KmsInvalidState", "KmsNotFound");

  private SqsFailures() {}

  static ModuleFailure classify(Throwable failure) {
    return AwsFailures.classify(failure, SERVICE, "send", SqsFailures::answered);
  }

  /** Whether a failure says the queue does not exist. */
  static boolean noQueue(Throwable failure) {
    return failure instanceof ModuleFailure typed && typed.getMessage().startsWith(NO_QUEUE_MESSAGE);
  }

  static final String NO_QUEUE_MESSAGE = "SQS queue does not exist";

  /** SQS answered with an error status. */
  static ModuleFailure answered(int status, String errorCode) {
    String code = errorCode == null || errorCode.isBlank() ? "" : " " + errorCode;
    String text = "SQS answered HTTP " + status + code;
    if (errorCode != null && NO_QUEUE.contains(errorCode)) {
      return new ModuleFailure(Category.CONFIG, NO_QUEUE_MESSAGE + " (" + text + ")");
    }
    if (status >= 500 || status == 429 || (errorCode != null && THROTTLED.contains(errorCode))) {
      return new ModuleFailure(Category.UNAVAILABLE, text);
    }
    if (status == 408 || "RequestTimeout".equals(errorCode)) {
      return new ModuleFailure(Category.TIMEOUT, text);
    }
    if (status == 401 || (errorCode != null && AwsFailures.CREDENTIAL_CODES.contains(errorCode))) {
      return new ModuleFailure(Category.AUTH, text);
    }
    if (status == 403 || (errorCode != null && DENIED.contains(errorCode))) {
      return new ModuleFailure(Category.PERMISSION, text);
    }
    return new ModuleFailure(Category.REJECTED, text);
  }
}
