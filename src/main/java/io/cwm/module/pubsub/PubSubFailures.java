package io.cwm.module.pubsub;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Types a Pub/Sub failure by its gRPC status, so that the transient ones are retried:
 *
 * <ul>
 *   <li>UNAVAILABLE → CONNECTION; DEADLINE_EXCEEDED → TIMEOUT; RESOURCE_EXHAUSTED, ABORTED,
 *       INTERNAL, UNKNOWN, CANCELLED → UNAVAILABLE (all retryable);
 *   <li>NOT_FOUND → CONFIG (the topic does not exist); PERMISSION_DENIED → PERMISSION;
 *       UNAUTHENTICATED → AUTH; INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE and the rest →
 *       REJECTED (not retryable);
 *   <li>credentials that cannot be loaded → AUTH; anything else → INTERNAL.
 * </ul>
 *
 * Messages carry the status code, never the project, topic, endpoint or credentials.
 */
final class PubSubFailures {
  static final String NO_TOPIC = "Pub/Sub topic does not exist";

  private PubSubFailures() {}

  static ModuleFailure classify(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ModuleFailure typed) {
      return typed;
    }
    for (Throwable inner = cause; inner != null; inner = inner.getCause() == inner ? null : inner.getCause()) {
      if (inner instanceof ApiException api) {
        return status(api.getStatusCode().getCode().name());
      }
      if (inner instanceof StatusRuntimeException grpc) {
        return status(grpc.getStatus().getCode().name());
      }
      if (inner instanceof StatusException grpc) {
        return status(grpc.getStatus().getCode().name());
      }
      if (inner instanceof TimeoutException) {
        return new ModuleFailure(Category.TIMEOUT, "Pub/Sub did not answer in time");
      }
    }
    if (cause instanceof IOException) {
      return new ModuleFailure(Category.AUTH, "Pub/Sub credentials could not be loaded");
    }
    return new ModuleFailure(Category.INTERNAL, "Pub/Sub publish failed: " + cause.getClass().getSimpleName());
  }

  /** A gRPC status code's name ({@link StatusCode.Code}, {@link Status.Code}) to a failure. */
  static ModuleFailure status(String code) {
    String text = "Pub/Sub answered " + code;
    return switch (code) {
      case "UNAVAILABLE" -> new ModuleFailure(Category.CONNECTION, "Pub/Sub unavailable (UNAVAILABLE)");
      case "DEADLINE_EXCEEDED" -> new ModuleFailure(Category.TIMEOUT, "Pub/Sub did not answer in time (DEADLINE_EXCEEDED)");
      case "RESOURCE_EXHAUSTED", "ABORTED", "INTERNAL", "UNKNOWN", "CANCELLED" -> new ModuleFailure(Category.UNAVAILABLE, text);
      case "NOT_FOUND" -> new ModuleFailure(Category.CONFIG, NO_TOPIC + " (NOT_FOUND; set create_topic: true to create it)");
      case "PERMISSION_DENIED" -> new ModuleFailure(Category.PERMISSION, text);
      case "UNAUTHENTICATED" -> new ModuleFailure(Category.AUTH, text);
      default -> new ModuleFailure(Category.REJECTED, text);
    };
  }

  static boolean noTopic(ModuleFailure failure) {
    return failure.getMessage().startsWith(NO_TOPIC);
  }
}
