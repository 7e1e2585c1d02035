package io.cwm.module;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One delivery request to a ModuleVerticle: everything the module needs, already cleaned of
 * credentials. Sent over the local event bus without copying, so nobody may mutate it.
 *
 * @param webhookId the requested webhook id
 * @param module registry name of the module to run
 * @param target the module's target, parsed and checked once at load ({@link ModuleType#target})
 * @param connectionName name of the connection in connections.json, or null
 * @param connection that connection's (substituted) object, or null
 * @param payload JsonObject, JsonArray, String, Number, Boolean, null, or a Buffer for blobs
 * @param headers request headers, lower-case names
 * @param messageId relay message id when the call comes from Webhook Connect, else null
 */
public record ModuleCall(String webhookId, String module, Object target, String connectionName,
    JsonObject connection, Object payload, Map<String, String> headers, String messageId) {}
