package io.cwm.validate;

import io.vertx.core.Future;

/**
 * One check of an incoming webhook, built once from its block in webhooks.json. A validator
 * either succeeds or fails with a {@link io.cwm.error.CwmException} whose detail is the spec's
 * message (validator messages describe the client's own input and are shown verbatim).
 */
public interface Validator {
  /** The webhooks.json key this validator was built from ({@code hmac}, {@code jwt}, ...). */
  String key();

  /** Runs the check on the whole request, body included. */
  Future<Void> validate(WebhookRequest request);

  /**
   * Whether this check reads the body of {@code head} (a request whose body is not read yet). Checks
   * that do not run before the body is read, so a client that fails them never makes the receiver
   * buffer its body.
   */
  default boolean needsBody(WebhookRequest head) {
    return false;
  }

  /**
   * For a check that {@link #needsBody needs the body}: the part it can decide from the head alone
   * (a missing or malformed signature header, a stale timestamp), run before the body is read.
   */
  default Future<Void> validateHead(WebhookRequest head) {
    return Future.succeededFuture();
  }
}
