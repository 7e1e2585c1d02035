package io.cwm.module.s3;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.aws.AwsFailures;

/**
 * Types an S3 failure, so that the transient ones are retried:
 *
 * <ul>
 *   <li>no answer (unreachable, timeouts) and missing credentials: as for every AWS service
 *       ({@link AwsFailures});
 *   <li>S3 answered 5xx, 429 or {@code SlowDown} → UNAVAILABLE; 408 or {@code RequestTimeout} →
 *       TIMEOUT (retryable);
 *   <li>401, or the credentials refused ({@code InvalidAccessKeyId}, {@code SignatureDoesNotMatch},
 *       {@code ExpiredToken}, …) → AUTH; other 403 → PERMISSION; 404 ({@code NoSuchBucket}) →
 *       CONFIG; any other 4xx → REJECTED (not retryable);
 *   <li>anything else → INTERNAL.
 * </ul>
 *
 * Messages carry the status and S3's error code, never the bucket, key, endpoint or credentials.
 */
final class S3Failures {
  private S3Failures() {}

  static ModuleFailure classify(Throwable failure) {
    return AwsFailures.classify(failure, "S3", "upload", S3Failures::answered);
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
    if (status == 401 || (errorCode != null && AwsFailures.CREDENTIAL_CODES.contains(errorCode))) {
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
}
