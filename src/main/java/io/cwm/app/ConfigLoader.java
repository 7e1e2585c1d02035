package io.cwm.app;

import io.cwm.config.EnvVars;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ConfigException;
import io.cwm.config.ConfigJson;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.RelayChannels;
import io.cwm.config.Secrets;
import io.cwm.config.Substitution;
import io.cwm.validate.ValidatorContext;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.WebhookEntry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads webhooks.json and connections.json into a {@link ConfigSnapshot}, collecting every
 * problem instead of stopping at the first. The snapshot is only produced when there is no
 * error: the receiver never starts half-configured. This class reads the files and puts the
 * pieces together; {@link ConnectionsFile} reads the connections, {@link WebhookEntryReader}
 * each webhook entry (module targets included), {@link SecretChecks} the secrets.
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
    return env.flag(EnvVars.CWM_STRICT_CONFIG);
  }

  /**
   * A config as its source holds it, before substitution: the files' objects, or what the etcd
   * backend read.
   *
   * @param webhooksSource names the webhooks' source in problems (a file name, an etcd prefix)
   * @param webhooks the webhook entries by id (of the default namespace with etcd)
   * @param namespaces with etcd, the entries of every namespace by namespace (the default one
   *     included); empty with files
   * @param connectionsSource names the connections' source in problems
   * @param connections the connections by name
   */
  public record RawConfig(String webhooksSource, JsonObject webhooks, Map<String, JsonObject> namespaces,
      String connectionsSource, JsonObject connections) {
    public RawConfig {
      namespaces = Map.copyOf(namespaces);
    }
  }

  private final Env env;
  private final ValidatorContext validatorContext;
  private final boolean strict;
  private final String listenHost;
  private final boolean connectorSide;
  private Secrets secrets = Secrets.NONE;

  private ConfigLoader(Env env, ValidatorContext validatorContext, boolean strict, String listenHost,
      boolean connectorSide) {
    this.env = env;
    this.validatorContext = validatorContext;
    this.strict = strict;
    this.listenHost = listenHost;
    this.connectorSide = connectorSide;
  }

  /**
   * Loads a connector's module-mode webhooks.json and connections.json (spec §8.11): the same
   * formats and substitution, but only what delivery uses is read — module, module-config,
   * connection, chain, chain-config; validators and other ingress fields, the webhook id rules
   * and the entry-level retry of a single module (the receiver redelivers) are ignored. Both
   * files are required when given; a null connections file means none.
   */
  public static Result loadForConnector(Path webhooksFile, Path connectionsFile, Env env, Clock clock) {
    return loadForConnector(webhooksFile, connectionsFile, env, clock, strictFromEnv(env));
  }

  /** As above; {@code strict}: unknown entry keys are errors (the receiver's rules for them apply). */
  public static Result loadForConnector(Path webhooksFile, Path connectionsFile, Env env, Clock clock,
      boolean strict) {
    ConfigLoader loader = new ConfigLoader(env, new ValidatorContext(clock, env, () -> {
      throw new IllegalStateException("the connector builds no validators");
    }), strict, null, true);
    return connectionsFile == null
        ? loader.run(webhooksFile, Path.of(webhooksFile + ".no-connections"), true, false)
        : loader.run(webhooksFile, connectionsFile, true, true);
  }

  /**
   * The connector's etcd mode (spec §8.14): the entries of its namespace and the connections, read
   * from etcd, loaded as {@link #loadForConnector(Path, Path, Env, Clock)} loads the files.
   */
  public static Result loadForConnector(RawConfig raw, Env env, Clock clock, boolean strict) {
    ConfigLoader loader = new ConfigLoader(env, new ValidatorContext(clock, env, () -> {
      throw new IllegalStateException("the connector builds no validators");
    }), strict, null, true);
    LoadProblems problems = new LoadProblems(raw.webhooksSource(), raw.connectionsSource());
    return loader.build(raw.webhooks(), Map.of(), raw.connections(), problems);
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
    return load(webhooksFile, connectionsFile, env, validatorContext, rules, Secrets.NONE);
  }

  /** Loads both files under {@code rules}, Vault references resolved through {@code secrets}. */
  public static Result load(Path webhooksFile, Path connectionsFile, Env env, ValidatorContext validatorContext,
      Rules rules, Secrets secrets) {
    ConfigLoader loader = new ConfigLoader(env, validatorContext, rules.strict(), rules.listenHost(), false);
    loader.secrets = secrets;
    return loader.run(webhooksFile, connectionsFile, rules.requireWebhooks(), rules.requireConnections());
  }

  /**
   * Builds a snapshot from a config already read (the etcd backend, or files read earlier): the
   * same substitution and validation as {@link #load}.
   */
  public static Result load(RawConfig raw, Env env, ValidatorContext validatorContext, Rules rules, Secrets secrets) {
    ConfigLoader loader = new ConfigLoader(env, validatorContext, rules.strict(), rules.listenHost(), false);
    loader.secrets = secrets;
    LoadProblems problems = new LoadProblems(raw.webhooksSource(), raw.connectionsSource());
    return loader.build(raw.webhooks(), raw.namespaces(), raw.connections(), problems);
  }

  /**
   * Reads the two files as they are now, without building anything: what a reload validates, and
   * what a Vault backend scans for references. Null when a file is missing (and required) or
   * broken; the problems say why.
   */
  public static RawConfig read(Path webhooksFile, Path connectionsFile, Rules rules, List<ConfigProblem> sink) {
    LoadProblems problems = new LoadProblems(webhooksFile.toString(), connectionsFile.toString());
    RawConfig raw = readFiles(webhooksFile, connectionsFile, rules.requireWebhooks(), rules.requireConnections(),
        false, problems);
    sink.addAll(problems.all());
    return raw;
  }

  private static RawConfig readFiles(Path webhooksFile, Path connectionsFile, boolean requireWebhooks,
      boolean requireConnections, boolean connectorSide, LoadProblems problems) {
    JsonObject connectionsJson = read(connectionsFile, "{}", requireConnections, "file not found", problems);
    JsonObject webhooksJson = read(webhooksFile, null, requireWebhooks,
        connectorSide ? "file not found" : MISSING_WEBHOOKS, problems);
    if (webhooksJson == null && !Files.exists(webhooksFile) && !requireWebhooks) {
      problems.add(new ConfigProblem(ConfigProblem.Severity.WARNING, problems.webhooksFile(), null, null, null,
          "file not found: serving the built-in 'default' webhook (no authentication, logs every body) as "
              + "--allow-default-webhook / ALLOW_DEFAULT_WEBHOOK=true asks"));
      webhooksJson = new JsonObject(DEFAULT_WEBHOOKS);
    }
    if (webhooksJson == null || connectionsJson == null) {
      return null;
    }
    return new RawConfig(webhooksFile.toString(), webhooksJson, Map.of(), connectionsFile.toString(),
        connectionsJson);
  }

  private Result run(Path webhooksFile, Path connectionsFile, boolean requireWebhooks,
      boolean requireConnections) {
    LoadProblems problems = new LoadProblems(webhooksFile.toString(), connectionsFile.toString());
    RawConfig raw = readFiles(webhooksFile, connectionsFile, requireWebhooks, requireConnections, connectorSide,
        problems);
    if (raw == null) {
      return new Result(null, problems.all());
    }
    return build(raw.webhooks(), Map.of(), raw.connections(), problems);
  }

  private Result build(JsonObject webhooksJson, Map<String, JsonObject> namespacesJson, JsonObject connectionsJson,
      LoadProblems problems) {
    ConnectionsFile connections = new ConnectionsFile(connectionsJson, env, secrets, problems);
    SecretChecks secrets = connectorSide ? null : new SecretChecks(env, listenHost, problems);
    WebhookEntryReader reader = new WebhookEntryReader(env, validatorContext, strict, connectorSide,
        connections.connections(), problems, secrets);
    Map<String, WebhookEntry> webhooks = entries(webhooksJson, reader, problems);
    Map<String, Map<String, WebhookEntry>> namespaces = new LinkedHashMap<>();
    List<WebhookEntry> all = new ArrayList<>(webhooks.values());
    namespacesJson.forEach((namespace, json) -> {
      Map<String, WebhookEntry> entries = json == webhooksJson ? webhooks : entries(json, reader, problems);
      namespaces.put(namespace, Map.copyOf(entries));
      if (json != webhooksJson) {
        all.addAll(entries.values());
      }
    });
    Map<String, ChannelSpec> channels = channels(all, problems);
    connections.check(reader.referenced());
    if (secrets != null) {
      secrets.environment();
    }
    ConfigSnapshot snapshot = problems.anyError() ? null : new ConfigSnapshot(Map.copyOf(webhooks),
        Collections.unmodifiableMap(new LinkedHashMap<>(connections.connections())),
        Collections.unmodifiableMap(channels), Collections.unmodifiableMap(namespaces));
    return new Result(snapshot, problems.all());
  }

  private Map<String, WebhookEntry> entries(JsonObject json, WebhookEntryReader reader, LoadProblems problems) {
    Map<String, WebhookEntry> webhooks = new LinkedHashMap<>();
    JsonObject substituted = substitute(json, problems);
    for (String id : substituted.fieldNames()) {
      WebhookEntry entry = reader.read(id, substituted.getValue(id), json.getValue(id));
      if (entry != null) {
        webhooks.put(id, entry);
      }
    }
    return webhooks;
  }

  /** The file's JSON object, the default when it is missing and not required, else null with the problem. */
  private static JsonObject read(Path file, String missingDefault, boolean required, String missing,
      LoadProblems problems) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      if (required) {
        problems.add(LoadProblems.fileError(name, missing));
      }
      return missingDefault == null ? null : new JsonObject(missingDefault);
    } catch (IOException e) {
      problems.add(LoadProblems.fileError(name, "cannot read file: " + e.getClass().getSimpleName()));
      return null;
    }
    try {
      if (ConfigJson.decode(text) instanceof JsonObject object) {
        return object;
      }
      problems.add(LoadProblems.fileError(name, "must hold one JSON object"));
    } catch (ConfigException e) {
      problems.add(LoadProblems.fileError(name, e.getMessage()));
    }
    return null;
  }

  /** webhooks.json with its variables substituted: every unresolved placeholder is an error. */
  private JsonObject substitute(JsonObject json, LoadProblems problems) {
    List<Substitution.Problem> found = new ArrayList<>();
    JsonObject result = Substitution.apply(json, env, secrets, found);
    for (Substitution.Problem problem : found) {
      List<String> path = problem.path();
      String entry = path.isEmpty() ? null : path.get(0);
      String key = path.size() < 2 ? null : ConfigProblem.keyPath(path.subList(1, path.size()));
      problems.add(problems.webhookError(entry, key, problem.message()));
    }
    return result;
  }

  /** The Webhook Connect channels of the webhook_connect entries; entries that disagree on a channel are errors. */
  private static Map<String, ChannelSpec> channels(List<WebhookEntry> webhooks, LoadProblems problems) {
    Map<String, JsonObject> relayConfigs = new LinkedHashMap<>();
    Map<String, Long> dedupWindows = new LinkedHashMap<>();
    for (WebhookEntry entry : webhooks) {
      if (!entry.chain() && RelayChannels.MODULE.equals(entry.steps().get(0).module())) {
        relayConfigs.put(entry.id(), entry.steps().get(0).moduleConfig());
        if (entry.dedup() != null) {
          dedupWindows.put(entry.id(), entry.dedup().windowSeconds());
        }
      }
    }
    Map<String, String> conflicts = new LinkedHashMap<>();
    Map<String, ChannelSpec> channels = RelayChannels.build(relayConfigs, dedupWindows, conflicts);
    conflicts.forEach((id, message) -> problems.add(problems.webhookError(id, "module-config.channel", message)));
    return channels;
  }
}
