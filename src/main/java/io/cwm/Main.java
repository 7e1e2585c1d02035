package io.cwm;

import io.cwm.config.EnvVars;
import io.cwm.app.Launcher;
import io.cwm.app.OwnReceiver;
import io.cwm.app.ConfigLoader;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.config.SecretRules;
import io.cwm.config.Secrets;
import io.cwm.config.vault.VaultSecrets;
import io.cwm.config.vault.VaultSettings;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.config.ConnectorConfigLoader;
import io.cwm.connector.config.ConnectorFlags;
import io.cwm.validate.ValidatorContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar cwm.jar receiver|connector|both|check [options]}. Exit codes: 0 ok, 1 config
 * refused or start-up failed, 2 bad command line.
 */
@Command(name = "cwm", mixinStandardHelpOptions = true, version = "cwm 0.1.0",
    description = "Webhook receiver and cloud-to-local relay (Core Webhook Module, Java edition).",
    footer = {"", "Roles: receiver (public side), connector (private side), both (one process),",
        "       check (validate config files and print every problem; exit 0 ok / 1 problems;",
        "       --connector FILE checks connector files, with the variables and flags the connector would use)."})
public final class Main implements java.util.concurrent.Callable<Integer> {
  static final List<String> ROLES = List.of("receiver", "connector", "both", "check");

  @Parameters(index = "0", paramLabel = "ROLE", description = "receiver | connector | both | check")
  String role;

  @Option(names = "--webhooks", paramLabel = "FILE",
      description = "webhooks.json (env WEBHOOKS_CONFIG_FILE, default webhooks.json)")
  Path webhooks;

  @Option(names = "--connections", paramLabel = "FILE",
      description = "connections.json (env CONNECTIONS_CONFIG_FILE, default connections.json)")
  Path connections;

  @Option(names = "--verticles", paramLabel = "FILE",
      description = "verticles.json (default ./verticles.json, else the copy in the jar)")
  Path verticles;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "embedded Webhook Connect buffer directory (env WEBHOOK_CONNECT_DATA_DIR, default ./data)")
  Path dataDir;

  @Option(names = "--host", paramLabel = "HOST", description = "bind address (env HOST, default 0.0.0.0); check judges "
      + "the example config's demo secrets by it (accepted on a loopback address only)")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "public port (env PORT, default 8000)")
  Integer port;

  @Option(names = "--admin-port", paramLabel = "PORT",
      description = "serve the admin API on this port only, off the public one (env WEBHOOK_CONNECT_ADMIN_PORT)")
  Integer adminPort;

  @Option(names = "--cluster", description = "receiver / both: join the Hazelcast cluster of the CWM_CLUSTER_* "
      + "variables (env CWM_CLUSTER=true); see README, Clustering")
  boolean cluster;

  @Option(names = "--strict", description = "receiver / both / check: an unknown key of a webhooks.json entry is an "
      + "error, not a warning (env CWM_STRICT_CONFIG=true)")
  boolean strict;

  @Option(names = "--allow-default-webhook", description = "receiver / both / check: a missing webhooks file serves "
      + "the built-in 'default' entry (no authentication, logs every body) instead of refusing to start "
      + "(env ALLOW_DEFAULT_WEBHOOK=true)")
  boolean allowDefaultWebhook;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "connector / both: a connector.json (repeatable: one connector per file; a file may hold a "
          + "list of connectors). Without it the connector is configured by CONNECTOR_* variables and flags")
  List<Path> connectorConfigs = new ArrayList<>();

  @Option(names = "--connector", paramLabel = "FILE", description = "check: a connector.json to validate (repeatable)")
  List<Path> connectorChecks = new ArrayList<>();

  @Option(names = "--cloud-url", paramLabel = "URL", description = "connector: receiver base URL (cloud_url)")
  String cloudUrl;

  @Option(names = "--channel", paramLabel = "NAME", description = "connector: channel")
  String channel;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "connector: channel token (visible in the process list: prefer CONNECTOR_TOKEN)")
  String token;

  @Option(names = "--target-url", paramLabel = "URL",
      description = "connector: HTTP mode default target (replaces default_target; other fields at their defaults)")
  String targetUrl;

  @Option(names = "--protocol", paramLabel = "P", description = "connector: websocket | sse | long_poll")
  String protocol;

  @Option(names = "--log-level", paramLabel = "LEVEL", description = "connector: DEBUG | INFO | WARNING | ERROR")
  String logLevel;

  @Option(names = "--connector-id", paramLabel = "ID", description = "connector: sent as X-Connector-ID")
  String connectorId;

  @Option(names = "--no-verify-ssl", description = "connector: do not verify TLS certificates (receiver and targets)")
  boolean noVerifySsl;

  @Option(names = "--webhooks-config", paramLabel = "FILE", description = "connector: module mode webhooks.json")
  String webhooksConfig;

  @Option(names = "--connections-config", paramLabel = "FILE",
      description = "connector: module mode connections.json")
  String connectionsConfig;

  private final Env env;
  private final PrintWriter out;
  private final PrintWriter err;
  /** Started by a test: no JVM shutdown hook, no System.exit; the running process is handed back. */
  private final boolean embedded;
  private Launcher.Running running;

  Main(Env env, PrintWriter out, PrintWriter err) {
    this(env, out, err, false);
  }

  private Main(Env env, PrintWriter out, PrintWriter err, boolean embedded) {
    this.env = env;
    this.out = out;
    this.err = err;
    this.embedded = embedded;
  }

  /** The outcome of {@link #start}: the exit code, and the process when a server role started. */
  record Started(int exitCode, Launcher.Running running) {}

  public static void main(String[] args) {
    int code = run(args, Env.system(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != 0 || args.length == 0 || !isServerRole(args)) {
      System.exit(code);
    }
  }

  private static boolean isServerRole(String[] args) {
    for (String arg : args) {
      if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
        return false;
      }
    }
    return !"check".equals(args[0]);
  }

  /** Parses and runs; returns the exit code (server roles return 0 once started and keep running). */
  static int run(String[] args, Env env, PrintWriter out, PrintWriter err) {
    return execute(new Main(env, out, err), args);
  }

  /**
   * For tests: as {@link #run}, but a server role that starts is handed back to be closed by the
   * caller, without the JVM shutdown hook and the exit on a fatal connector failure.
   */
  static Started start(String[] args, Env env, PrintWriter out, PrintWriter err) {
    Main main = new Main(env, out, err, true);
    int code = execute(main, args);
    return new Started(code, main.running);
  }

  private static int execute(Main main, String[] args) {
    PrintWriter out = main.out;
    PrintWriter err = main.err;
    CommandLine command = new CommandLine(main);
    command.setOut(out);
    command.setErr(err);
    command.setParameterExceptionHandler((failure, failedArgs) -> {
      err.println("error: " + failure.getMessage());
      failure.getCommandLine().usage(err);
      return 2;
    });
    command.setExecutionExceptionHandler((failure, commandLine, parseResult) -> {
      err.println("error: " + failure.getMessage());
      return 1;
    });
    return command.execute(args);
  }

  @Override
  public Integer call() {
    if (!ROLES.contains(role)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "unknown role '" + role + "' (expected receiver, connector, both or check)");
    }
    Path webhooksFile = webhooks != null ? webhooks : Path.of(env.get(EnvVars.WEBHOOKS_CONFIG_FILE, "webhooks.json"));
    Path connectionsFile = connections != null ? connections
        : Path.of(env.get(EnvVars.CONNECTIONS_CONFIG_FILE, "connections.json"));
    ConnectorFlags flags = connectorFlags();
    if (role.equals("check")) {
      List<Path> connectorFiles = new ArrayList<>(connectorChecks);
      connectorFiles.addAll(connectorConfigs);
      boolean checkConnectors = !connectorFiles.isEmpty() || flags.any();
      int code = 0;
      if (!checkConnectors || webhooks != null || connections != null) {
        code = check(webhooksFile, connectionsFile, connections != null);
      }
      return checkConnectors ? Math.max(code, checkConnectors(connectorFiles, flags)) : code;
    }
    if (!connectorChecks.isEmpty()) {
      throw usage("--connector is an option of check; the " + role + " role takes --config");
    }
    boolean connectorOptions = !connectorConfigs.isEmpty() || flags.any();
    boolean clustered = cluster || "true".equalsIgnoreCase(env.get(EnvVars.CWM_CLUSTER, "false").trim());
    if (cluster && role.equals("connector")) {
      throw usage("--cluster is for the receiver and both roles (a connector joins no cluster)");
    }
    if (role.equals("receiver") && connectorOptions) {
      throw usage("connector options (--config, --cloud-url, --channel, ...) are not used by the receiver role");
    }
    if (role.equals("both") && connectorConfigs.isEmpty() && flags.any()) {
      throw usage("in the both role the connector flags need --config (without it no connector runs)");
    }
    String bindHost = bindHost();
    int bindPort = port != null ? checkPort(port, "--port") : parsePort(EnvVars.PORT, env.get(EnvVars.PORT, "8000"));
    List<ConnectorConfig> connectors = List.of();
    IntFunction<ConnectorConfigLoader.Result> connectorsForBoundPort = null;
    if (role.equals("connector") || !connectorConfigs.isEmpty()) {
      if (token != null) {
        err.println("warning: --token is visible in the process list; prefer CONNECTOR_TOKEN or the config file");
      }
      // both: {$PORT} and {$HOST} in the connector files are this process's own receiver
      Env connectorEnv = role.equals("both") ? OwnReceiver.connectorEnv(env, bindHost, bindPort) : env;
      ConnectorConfigLoader.Result loaded = withTokenChecks(ConnectorConfigLoader.load(connectorConfigs, flags,
          connectorEnv, ConnectorConfigLoader.Purpose.START));
      if (!loaded.ok()) {
        err.println("cwm " + role + " did not start:");
        loaded.problems().forEach(problem -> err.println("  " + problem));
        return 1;
      }
      loaded.problems().forEach(err::println);
      connectors = loaded.connectors();
      if (role.equals("both") && bindPort == 0) { // the real port is known once the receiver listens
        List<Path> files = List.copyOf(connectorConfigs);
        connectorsForBoundPort = bound -> withTokenChecks(ConnectorConfigLoader.load(files, flags,
            OwnReceiver.connectorEnv(env, bindHost, bound), ConnectorConfigLoader.Purpose.START));
      }
    }
    Path data = dataDir != null ? dataDir : Path.of(env.get(EnvVars.WEBHOOK_CONNECT_DATA_DIR, "data"));
    Integer admin = adminPort != null ? Integer.valueOf(checkPort(adminPort, "--admin-port"))
        : env.get(EnvVars.WEBHOOK_CONNECT_ADMIN_PORT).filter(text -> !text.isBlank()).map(text -> parsePort(EnvVars.WEBHOOK_CONNECT_ADMIN_PORT, text)).orElse(null);
    return serve(new Launcher.Options(role, webhooksFile, connectionsFile, verticles, bindHost, bindPort, admin, data,
        env, connectors, clustered && !role.equals("connector"), strict, allowDefaultWebhook, connectorsForBoundPort));
  }

  /** --host, else HOST, else every interface: what start binds, and what check judges demo secrets by. */
  private String bindHost() {
    return host != null ? host : env.get(EnvVars.HOST, "0.0.0.0");
  }

  private ConnectorFlags connectorFlags() {
    if (protocol != null && !List.of(ConnectorConfig.WEBSOCKET, ConnectorConfig.SSE, ConnectorConfig.LONG_POLL)
        .contains(protocol)) {
      throw usage("--protocol must be websocket, sse or long_poll");
    }
    if (logLevel != null && !List.of("DEBUG", "INFO", "WARNING", "WARN", "ERROR")
        .contains(logLevel.toUpperCase(Locale.ROOT))) {
      throw usage("--log-level must be DEBUG, INFO, WARNING or ERROR");
    }
    return new ConnectorFlags(cloudUrl, channel, token, targetUrl, protocol, logLevel, connectorId, noVerifySsl,
        webhooksConfig, connectionsConfig);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(new CommandLine(this), message);
  }

  private int checkPort(int value, String what) {
    if (value < 0 || value > 65535) {
      throw new CommandLine.ParameterException(new CommandLine(this), what + " must be a number from 0 to 65535");
    }
    return value;
  }

  private int parsePort(String name, String text) {
    try {
      int value = Integer.parseInt(text);
      if (value >= 0 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new CommandLine.ParameterException(new CommandLine(this), name + " must be a number from 0 to 65535");
  }

  private int check(Path webhooksFile, Path connectionsFile, boolean connectionsGiven) {
    ValidatorContext validators = new ValidatorContext(Clock.systemUTC(), env, () -> {
      throw new IllegalStateException("check makes no HTTP calls");
    });
    ConfigLoader.Rules rules = new ConfigLoader.Rules(!allowDefaultWebhook && !Launcher.allowDefaultWebhookFromEnv(env),
        connectionsGiven, strict || ConfigLoader.strictFromEnv(env), bindHost());
    ConfigLoader.Result result;
    VaultSettings vault;
    try {
      vault = VaultSettings.fromEnv(env);
    } catch (IllegalArgumentException badVault) {
      out.println("error: vault: " + badVault.getMessage());
      out.println("REFUSED: 1 error(s), 0 warning(s)");
      return 1;
    }
    if (vault == null) {
      result = ConfigLoader.load(webhooksFile, connectionsFile, env, validators, rules);
    } else { // the references are read from Vault, as the receiver will
      result = checkWithVault(webhooksFile, connectionsFile, validators, rules, vault);
    }
    for (ConfigProblem problem : result.problems()) {
      out.println(problem);
    }
    long errors = result.errors().size();
    long warnings = result.problems().size() - errors;
    if (result.ok()) {
      providerLines(webhooksFile, result);
      out.println("OK: " + webhooksFile + " (" + result.snapshot().webhooks().size() + " webhooks), "
          + connectionsFile + " (" + result.snapshot().connections().size() + " connections)"
          + (warnings > 0 ? ", " + warnings + " warning(s)" : ""));
      return 0;
    }
    out.println("REFUSED: " + errors + " error(s), " + warnings + " warning(s)");
    return 1;
  }

  /**
   * One info line per webhook using a {@code provider} preset: what it checks and its dedup key.
   * Not a problem: the OK / REFUSED counts do not include them.
   */
  private void providerLines(Path webhooksFile, ConfigLoader.Result result) {
    for (var webhook : new java.util.TreeMap<>(result.snapshot().webhooks()).entrySet()) {
      if (webhook.getValue().raw().getValue("provider") instanceof io.vertx.core.json.JsonObject block) {
        out.println("info: " + webhooksFile + ": webhook '" + webhook.getKey() + "': "
            + io.cwm.validate.ProviderPresets.describe(block, webhook.getValue().dedup()));
      }
    }
  }

  private ConfigLoader.Result checkWithVault(Path webhooksFile, Path connectionsFile, ValidatorContext validators,
      ConfigLoader.Rules rules, VaultSettings settings) {
    List<ConfigProblem> problems = new ArrayList<>();
    ConfigLoader.RawConfig raw = ConfigLoader.read(webhooksFile, connectionsFile, rules, problems);
    if (raw == null) {
      return new ConfigLoader.Result(null, problems);
    }
    Vertx vertx = Vertx.vertx();
    try {
      List<JsonObject> parts = List.of(raw.webhooks(), raw.connections());
      Secrets secrets = VaultSecrets.create(vertx, settings).resolve(parts, true).toCompletionStage()
          .toCompletableFuture().get(settings.timeout().toMillis() * 4 + 5_000, TimeUnit.MILLISECONDS);
      ConfigLoader.Result loaded = ConfigLoader.load(raw, env, validators, rules, secrets);
      problems.addAll(loaded.problems());
      return new ConfigLoader.Result(loaded.snapshot(), problems);
    } catch (Exception unresolved) {
      problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, "vault", null, null, null,
          "secrets could not be read: " + unresolved.getClass().getSimpleName()));
      return new ConfigLoader.Result(null, problems);
    } finally {
      vertx.close();
    }
  }

  /** Same layering as start (variables and flags apply), but missing container-only files only warn. */
  private int checkConnectors(List<Path> files, ConnectorFlags flags) {
    ConnectorConfigLoader.Result result = withTokenChecks(ConnectorConfigLoader.load(files, flags, env,
        ConnectorConfigLoader.Purpose.CHECK));
    for (ConfigProblem problem : result.problems()) {
      out.println(problem);
    }
    long errors = result.errors().size();
    long warnings = result.problems().size() - errors;
    if (result.ok()) {
      out.println("OK: " + result.connectors().stream()
          .map(connector -> connector.source() + ": connector '" + connector.channel() + "' (" + connector.protocol()
              + ", " + (connector.httpMode() ? "HTTP" : connector.etcd() != null ? "etcd" : "module") + " mode)")
          .collect(Collectors.joining("; "))
          + (warnings > 0 ? ", " + warnings + " warning(s)" : ""));
      return 0;
    }
    out.println("REFUSED: " + errors + " error(s), " + warnings + " warning(s)");
    return 1;
  }

  /**
   * The connectors' tokens: a placeholder ({@code REPLACE_ME…}, {@code changeme}) is an error, and so is
   * a demo token of the example config sent to a receiver that is not on a loopback address.
   */
  private static ConnectorConfigLoader.Result withTokenChecks(ConnectorConfigLoader.Result loaded) {
    List<ConfigProblem> problems = new ArrayList<>(loaded.problems());
    for (ConnectorConfig connector : loaded.connectors()) {
      ConfigProblem token = SecretRules.connectorToken(connector.source(), connector.token(), connector.cloudUrl());
      if (token != null) {
        problems.add(token);
      }
    }
    return new ConnectorConfigLoader.Result(loaded.connectors(), List.copyOf(problems));
  }

  /** A connector's {@code log_level} sets the root level unless {@code CWM_LOG_LEVEL} does. */
  private void applyConnectorLogLevel(Launcher.Options options) {
    if (options.connectors().isEmpty() || env.get(EnvVars.CWM_LOG_LEVEL).isPresent()) {
      return;
    }
    String level = options.connectors().get(0).logLevel();
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
        && level != null) {
      root.setLevel(ch.qos.logback.classic.Level.toLevel(level.equals("WARNING") ? "WARN" : level,
          ch.qos.logback.classic.Level.INFO));
    }
  }

  private int serve(Launcher.Options options) {
    applyConnectorLogLevel(options);
    Launcher.Running process;
    try {
      process = Launcher.start(options).toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (java.util.concurrent.ExecutionException e) {
      err.println("cwm " + options.role() + " did not start:");
      if (e.getCause() instanceof Launcher.ConfigRefused refused) {
        refused.problems().forEach(problem -> err.println("  " + problem));
      } else {
        err.println("  " + e.getCause().getMessage());
      }
      return 1;
    }
    if (!options.role().equals("connector")) {
      out.println("cwm " + options.role() + " listening on http://" + options.host() + ":"
          + process.app().boundPort().get() + " (" + process.app().config().webhooks().size() + " webhooks)");
    }
    if (!options.connectors().isEmpty()) {
      out.println("cwm " + options.role() + ": " + options.connectors().size() + " connector(s) running");
    }
    if (embedded) {
      running = process;
      return 0;
    }
    // a connector the receiver keeps refusing (wrong token, unknown channel) ends the process: exit 1
    process.app().fatal().future().onSuccess(reason -> {
      err.println("cwm " + options.role() + " stopped: " + reason);
      process.close().onComplete(closed -> System.exit(1));
    });
    // SIGTERM: connectors drain for their grace period, then everything closes; a clean stop exits 0
    double grace = options.connectors().stream().mapToDouble(c -> c.shutdownGraceSeconds()).max().orElse(0);
    long waitSeconds = (long) Math.max(20, grace + 20); // the edge's drain (5 s), then the rest
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        process.close().toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
      } catch (Exception notClean) {
        return; // the JVM's own status for the signal
      }
      Runtime.getRuntime().halt(0);
    }, "cwm-shutdown"));
    return 0;
  }
}
