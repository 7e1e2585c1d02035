package io.cwm.chain;

import io.vertx.core.json.JsonObject;

/**
 * One resolved step of a chain (or the single module of a plain entry), built once at load.
 *
 * @param module canonical registry name
 * @param connectionName connection used by this step, or null
 * @param connection that connection's substituted object, or null
 * @param moduleConfig effective module-config (item keys merged over the entry's, deeply)
 * @param target the module's target parsed from {@code moduleConfig} at load; every call carries it
 * @param retry this step's retry policy
 */
public record ChainItem(String module, String connectionName, JsonObject connection,
    JsonObject moduleConfig, Object target, RetryPolicy retry) {}
