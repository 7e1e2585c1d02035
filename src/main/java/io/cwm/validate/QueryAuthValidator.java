package io.cwm.validate;

import io.vertx.core.json.JsonObject;

/** STUB: to be implemented. */
public final class QueryAuthValidator {
  private QueryAuthValidator() {}

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
