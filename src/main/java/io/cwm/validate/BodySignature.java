package io.cwm.validate;

import io.cwm.error.CwmException;
import io.vertx.core.Future;

/**
 * A check of a signature over the body (HMAC, Standard Webhooks, the provider presets): it always
 * needs the body, and what it can decide from the headers alone (a missing or malformed signature
 * header, a stale timestamp) is decided by {@link #checkHead} before the body is read.
 */
interface BodySignature extends Validator {
  /** Throws the 401 when the signature headers are missing, malformed or stale. */
  void checkHead(WebhookRequest head);

  @Override
  default boolean needsBody(WebhookRequest head) {
    return true;
  }

  @Override
  default Future<Void> validateHead(WebhookRequest head) {
    try {
      checkHead(head);
      return Future.succeededFuture();
    } catch (CwmException refused) {
      return Future.failedFuture(refused);
    }
  }
}
