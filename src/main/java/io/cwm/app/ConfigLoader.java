package io.cwm.app;

import io.cwm.chain.ChainConfig;
import io.cwm.chain.ChainItem;
import io.cwm.chain.RetryPolicy;
import io.cwm.webhook.CredentialCleaner;
import io.cwm.module.ModuleType;
import io.cwm.validate.Validator;
import io.cwm.validate.ValidatorContext;
import io.cwm.validate.ValidatorFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ConfigException;
import io.cwm.config.ConfigJson;
import io.cwm.config.ConfigProblem;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.cwm.config.RelayChannels;
import io.cwm.config.SecretRules;
import io.cwm.config.Substitution;
import io.cwm.webhook.WebhookEntry;
import io.cwm.config.WebhookIdRules;
import io.cwm.config.WebhookKeys;

/**
 * Reads webhooks.json and connections.json into a {@link ConfigSnapshot}, collecting every
 * problem instead of stopping at the first. The snapshot is only produced when there is no
 * error: the receiver never starts half-configured.
 */
public final class ConfigLoader {
  /** The built-in entry used when webhooks.json does not exist (spec §10). */
  static final String DEFAULT_WEBHOOKS =
      "{\"default\":{\"data_type\":\"json\",\"module\":\"log\","
          + "\"module-config\":{\"pretty_print\":true,\"redact_sensitive\":true}}}";
  /** Why a missing webhooks file stops the receiver, and the explicit way to the default entry. */
  static final String MISSING_WEBHOOKS = "file not found: the receiver needs its webhooks file (--webhooks, "
      + "WEBHOOKS_CONFIG_FILE); --allow-default-webhook or ALLOW_DEFAULT_WEBHOOK=true serves the built-in 'default' "
      + "entry instead (no authentication, logs every body)";
  private static final int MAX_CHAIN_ITEMS = 20;
  private static final Set<String> CHAIN_ITEM_KEYS =
      Set.of("module", "connection", "module-config", "retry", "topic", "queue_name", "destination");
  private static final List<String> LEGACY_KEYS = List.of("topic", "queue_name", "destination");

  /** The outcome: a snapshot when there was no error, and every problem found. */
  public record Result(ConfigSnapshot snapshot, List<ConfigProblem> problems) {
    public boolean ok() {
      return snapshot != null;
    }

    public List<ConfigProblem> errors() {
      return problems.stream().filter(ConfigProblem::isError).toList();
    }
  }

  /**
   * What start-up or {@code check} asks of the files beyond their own content.
   *
   * @param requireWebhooks a missing webhooks file is an error; otherwise it means the built-in
   *     {@code default} entry (with a warning)
   * @param requireConnections a missing connections file is an error; otherwise it means none
   * @param strict every unknown key of a webhook entry is an error, not a warning ({@code --strict},
   *     {@code CWM_STRICT_CONFIG=true})
   * @param listenHost the address the receiver listens on: the example config's demo secrets are
   *     refused unless it is a loopback address; null when unknown (they are then warnings)
   */
  public record Rules(boolean requireWebhooks, boolean requireConnections, boolean strict, String listenHost) {
    /** The rules with the strict mode of the environment ({@code CWM_STRICT_CONFIG}), listen address unknown. */
    public static Rules of(Env env, boolean requireWebhooks, boolean requireConnections) {
      return new Rules(requireWebhooks, requireConnections, strictFromEnv(env), null);
    }
  }

  /** {@code CWM_STRICT_CONFIG=true}: unknown webhook entry keys are errors. */
  public static boolean strictFromEnv(Env env) {
    return env.flag("CWM_STRICT_CONFIG");
  }

  private final Env env;
  private final ValidatorContext validatorContext;
  private final boolean strict;
  private final String listenHost;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private String webhooksName;
  private String connectionsName;

  /** Keys of a webhooks.json entry that the connector side uses (spec §8.11); the rest is ingress. */
  static final java.util.Set<String> CONNECTOR_SIDE_KEYS = java.util.Set.of("module", "module-config", "connection",
      "chain", "chain-config");

  private boolean connectorSide;

  private static JsonObject connectorSide(JsonObject original) {
    JsonObject kept = new JsonObject();
    for (String key : CONNECTOR_SIDE_KEYS) {
      if (original.containsKey(key)) {
        kept.put(key, original.getValue(key));
      }
    }
    return kept;
  }

  private ConfigLoader(Env env, ValidatorContext validatorContext, boolean strict, String listenHost) {
    this.env = env;
    this.validatorContext = validatorContext;
    this.strict = strict;
    this.listenHost = listenHost;
  }

  /**
   * Loads a connector's module-mode webhooks.json and connections.json (spec §8.11): the same
   * formats and substitution, but only what delivery uses is read — module, module-config,
   * connection, chain, chain-config; validators and other ingress fields, the webhook id rules
   * and the entry-level retry of a single module (the receiver redelivers) are ignored. Both
   * files are required when given; a null connections file means none.
   */
  public static Result loadForConnector(Path webhooksFile, Path connectionsFile, Env env, java.time.Clock clock) {
    return loadForConnector(webhooksFile, connectionsFile, env, clock, strictFromEnv(env));
  }

  /** As above; {@code strict}: unknown entry keys are errors (the receiver's rules for them apply). */
  public static Result loadForConnector(Path webhooksFile, Path connectionsFile, Env env, java.time.Clock clock,
      boolean strict) {
    ConfigLoader loader = new ConfigLoader(env, new ValidatorContext(clock, env, () -> {
      throw new IllegalStateException("the connector builds no validators");
    }), strict, null);
    loader.connectorSide = true;
    return connectionsFile == null
        ? loader.run(webhooksFile, Path.of(webhooksFile + ".no-connections"), true, false)
        : loader.run(webhooksFile, connectionsFile, true, true);
  }

  /**
   * Loads both files. A missing webhooks file means the built-in default entry (with a warning),
   * unless {@code requireWebhooks}; a missing connections file means no connections, unless
   * {@code requireConnections}.
   */
  public static Result load(Path webhooksFile, Path connectionsFile, Env env,
      ValidatorContext validatorContext, boolean requireWebhooks, boolean requireConnections) {
    return load(webhooksFile, connectionsFile, env, validatorContext,
        Rules.of(env, requireWebhooks, requireConnections));
  }

  /** Loads both files under {@code rules}. */
  public static Result load(Path webhooksFile, Path connectionsFile, Env env, ValidatorContext validatorContext,
      Rules rules) {
    return new ConfigLoader(env, validatorContext, rules.strict(), rules.listenHost())
        .run(webhooksFile, connectionsFile, rules.requireWebhooks(), rules.requireConnections());
  }

  private Result run(Path webhooksFile, Path connectionsFile, boolean requireWebhooks,
      boolean requireConnections) {
    webhooksName = webhooksFile.toString();
    connectionsName = connectionsFile.toString();
    JsonObject connectionsJson = read(connectionsFile, connectionsName, "{}", requireConnections, "file not found");
    JsonObject webhooksJson = read(webhooksFile, webhooksName, null, requireWebhooks,
        connectorSide ? "file not found" : MISSING_WEBHOOKS);
    if (webhooksJson == null && !Files.exists(webhooksFile) && !requireWebhooks) {
      problems.add(new ConfigProblem(ConfigProblem.Severity.WARNING, webhooksName, null, null, null,
          "file not found: serving the built-in 'default' webhook (no authentication, logs every body) as "
              + "--allow-default-webhook / ALLOW_DEFAULT_WEBHOOK=true asks"));
      webhooksJson = new JsonObject(DEFAULT_WEBHOOKS);
    }
    if (webhooksJson == null || connectionsJson == null) {
      return new Result(null, List.copyOf(problems));
    }
    List<Substitution.Problem> connectionProblems = new ArrayList<>();
    Map<String, JsonObject> connections =
        connections(Substitution.apply(connectionsJson, env, connectionProblems));
    Set<String> referenced = new LinkedHashSet<>();
    Map<String, WebhookEntry> webhooks = new LinkedHashMap<>();
    JsonObject substituted = substitute(webhooksJson, webhooksName, "webhook");
    for (String id : substituted.fieldNames()) {
      WebhookEntry entry = webhook(id, substituted.getValue(id), webhooksJson.getValue(id), connections, referenced);
      if (entry != null) {
        webhooks.put(id, entry);
      }
    }
    Map<String, String> conflicts = new LinkedHashMap<>();
    Map<String, JsonObject> relayConfigs = new LinkedHashMap<>();
    for (WebhookEntry entry : webhooks.values()) {
      if (!entry.chain() && RelayChannels.MODULE.equals(entry.steps().get(0).module())) {
        relayConfigs.put(entry.id(), entry.steps().get(0).moduleConfig());
      }
    }
    Map<String, ChannelSpec> channels = RelayChannels.build(relayConfigs, conflicts);
    conflicts.forEach((id, message) -> problems.add(webhookError(id, "module-config.channel", message)));
    checkConnections(connections, referenced);
    for (Substitution.Problem problem : connectionProblems) {
      reportConnectionSubstitution(problem, referenced);
    }
    if (!connectorSide) {
      environmentSecrets();
    }
    boolean failed = problems.stream().anyMatch(ConfigProblem::isError);
    ConfigSnapshot snapshot = failed ? null : new ConfigSnapshot(Map.copyOf(webhooks), Map.copyOf(connections),
        java.util.Collections.unmodifiableMap(channels));
    return new Result(snapshot, List.copyOf(problems));
  }

  private JsonObject read(Path file, String name, String missingDefault, boolean requireFiles, String missing) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      if (requireFiles) {
        problems.add(fileError(name, missing));
      }
      return missingDefault == null ? null : new JsonObject(missingDefault);
    } catch (IOException e) {
      problems.add(fileError(name, "cannot read file: " + e.getClass().getSimpleName()));
      return null;
    }
    try {
      if (ConfigJson.decode(text) instanceof JsonObject object) {
        return object;
      }
      problems.add(fileError(name, "must hold one JSON object"));
    } catch (ConfigException e) {
      problems.add(fileError(name, e.getMessage()));
    }
    return null;
  }

  private JsonObject substitute(JsonObject json, String file, String kind) {
    // webhooks.json: every unresolved placeholder is an error
    List<Substitution.Problem> found = new ArrayList<>();
    JsonObject result = Substitution.apply(json, env, found);
    for (Substitution.Problem problem : found) {
      List<String> path = problem.path();
      String entry = path.isEmpty() ? null : path.get(0);
      String key = path.size() < 2 ? null : joinKey(path.subList(1, path.size()));
      problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, file, kind, entry, key, problem.message()));
    }
    return result;
  }

  /** An unset variable in a connection nobody uses is a warning, like any other flaw there. */
  private void reportConnectionSubstitution(Substitution.Problem problem, Set<String> referenced) {
    List<String> path = problem.path();
    String entry = path.isEmpty() ? null : path.get(0);
    String key = path.size() < 2 ? null : joinKey(path.subList(1, path.size()));
    boolean used = entry != null && referenced.contains(entry);
    problems.add(new ConfigProblem(used ? ConfigProblem.Severity.ERROR : ConfigProblem.Severity.WARNING,
        connectionsName, "connection", entry, key,
        problem.message() + (used ? "" : " (not used by any webhook)")));
  }

  private Map<String, JsonObject> connections(JsonObject json) {
    Map<String, JsonObject> result = new LinkedHashMap<>();
    for (String name : json.fieldNames()) {
      Object value = json.getValue(name);
      if (value instanceof JsonObject object) {
        result.put(name, object);
      } else if (!name.startsWith("_")) {
        problems.add(connectionError(name, null, "must be an object"));
      }
      // keys starting with '_' holding non-objects ("_comment": "...") are comments
    }
    return result;
  }

  private void checkConnections(Map<String, JsonObject> connections, Set<String> referenced) {
    for (Map.Entry<String, JsonObject> connection : connections.entrySet()) {
      try {
        if (connection.getKey().length() > 256) {
          throw new ConfigException(null, "connection name longer than 256 characters");
        }
        ConnectionRules.check(connection.getValue(), env);
      } catch (ConfigException e) {
        // A bad entry nobody uses must not take the whole receiver down (Python refuses the file).
        ConfigProblem.Severity severity = referenced.contains(connection.getKey())
            ? ConfigProblem.Severity.ERROR : ConfigProblem.Severity.WARNING;
        problems.add(new ConfigProblem(severity, connectionsName, "connection", connection.getKey(),
            e.key(), e.getMessage() + (severity == ConfigProblem.Severity.WARNING ? " (not used by any webhook)" : "")));
      }
    }
  }

  private WebhookEntry webhook(String id, Object value, Object raw, Map<String, JsonObject> connections,
      Set<String> referenced) {
    if (!(value instanceof JsonObject original)) {
      problems.add(webhookError(id, null, "must be an object"));
      return null;
    }
    JsonObject entry = connectorSide ? connectorSide(original) : original;
    int before = problems.size();
    unknownKeys(id, original);
    String idProblem = connectorSide ? null : WebhookIdRules.check(id);
    if (idProblem != null) {
      problems.add(webhookError(id, null, "this id can never be called: " + idProblem));
    }
    boolean blob = false;
    Object dataType = entry.getValue("data_type", "json");
    if (!(dataType instanceof String type) || !(type.equals("json") || type.equals("blob"))) {
      problems.add(webhookError(id, "data_type", "must be \"json\" or \"blob\""));
    } else {
      blob = type.equals("blob");
    }
    if (entry.containsKey("module-config") && !(entry.getValue("module-config") instanceof JsonObject)
        && entry.getValue("module-config") != null) {
      problems.add(webhookError(id, "module-config", "must be an object"));
    }
    JsonObject moduleConfig = entry.getValue("module-config") instanceof JsonObject object ? object : new JsonObject();
    String connectionName = connectionName(id, "connection", entry.getValue("connection"), connections, referenced);
    List<ChainItem> steps = new ArrayList<>();
    boolean chain = entry.getValue("chain") != null;
    ChainConfig chainConfig = ChainConfig.DEFAULT;
    if (chain) {
      chainConfig = attempt(id, "chain-config", () -> ChainConfig.parse(entry.getValue("chain-config")), ChainConfig.DEFAULT);
      chainItems(id, entry, moduleConfig, connectionName, connections, referenced, steps);
    } else {
      RetryPolicy retry = attempt(id, "retry", () -> RetryPolicy.parse(entry.getValue("retry")), RetryPolicy.DISABLED);
      ModuleType<?> module = attempt(id, "module", () -> ModuleCatalog.resolve("", entry.getValue("module")), null);
      if (module != null) {
        Object target = target(id, "module-config", module, moduleConfig, entry);
        steps.add(new ChainItem(module.name(), connectionName, connection(connectionName, connections), moduleConfig,
            target, retry));
      }
    }
    CredentialCleaner cleaner = attempt(id, "credential_cleanup",
        () -> CredentialCleaner.parse(entry.getValue("credential_cleanup")), CredentialCleaner.DEFAULT);
    List<ConfigException> validatorProblems = new ArrayList<>();
    List<String> emptyBlocks = new ArrayList<>();
    List<Validator> validators = ValidatorFactory.build(entry, validatorContext, validatorProblems, emptyBlocks);
    for (ConfigException problem : validatorProblems) {
      problems.add(webhookError(id, problem.key(), problem.getMessage()));
    }
    for (String empty : emptyBlocks) {
      problems.add(new ConfigProblem(ConfigProblem.Severity.WARNING, webhooksName, "webhook", id, empty,
          "block is empty: no check is made"));
    }
    if (!connectorSide) {
      secrets(id, entry, raw instanceof JsonObject rawEntry ? rawEntry : new JsonObject(), before);
    }
    if (problems.subList(before, problems.size()).stream().anyMatch(ConfigProblem::isError)) {
      return null;
    }
    return new WebhookEntry(id, entry, blob, List.copyOf(steps), chain, chainConfig, cleaner, validators);
  }

  /**
   * Placeholders ({@code REPLACE_ME…}, {@code changeme}) and blank required secrets are errors; the
   * example config's demo values are errors unless the receiver listens on a loopback address. A key
   * that already has an error (a validator refusing an empty secret) is not reported twice.
   */
  private void secrets(String id, JsonObject entry, JsonObject rawEntry, int before) {
    List<ConfigProblem> found = List.copyOf(problems.subList(before, problems.size()));
    for (SecretRules.Site site : SecretRules.sites(entry)) {
      String block = site.key().contains(".") ? site.key().substring(0, site.key().indexOf('.')) : site.key();
      if (found.stream().anyMatch(p -> p.isError() && p.key() != null
          && (p.key().equals(site.key()) || p.key().equals(block)))) {
        continue;
      }
      SecretRules.Placeholder placeholder = SecretRules.classify(site.value());
      if (placeholder == null || (placeholder == SecretRules.Placeholder.BLANK && !site.required())) {
        continue;
      }
      List<String> variables = SecretRules.variables(SecretRules.raw(rawEntry, site.key()));
      ConfigProblem problem = secretProblem(placeholder, variables, site.key(), id);
      if (problem != null) {
        problems.add(problem);
      }
    }
  }

  private ConfigProblem secretProblem(SecretRules.Placeholder placeholder, List<String> variables, String key,
      String id) {
    String origin = SecretRules.origin(variables);
    if (placeholder != SecretRules.Placeholder.DEMO) {
      return webhookError(id, key, placeholder.text() + ": set the real secret" + origin);
    }
    if (SecretRules.isLoopback(listenHost)) {
      return null;
    }
    String set = variables.isEmpty() ? "set a real secret" : "set " + String.join(", ",
        variables.stream().map(name -> "{$" + name + "}").toList()) + " to a real secret";
    if (listenHost == null) {
      return new ConfigProblem(ConfigProblem.Severity.WARNING, webhooksName, "webhook", id, key,
          placeholder.text() + ", accepted only while the receiver listens on a loopback address (--host 127.0.0.1)");
    }
    return webhookError(id, key, placeholder.text() + ", accepted only while the receiver listens on a loopback "
        + "address, not on " + listenHost + ": start with --host 127.0.0.1, or " + set);
  }

  /** The receiver's secrets from the environment (admin and stats tokens), when set. */
  private void environmentSecrets() {
    for (String name : SecretRules.SECRET_VARIABLES) {
      String value = env.get(name).orElse("");
      SecretRules.Placeholder placeholder = value.isBlank() ? null : SecretRules.classify(value);
      if (placeholder == SecretRules.Placeholder.REPLACE_ME || placeholder == SecretRules.Placeholder.CHANGE_ME) {
        problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, "environment", null, null, name,
            placeholder.text() + ": set the real token, or leave " + name + " unset"));
      }
    }
  }

  /** Python ignores unknown keys; a misspelt validator would leave the webhook unchecked. */
  private void unknownKeys(String id, JsonObject entry) {
    for (String key : entry.fieldNames()) {
      if (WebhookKeys.KNOWN.contains(key)) {
        continue;
      }
      WebhookKeys.Unknown unknown = WebhookKeys.judge(key, entry.getValue(key), strict);
      if (unknown != null) {
        problems.add(new ConfigProblem(unknown.error() ? ConfigProblem.Severity.ERROR : ConfigProblem.Severity.WARNING,
            webhooksName, "webhook", id, null, unknown.message()));
      }
    }
  }

  private void chainItems(String id, JsonObject entry, JsonObject entryModuleConfig, String entryConnection,
      Map<String, JsonObject> connections, Set<String> referenced, List<ChainItem> steps) {
    if (!(entry.getValue("chain") instanceof JsonArray items) || items.isEmpty() || items.size() > MAX_CHAIN_ITEMS) {
      problems.add(webhookError(id, "chain", "must be a list of 1 to " + MAX_CHAIN_ITEMS + " items"));
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      String key = "chain[" + i + "]";
      Object item = items.getValue(i);
      Object named = item instanceof JsonObject object ? object.getValue("module") : item;
      if (named instanceof String name && RelayChannels.MODULE.equals(ModuleCatalog.canonical(name))) {
        problems.add(webhookError(id, key, "webhook_connect cannot be a chain step (use it as the entry's module)"));
        continue;
      }
      if (item instanceof String name) {
        ModuleType<?> module = attempt(id, key, () -> ModuleCatalog.resolve("", name), null);
        if (module != null) {
          Object target = target(id, key, module, entryModuleConfig, entry);
          // Python gives string items no connection details; we attach the entry's connection.
          steps.add(new ChainItem(module.name(), entryConnection, connection(entryConnection, connections),
              entryModuleConfig, target, RetryPolicy.DISABLED));
        }
      } else if (item instanceof JsonObject object) {
        ChainItem step = chainItem(id, key, object, entry, entryModuleConfig, entryConnection, connections, referenced);
        if (step != null) {
          steps.add(step);
        }
      } else {
        problems.add(webhookError(id, key, "must be a module name or an object"));
      }
    }
  }

  private ChainItem chainItem(String id, String key, JsonObject item, JsonObject entry,
      JsonObject entryModuleConfig, String entryConnection, Map<String, JsonObject> connections,
      Set<String> referenced) {
    int before = problems.size();
    for (String field : item.fieldNames()) {
      if (!CHAIN_ITEM_KEYS.contains(field)) {
        problems.add(webhookError(id, key + "." + field, "unknown chain item key"));
      }
    }
    ModuleType<?> module = attempt(id, key + ".module", () -> ModuleCatalog.resolve("", item.getValue("module")), null);
    Object itemConfig = item.getValue("module-config");
    if (itemConfig != null && !(itemConfig instanceof JsonObject)) {
      problems.add(webhookError(id, key + ".module-config", "must be an object"));
    }
    JsonObject merged = entryModuleConfig.copy();
    if (itemConfig instanceof JsonObject object) {
      merged.mergeIn(object, true);
    }
    for (String legacy : LEGACY_KEYS) {
      if (item.containsKey(legacy)) {
        if (itemConfig instanceof JsonObject object && object.containsKey(legacy)) {
          problems.add(webhookError(id, key + "." + legacy, "also set inside the item's module-config"));
        } else {
          merged.put(legacy, item.getValue(legacy));
        }
      }
    }
    RetryPolicy retry = attempt(id, key + ".retry", () -> RetryPolicy.parse(item.getValue("retry")), RetryPolicy.DISABLED);
    String connectionName = item.containsKey("connection")
        ? connectionName(id, key + ".connection", item.getValue("connection"), connections, referenced)
        : entryConnection;
    Object target = module == null ? null : target(id, key + ".module-config", module, merged, entry);
    if (problems.subList(before, problems.size()).stream().anyMatch(ConfigProblem::isError) || module == null) {
      return null;
    }
    return new ChainItem(module.name(), connectionName, connection(connectionName, connections), merged, target,
        retry);
  }

  private String connectionName(String id, String key, Object value, Map<String, JsonObject> connections,
      Set<String> referenced) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name) || name.isBlank()) {
      problems.add(webhookError(id, key, "must be a connection name"));
      return null;
    }
    if (!connections.containsKey(name)) {
      problems.add(webhookError(id, key, "connection '" + name + "' is not defined in " + connectionsName));
      return null;
    }
    referenced.add(name);
    return name;
  }

  private static JsonObject connection(String name, Map<String, JsonObject> connections) {
    return name == null ? null : connections.get(name);
  }

  /** The module's load-time check: its target, or null with the problem recorded. */
  private Object target(String id, String key, ModuleType<?> module, JsonObject moduleConfig, JsonObject entry) {
    return attempt(id, key, () -> module.target(moduleConfig, entry, env), null);
  }

  private <T> T attempt(String id, String key, java.util.function.Supplier<T> parse, T fallback) {
    try {
      return parse.get();
    } catch (ConfigException e) {
      problems.add(webhookError(id, e.key() == null || e.key().isEmpty() ? key : key + "." + e.key(), e.getMessage()));
      return fallback;
    }
  }

  private ConfigProblem webhookError(String id, String key, String message) {
    return new ConfigProblem(ConfigProblem.Severity.ERROR, webhooksName, "webhook", id, key, message);
  }

  private ConfigProblem connectionError(String name, String key, String message) {
    return new ConfigProblem(ConfigProblem.Severity.ERROR, connectionsName, "connection", name, key, message);
  }

  private static ConfigProblem fileError(String file, String message) {
    return new ConfigProblem(ConfigProblem.Severity.ERROR, file, null, null, null, message);
  }

  private static String joinKey(List<String> parts) {
    StringBuilder key = new StringBuilder();
    for (String part : parts) {
      if (!part.startsWith("[") && key.length() > 0) {
        key.append('.');
      }
      key.append(part);
    }
    return key.toString();
  }
}
