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

  Future<Void> validate(WebhookRequest request);
}
