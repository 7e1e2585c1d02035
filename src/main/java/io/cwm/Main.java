package io.cwm;

import io.cwm.app.Launcher;
import io.cwm.config.ConfigLoader;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.validate.ValidatorContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
        "       check (validate config files and print every problem; exit 0 ok / 1 problems)."})
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

  @Option(names = "--host", paramLabel = "HOST", description = "bind address (env HOST, default 0.0.0.0)")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "public port (env PORT, default 8000)")
  Integer port;

  @Option(names = "--admin-port", paramLabel = "PORT",
      description = "serve the admin API on this port only, off the public one (env WEBHOOK_CONNECT_ADMIN_PORT)")
  Integer adminPort;

  private final Env env;
  private final PrintWriter out;
  private final PrintWriter err;

  Main(Env env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

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
    CommandLine command = new CommandLine(new Main(env, out, err));
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
    Path webhooksFile = webhooks != null ? webhooks : Path.of(env.get("WEBHOOKS_CONFIG_FILE", "webhooks.json"));
    Path connectionsFile = connections != null ? connections
        : Path.of(env.get("CONNECTIONS_CONFIG_FILE", "connections.json"));
    if (role.equals("check")) {
      return check(webhooksFile, connectionsFile, connections != null);
    }
    String bindHost = host != null ? host : env.get("HOST", "0.0.0.0");
    int bindPort = port != null ? port : parsePort("PORT", env.get("PORT", "8000"));
    Path data = dataDir != null ? dataDir : Path.of(env.get("WEBHOOK_CONNECT_DATA_DIR", "data"));
    Integer admin = adminPort != null ? Integer.valueOf(checkPort(adminPort, "--admin-port"))
        : env.get("WEBHOOK_CONNECT_ADMIN_PORT").filter(text -> !text.isBlank()).map(text -> parsePort("WEBHOOK_CONNECT_ADMIN_PORT", text)).orElse(null);
    return serve(new Launcher.Options(role, webhooksFile, connectionsFile, verticles, bindHost, bindPort, admin, data,
        env, java.util.List.of()));
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
    ConfigLoader.Result result = ConfigLoader.load(webhooksFile, connectionsFile, env,
        new ValidatorContext(Clock.systemUTC(), env, () -> {
          throw new IllegalStateException("check makes no HTTP calls");
        }), true, connectionsGiven);
    for (ConfigProblem problem : result.problems()) {
      out.println(problem);
    }
    long errors = result.errors().size();
    long warnings = result.problems().size() - errors;
    if (result.ok()) {
      out.println("OK: " + webhooksFile + " (" + result.snapshot().webhooks().size() + " webhooks), "
          + connectionsFile + " (" + result.snapshot().connections().size() + " connections)"
          + (warnings > 0 ? ", " + warnings + " warning(s)" : ""));
      return 0;
    }
    out.println("REFUSED: " + errors + " error(s), " + warnings + " warning(s)");
    return 1;
  }

  private int serve(Launcher.Options options) {
    CountDownLatch started = new CountDownLatch(1);
    Launcher.Running[] running = new Launcher.Running[1];
    Throwable[] failure = new Throwable[1];
    Launcher.start(options).onComplete(done -> {
      if (done.succeeded()) {
        running[0] = done.result();
      } else {
        failure[0] = done.cause();
      }
      started.countDown();
    });
    try {
      started.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    if (failure[0] != null) {
      err.println("cwm " + options.role() + " did not start:");
      if (failure[0] instanceof Launcher.ConfigRefused refused) {
        refused.problems().forEach(problem -> err.println("  " + problem));
      } else {
        err.println("  " + failure[0].getMessage());
      }
      return 1;
    }
    if (!options.role().equals("connector")) {
      out.println("cwm " + options.role() + " listening on http://" + options.host() + ":"
          + options.port() + " (" + running[0].app().config().webhooks().size() + " webhooks)");
    }
    if (!options.connectors().isEmpty()) {
      out.println("cwm " + options.role() + ": " + options.connectors().size() + " connector(s) running");
    }
    // a connector the receiver keeps refusing (wrong token, unknown channel) ends the process: exit 1
    running[0].app().fatal().future().onSuccess(reason -> {
      err.println("cwm " + options.role() + " stopped: " + reason);
      running[0].close().onComplete(closed -> System.exit(1));
    });
    // SIGTERM: connectors drain for their grace period, then everything closes; a clean stop exits 0
    double grace = options.connectors().stream().mapToDouble(c -> c.shutdownGraceSeconds()).max().orElse(0);
    long waitSeconds = (long) Math.max(10, grace + 10);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running[0].close().toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
      } catch (Exception notClean) {
        return; // the JVM's own status for the signal
      }
      Runtime.getRuntime().halt(0);
    }, "cwm-shutdown"));
    return 0;
  }
}
