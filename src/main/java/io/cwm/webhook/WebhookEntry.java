package io.cwm.webhook;

import io.cwm.chain.ChainConfig;
import io.cwm.chain.ChainItem;
import io.cwm.chain.DeliveryPlan;
import io.cwm.validate.Validator;
import io.vertx.core.json.JsonObject;
import java.util.List;
import io.cwm.config.DedupSettings;
import io.cwm.config.RelayChannels;
import io.cwm.filter.Filter;

/**
 * One webhooks.json entry, parsed and validated at load: how a request to it is checked and
 * cleaned, and what delivers it (the entry is the {@link DeliveryPlan} the dispatcher runs).
 *
 * @param id the entry's key
 * @param raw the substituted entry as written
 * @param blob true for {@code data_type: blob} (raw bytes), false for JSON
 * @param steps the module to run (one item) or the chain's items
 * @param chain true when the entry has a {@code chain}
 * @param chainConfig chain execution settings (defaults for a single module)
 * @param cleaner credential cleanup settings
 * @param validators validators in the spec's order
 * @param filter the entry's {@code filters} (which requests are delivered), or null: every request is
 *     (a null check per request)
 * @param dedup the entry's {@code dedup} (idempotency key and window), or null; only on
 *     {@code webhook_connect} entries
 */
public record WebhookEntry(String id, JsonObject raw, boolean blob, List<ChainItem> steps,
    boolean chain, ChainConfig chainConfig, CredentialCleaner cleaner, List<Validator> validators, Filter filter,
    DedupSettings dedup)
    implements DeliveryPlan {

  /** An entry without {@code filters} nor {@code dedup}. */
  public WebhookEntry(String id, JsonObject raw, boolean blob, List<ChainItem> steps,
      boolean chain, ChainConfig chainConfig, CredentialCleaner cleaner, List<Validator> validators) {
    this(id, raw, blob, steps, chain, chainConfig, cleaner, validators, null, null);
  }

  /** The Webhook Connect channel this entry relays to, or null when it runs a module or chain. */
  public String relayChannel() {
    if (chain || !RelayChannels.MODULE.equals(steps.get(0).module())) {
      return null;
    }
    return steps.get(0).moduleConfig().getString("channel").trim();
  }
}
