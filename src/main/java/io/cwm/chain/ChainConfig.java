package io.cwm.chain;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * {@code chain-config} (spec §9): sequential or parallel, continue on error, timeout. The timeout
 * bounds sequential chains too.
 */
public record ChainConfig(boolean parallel, boolean continueOnError, double timeoutSeconds) {
  public static final ChainConfig DEFAULT = new ChainConfig(false, true, 30.0);
  private static final Set<String> KEYS = Set.of("execution", "continue_on_error", "timeout");

  public static ChainConfig parse(Object block) {
    if (block == null) {
      return DEFAULT;
    }
    if (!(block instanceof JsonObject config)) {
      throw new ConfigException("", "must be an object");
    }
    for (String key : config.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException(key, "unknown key (allowed: execution, continue_on_error, timeout)");
      }
    }
    String execution = Coerce.string(config, "execution", "sequential");
    if (!execution.equals("sequential") && !execution.equals("parallel")) {
      throw new ConfigException("execution", "must be \"sequential\" or \"parallel\"");
    }
    double timeout = Coerce.number(config, "timeout", 30.0, Double.MIN_VALUE, 3600);
    return new ChainConfig(execution.equals("parallel"), Coerce.bool(config, "continue_on_error", true), timeout);
  }
}
