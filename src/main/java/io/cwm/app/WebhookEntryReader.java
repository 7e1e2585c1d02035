package io.cwm.app;

import io.cwm.chain.ChainConfig;
import io.cwm.chain.ChainItem;
import io.cwm.chain.RetryPolicy;
import io.cwm.config.ConfigException;
import io.cwm.config.DedupSettings;
import io.cwm.config.FieldSelector;
import io.cwm.config.ConfigProblem.Severity;
import io.cwm.config.Env;
import io.cwm.config.RelayChannels;
import io.cwm.config.WebhookIdRules;
import io.cwm.config.WebhookKeys;
import io.cwm.filter.Filter;
import io.cwm.module.ModuleType;
import io.cwm.validate.ProviderPresets;
import io.cwm.validate.Validator;
import io.cwm.validate.ValidatorContext;
import io.cwm.validate.ValidatorFactory;
import io.cwm.webhook.CredentialCleaner;
import io.cwm.webhook.WebhookEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one substituted webhooks.json entry into a {@link WebhookEntry}: data type, the module or
 * the chain (each step's module resolved in {@link ModuleCatalog}, its module-config turned into
 * the module's target, its connection looked up), credential cleanup, validators, unknown keys,
 * and the entry's secret checks. Every problem is recorded; an entry with an error reads as null.
 * On the connector side only the keys that delivery uses are read.
 */
final class WebhookEntryReader {
  /** Keys of a webhooks.json entry that the connector side uses (spec §8.11, and filters); the rest is ingress. */
  private static final Set<String> CONNECTOR_SIDE_KEYS = Set.of("module", "module-config", "connection", "chain",
      "chain-config", "filters");
  private static final int MAX_CHAIN_ITEMS = 20;
  private static final Set<String> CHAIN_ITEM_KEYS =
      Set.of("module", "connection", "module-config", "retry", "topic", "queue_name", "destination");
  private static final List<String> LEGACY_KEYS = List.of("topic", "queue_name", "destination");

  private final Env env;
  private final ValidatorContext validatorContext;
  private final boolean strict;
  private final boolean connectorSide;
  private final Map<String, JsonObject> connections;
  private final LoadProblems problems;
  private final SecretChecks secrets;
  private final Set<String> referenced = new LinkedHashSet<>();
  private final Set<String> checkedConnections = new HashSet<>();

  /**
   * @param strict unknown entry keys are errors, not warnings
   * @param connectorSide read only what delivery uses (no validators, id rules or secret checks)
   * @param connections the connections by name, for the entries' {@code connection} keys
   * @param secrets the secret checks, or null on the connector side
   */
  WebhookEntryReader(Env env, ValidatorContext validatorContext, boolean strict, boolean connectorSide,
      Map<String, JsonObject> connections, LoadProblems problems, SecretChecks secrets) {
    this.env = env;
    this.validatorContext = validatorContext;
    this.strict = strict;
    this.connectorSide = connectorSide;
    this.connections = connections;
    this.problems = problems;
    this.secrets = secrets;
  }

  /** The connection names the entries read so far use. */
  Set<String> referenced() {
    return referenced;
  }

  /**
   * @param value the substituted entry
   * @param raw the entry as written (for the variables a secret came from)
   */
  WebhookEntry read(String id, Object value, Object raw) {
    if (!(value instanceof JsonObject original)) {
      problems.add(problems.webhookError(id, null, "must be an object"));
      return null;
    }
    JsonObject entry = connectorSide ? connectorSide(original) : original;
    int mark = problems.mark();
    unknownKeys(id, original);
    String idProblem = connectorSide ? null : WebhookIdRules.check(id);
    if (idProblem != null) {
      problems.add(problems.webhookError(id, null, "this id can never be called: " + idProblem));
    }
    boolean blob = false;
    Object dataType = entry.getValue("data_type", "json");
    if (!(dataType instanceof String type) || !(type.equals("json") || type.equals("blob"))) {
      problems.add(problems.webhookError(id, "data_type", "must be \"json\" or \"blob\""));
    } else {
      blob = type.equals("blob");
    }
    if (entry.containsKey("module-config") && !(entry.getValue("module-config") instanceof JsonObject)
        && entry.getValue("module-config") != null) {
      problems.add(problems.webhookError(id, "module-config", "must be an object"));
    }
    JsonObject moduleConfig = entry.getValue("module-config") instanceof JsonObject object ? object : new JsonObject();
    String connectionName = connectionName(id, "connection", entry.getValue("connection"));
    List<ChainItem> steps = new ArrayList<>();
    boolean chain = entry.getValue("chain") != null;
    ChainConfig chainConfig = ChainConfig.DEFAULT;
    if (chain) {
      chainConfig = problems.attempt(id, "chain-config", () -> ChainConfig.parse(entry.getValue("chain-config")),
          ChainConfig.DEFAULT);
      chainItems(id, entry, moduleConfig, connectionName, steps);
    } else {
      RetryPolicy retry = problems.attempt(id, "retry", () -> RetryPolicy.parse(entry.getValue("retry")),
          RetryPolicy.DISABLED);
      ModuleType<?> module = problems.attempt(id, "module", () -> ModuleCatalog.resolve("", entry.getValue("module")),
          null);
      if (module != null) {
        Object target = target(id, "module-config", module, moduleConfig, entry);
        steps.add(new ChainItem(module.name(), connectionName, connection(module, connectionName), moduleConfig,
            target, retry));
      }
    }
    CredentialCleaner cleaner = problems.attempt(id, "credential_cleanup",
        () -> CredentialCleaner.parse(entry.getValue("credential_cleanup")), CredentialCleaner.DEFAULT);
    List<ConfigException> validatorProblems = new ArrayList<>();
    List<String> emptyBlocks = new ArrayList<>();
    List<Validator> validators = ValidatorFactory.build(entry, validatorContext, validatorProblems, emptyBlocks);
    for (ConfigException problem : validatorProblems) {
      problems.add(problems.webhookError(id, problem.key(), problem.getMessage()));
    }
    for (String empty : emptyBlocks) {
      problems.add(problems.webhookWarning(id, empty, "block is empty: no check is made"));
    }
    Filter filter = filter(id, entry.getValue("filters"));
    if (secrets != null) {
      secrets.entry(id, entry, raw instanceof JsonObject rawEntry ? rawEntry : new JsonObject(), mark);
    }
    DedupSettings dedup = dedup(id, entry, chain, steps);
    if (dedup != null && cleaner.enabled() && cleaner.isCredential(dedup.fieldName())) {
      dedup = dedup.hashingKeys(); // the key stays in the envelope: never a credential's text
    }
    if (problems.errorSince(mark)) {
      return null;
    }
    return new WebhookEntry(id, entry, blob, List.copyOf(steps), chain, chainConfig, cleaner, validators, filter,
        dedup);
  }

  /** The entry's {@code filters} (null when it has none), each problem recorded under {@code filters.<key>}. */
  private Filter filter(String id, Object raw) {
    List<ConfigException> filterProblems = new ArrayList<>();
    Filter filter = Filter.parse(raw, filterProblems);
    for (ConfigException problem : filterProblems) {
      problems.add(problems.webhookError(id, problem.key().isEmpty() ? "filters" : "filters." + problem.key(),
          problem.getMessage()));
    }
    return filter;
  }

  /**
   * The entry's {@code dedup}, or null. Only a {@code webhook_connect} entry deduplicates: its
   * record lives in the channel's buffer, written with the message; a module or chain has no store
   * that could hold it with what it delivers, so {@code dedup} there is refused.
   */
  private DedupSettings dedup(String id, JsonObject entry, boolean chain, List<ChainItem> steps) {
    Object value = entry.getValue("dedup");
    if (value == null) {
      return providerDedup(id, entry, chain, steps);
    }
    DedupSettings dedup = problems.attempt(id, "dedup", () -> DedupSettings.parse(value), null);
    boolean relay = !chain && !steps.isEmpty() && RelayChannels.MODULE.equals(steps.get(0).module());
    if (dedup != null && !relay && (chain || !steps.isEmpty())) {
      problems.add(problems.webhookError(id, "dedup", "needs \"module\": \"webhook_connect\": the dedup record "
          + "is kept in the channel's buffer with the message; this entry delivers through "
          + (chain ? "a chain" : "module " + steps.get(0).module()) + ", which has none"));
      return null;
    }
    if (dedup != null && !dedup.key().isHeader() && "blob".equals(entry.getValue("data_type"))) {
      problems.add(problems.webhookError(id, "dedup.key", "a JSON pointer reads a JSON payload; this entry has "
          + "data_type blob: use a header"));
      return null;
    }
    return dedup;
  }

  /**
   * The default dedup key of the entry's {@code provider} preset, or null: only on a
   * {@code webhook_connect} entry, unless the block says {@code "dedup": false}. An invalid block is
   * the validator's error, not reported twice.
   */
  private DedupSettings providerDedup(String id, JsonObject entry, boolean chain, List<ChainItem> steps) {
    if (!(entry.getValue("provider") instanceof JsonObject block)) {
      return null;
    }
    boolean relay = !chain && !steps.isEmpty() && RelayChannels.MODULE.equals(steps.get(0).module());
    ProviderPresets.Spec spec;
    try {
      spec = ProviderPresets.spec(block);
      if (!relay || ProviderPresets.dedupOff(block) || spec.dedupKey() == null) {
        return null;
      }
    } catch (ConfigException invalid) {
      return null;
    }
    DedupSettings dedup = new DedupSettings(FieldSelector.parse(spec.dedupKey()), spec.dedupWindowSeconds(),
        "provider " + spec.name());
    if (!dedup.key().isHeader() && "blob".equals(entry.getValue("data_type"))) {
      problems.add(problems.webhookWarning(id, "provider", "provider " + spec.name() + "'s dedup key "
          + spec.dedupKey() + " reads a JSON payload and this entry has data_type blob: no dedup (set \"dedup\" "
          + "with a header key, or \"dedup\": false in the provider block)"));
      return null;
    }
    return dedup;
  }

  private static JsonObject connectorSide(JsonObject original) {
    JsonObject kept = new JsonObject();
    for (String key : CONNECTOR_SIDE_KEYS) {
      if (original.containsKey(key)) {
        kept.put(key, original.getValue(key));
      }
    }
    if ("blob".equals(original.getValue("data_type"))) {
      kept.put("data_type", "blob"); // the entry then gets a message's raw body as bytes (ModuleDeliverer)
    }
    return kept;
  }

  /** Unknown keys are warnings (errors when strict): a misspelt validator would leave the webhook unchecked. */
  private void unknownKeys(String id, JsonObject entry) {
    for (String key : entry.fieldNames()) {
      if (WebhookKeys.KNOWN.contains(key)) {
        continue;
      }
      WebhookKeys.Unknown unknown = WebhookKeys.judge(key, entry.getValue(key), strict);
      if (unknown != null) {
        problems.add(unknown.error() ? problems.webhookError(id, null, unknown.message())
            : problems.webhookWarning(id, null, unknown.message()));
      }
    }
  }

  private void chainItems(String id, JsonObject entry, JsonObject entryModuleConfig, String entryConnection,
      List<ChainItem> steps) {
    if (!(entry.getValue("chain") instanceof JsonArray items) || items.isEmpty() || items.size() > MAX_CHAIN_ITEMS) {
      problems.add(problems.webhookError(id, "chain", "must be a list of 1 to " + MAX_CHAIN_ITEMS + " items"));
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      String key = "chain[" + i + "]";
      Object item = items.getValue(i);
      Object named = item instanceof JsonObject object ? object.getValue("module") : item;
      if (named instanceof String name && RelayChannels.MODULE.equals(ModuleCatalog.canonical(name))) {
        problems.add(problems.webhookError(id, key, "webhook_connect cannot be a chain step (use it as the entry's module)"));
        continue;
      }
      if (item instanceof String name) {
        ModuleType<?> module = problems.attempt(id, key, () -> ModuleCatalog.resolve("", name), null);
        if (module != null) {
          Object target = target(id, key, module, entryModuleConfig, entry);
          // string items get the entry's connection with its details
          steps.add(new ChainItem(module.name(), entryConnection, connection(module, entryConnection), entryModuleConfig,
              target, RetryPolicy.DISABLED));
        }
      } else if (item instanceof JsonObject object) {
        ChainItem step = chainItem(id, key, object, entry, entryModuleConfig, entryConnection);
        if (step != null) {
          steps.add(step);
        }
      } else {
        problems.add(problems.webhookError(id, key, "must be a module name or an object"));
      }
    }
  }

  private ChainItem chainItem(String id, String key, JsonObject item, JsonObject entry, JsonObject entryModuleConfig,
      String entryConnection) {
    int mark = problems.mark();
    for (String field : item.fieldNames()) {
      if (!CHAIN_ITEM_KEYS.contains(field)) {
        problems.add(problems.webhookError(id, key + "." + field, "unknown chain item key"));
      }
    }
    ModuleType<?> module = problems.attempt(id, key + ".module",
        () -> ModuleCatalog.resolve("", item.getValue("module")), null);
    Object itemConfig = item.getValue("module-config");
    if (itemConfig != null && !(itemConfig instanceof JsonObject)) {
      problems.add(problems.webhookError(id, key + ".module-config", "must be an object"));
    }
    JsonObject merged = entryModuleConfig.copy();
    if (itemConfig instanceof JsonObject object) {
      merged.mergeIn(object, true);
    }
    for (String legacy : LEGACY_KEYS) {
      if (item.containsKey(legacy)) {
        if (itemConfig instanceof JsonObject object && object.containsKey(legacy)) {
          problems.add(problems.webhookError(id, key + "." + legacy, "also set inside the item's module-config"));
        } else {
          merged.put(legacy, item.getValue(legacy));
        }
      }
    }
    RetryPolicy retry = problems.attempt(id, key + ".retry", () -> RetryPolicy.parse(item.getValue("retry")),
        RetryPolicy.DISABLED);
    String connectionName = item.containsKey("connection")
        ? connectionName(id, key + ".connection", item.getValue("connection"))
        : entryConnection;
    Object target = module == null ? null : target(id, key + ".module-config", module, merged, entry);
    if (problems.errorSince(mark) || module == null) {
      return null;
    }
    return new ChainItem(module.name(), connectionName, connection(module, connectionName), merged, target, retry);
  }

  /** A connection name that connections.json defines (recorded as used), or null with the problem recorded. */
  private String connectionName(String id, String key, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name) || name.isBlank()) {
      problems.add(problems.webhookError(id, key, "must be a connection name"));
      return null;
    }
    if (!connections.containsKey(name)) {
      problems.add(problems.webhookError(id, key, "connection '" + name + "' is not defined in "
          + problems.connectionsFile()));
      return null;
    }
    referenced.add(name);
    return name;
  }

  /**
   * The named connection's object, or null; checked at load by the module that uses it
   * ({@link ModuleType#checkConnection}), once per module and connection.
   */
  private JsonObject connection(ModuleType<?> module, String name) {
    JsonObject connection = name == null ? null : connections.get(name);
    if (connection != null && checkedConnections.add(module.name() + "\0" + name)) {
      try {
        module.checkConnection(connection, env);
      } catch (ConfigException e) {
        problems.add(problems.connection(Severity.ERROR, name, e.key(),
            e.getMessage() + " (for module " + module.name() + ")"));
      }
    }
    return connection;
  }

  /** The module's load-time check: its target, or null with the problem recorded. */
  private Object target(String id, String key, ModuleType<?> module, JsonObject moduleConfig, JsonObject entry) {
    return problems.attempt(id, key, () -> module.target(moduleConfig, entry, env), null);
  }
}
